"""core/gc_probe.py: what bench/ws_fanout.py --gc-probe reads of a server."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _run(code: str, env: dict[str, str] | None = None, cwd: Path = ROOT) -> int:
    return subprocess.run(  # noqa: S603 - this interpreter, the code of the test
        [sys.executable, "-c", code],
        cwd=cwd,
        env={**os.environ, "PYTHONPATH": str(ROOT), **(env or {})},
        check=False,
        timeout=120,
    ).returncode


def test_each_collection_is_written_with_its_generation_and_time(tmp_path: Path) -> None:
    code = (
        "import gc, time\n"
        "from core.gc_probe import gc_probe_install\n"
        f"gc_probe_install({str(tmp_path)!r})\n"
        "gc.collect(); gc.collect(0)\n"
        # As uvicorn ends: the signal raised again, no exit handler run.
        "import os, signal; os.kill(os.getpid(), signal.SIGTERM)\n"
    )
    before = time.time()
    assert _run(code) == -15
    after = time.time()
    [written] = list(tmp_path.glob("gc-*.jsonl"))
    pauses = [json.loads(line) for line in written.read_text().splitlines()]
    assert [gen for _at, gen, _ms in pauses][:2] == [2, 0]
    # The wall clock, which the bench compares with its own phases' (not a
    # process's perf counter, which would put every pause outside them).
    assert all(before <= at <= after for at, _gen, _ms in pauses)
    assert all(0 <= ms < (after - before) * 1000 for _at, _gen, ms in pauses)


def test_the_asgi_process_probes_only_when_the_folder_is_set(tmp_path: Path) -> None:
    code = "import gc, django; import config.asgi; gc.collect()\n"
    base = {"DJANGO_SETTINGS_MODULE": "config.settings", "DJANGO_SECRET_KEY": "test"}
    # Run from the folder looked at: a probe installed with an empty folder
    # would write to the working directory.
    assert _run(code, {**base, "XADESK_GC_PROBE_DIR": ""}, cwd=tmp_path) == 0
    assert list(tmp_path.iterdir()) == []
    assert _run(code, {**base, "XADESK_GC_PROBE_DIR": str(tmp_path)}) == 0
    [written] = list(tmp_path.glob("gc-*.jsonl"))
    assert 2 in [json.loads(line)[1] for line in written.read_text().splitlines()]
