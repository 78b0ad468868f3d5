"""Run a few Python processes of the project at the same moment (shared-limit tests).

Each process runs ``script`` with its own arguments, prints "ready" once Django
is set up, waits for a line on its standard input, does its work and prints
one line of result. Starting them all before releasing any makes their work
overlap, as gunicorn's workers' would.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]


def run_together(
    script: str, argvs: Sequence[Sequence[str]], *, env: Mapping[str, str], timeout: float = 60
) -> list[str]:
    """Start one process per argv, release them together; return each one's last line."""
    workers = [
        subprocess.Popen(  # noqa: S603 - this interpreter, the tests' own code
            [sys.executable, "-c", script, *argv],
            cwd=REPO_ROOT,
            env=dict(env),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        for argv in argvs
    ]
    try:
        for worker in workers:
            assert worker.stdout is not None
            assert worker.stdout.readline().strip() == "ready"
        for worker in workers:
            assert worker.stdin is not None
            worker.stdin.write("go\n")
            worker.stdin.flush()
        results = [worker.communicate(timeout=timeout)[0].strip() for worker in workers]
    finally:
        for worker in workers:
            if worker.poll() is None:
                worker.kill()
    assert [worker.returncode for worker in workers] == [0] * len(workers)
    return results
