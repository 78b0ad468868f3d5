"""How long the garbage collector stops a process, for the benches.

bench/ws_fanout.py --gc-probe starts its servers with XADESK_GC_PROBE_DIR set:
each WebSocket process then times every collection (gc.callbacks) and writes
one line per collection to gc-<pid>.jsonl in that folder: [wall clock at the
start, generation, milliseconds]. The wall clock lets the bench tell which
collections fell while sockets connected and which during the timed pushes,
where a pause of the process is a pause of every socket it holds
(config/asgi.py says why its thresholds are not Python's).

A line as each collection ends, not a file at exit: uvicorn ends on SIGTERM
by raising the signal again once it has shut down, so no exit handler runs.
Not set in production: a callback and a write on every collection cost a
little, and nobody reads the file.
"""

from __future__ import annotations

import gc
import json
import os
import time
from pathlib import Path
from typing import Any


def gc_probe_install(directory: str) -> None:
    """Time each collection of this process, a line each in ``directory``."""
    out = Path(directory, f"gc-{os.getpid()}.jsonl").open("a", buffering=1)  # noqa: SIM115
    started = [0.0, 0.0]  # wall clock, perf counter

    def probe(phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            started[0], started[1] = time.time(), time.perf_counter()
        else:
            elapsed = (time.perf_counter() - started[1]) * 1000
            out.write(json.dumps([started[0], int(info["generation"]), round(elapsed, 3)]) + "\n")

    gc.callbacks.append(probe)
