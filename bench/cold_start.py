"""The first batch lookup of each fresh gunicorn worker, with and without the boot warm-up.

Starts gunicorn as scripts/serve.sh does (config.wsgi, sync workers, a Unix
socket, the same production-like environment) on the database the
environment names, with ``--max-requests 2``: every worker answers two
batch lookups and is replaced, so the first timed request of each pair is
the first of a fresh worker and the second is the steady state. A gunicorn
hook marks each worker ready (post_worker_init, after the app and its
warm-up are loaded) and the lookups are sent only then, so the figures are
what a client meets, not the boot. Boot time (fork to ready) is printed
apart: the warm-up moves work there. Three apps are compared: Django's plain
WSGI handler (``django.core.wsgi:get_wsgi_application()``, what config/wsgi.py
was before the warm-up), config/wsgi.py with the index warm-up off
(XADESK_WARM_INDEX_SECONDS=0: only the URLconf at boot), and config/wsgi.py.

    DATABASE_URL=postgis://xadesk:xadesk@127.0.0.1:55432/xadesk \\
        .venv/bin/python bench/cold_start.py [--rounds 5] [--points 1000]

With no commune boundaries in the database it imports them first
(import_boundaries --commit, about a minute for all provinces).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent

# (label, gunicorn app, XADESK_WARM_INDEX_SECONDS)
APPS = (
    (
        "before: plain Django WSGI app, nothing at boot",
        "django.core.wsgi:get_wsgi_application()",
        0,
    ),
    ("config.wsgi, index warm-up off (URLconf at boot)", "config.wsgi:application", 0),
    ("config.wsgi: URLconf and index at boot", "config.wsgi:application", 10),
)

HOOKS = """
import os, pathlib, time

def post_fork(server, worker):
    worker.forked_at = time.time()

def post_worker_init(worker):
    path = pathlib.Path(os.environ["BENCH_READY_DIR"]) / str(worker.pid)
    path.write_text(repr(time.time() - worker.forked_at))
"""


class UnixConnection(http.client.HTTPConnection):
    def __init__(self, path: str) -> None:
        super().__init__("127.0.0.1", timeout=60)
        self.path = path

    def connect(self) -> None:
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(60)
        self.sock.connect(self.path)


def server_env(*, warm_seconds: int) -> dict[str, str]:
    """The environment scripts/serve.sh gives gunicorn, plus the warm-up switch."""
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_SECURE_COOKIES": "false",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DJANGO_TRUSTED_PROXIES": "unix",
        "SMS_BACKEND": "file",
        "EMAIL_MODE": "console",
        "XADESK_ALLOW_DEMO_BACKENDS": "true",
        "DJANGO_LOG_LEVEL": "WARNING",
        "XADESK_WARM_INDEX_SECONDS": str(warm_seconds),
    }


def boundaries_ensure() -> None:
    env = {**os.environ, "DJANGO_DEBUG": "true"}
    count = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "shell",
            "-c",
            "from geo.models import BoundaryPiece; print(BoundaryPiece.objects.count())",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()[-1]
    if int(count) == 0:
        print("no boundaries in this database: importing all provinces (about a minute)")
        subprocess.run(
            [sys.executable, "manage.py", "import_boundaries", "--commit"],
            cwd=ROOT,
            env=env,
            check=True,
        )


def batch_body(points: int, seed: int) -> bytes:
    rng = random.Random(seed)
    # Vietnam's bounding box: some points in communes, some at sea or abroad.
    return json.dumps(
        {
            "points": [
                {"lat": rng.uniform(8.6, 23.3), "lon": rng.uniform(102.2, 109.4)}
                for _ in range(points)
            ]
        }
    ).encode()


def wait_for_new(ready_dir: Path, seen: set[str], timeout: float = 60) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        fresh = sorted({p.name for p in ready_dir.iterdir()} - seen)
        if fresh:
            return fresh[0]
        time.sleep(0.02)
    raise SystemExit("no gunicorn worker became ready within a minute")


def measure(
    *, app: str, warm_seconds: int, rounds: int, points: int
) -> tuple[list[float], list[float], list[float]]:
    """Return the first and second lookup's and the boot's seconds of ``rounds`` workers."""
    workdir = Path(tempfile.mkdtemp(prefix="xadesk-cold-"))
    ready_dir = workdir / "ready"
    ready_dir.mkdir()
    (workdir / "hooks.py").write_text(HOOKS)
    sock = workdir / "http.sock"
    env = {**server_env(warm_seconds=warm_seconds), "BENCH_READY_DIR": str(ready_dir)}
    server = subprocess.Popen(
        [
            str(VENV_BIN / "gunicorn"),
            app,
            "--bind",
            f"unix:{sock}",
            "--umask",
            "007",
            "--workers",
            "1",
            "--worker-class",
            "sync",
            "--max-requests",
            "2",
            "--config",
            str(workdir / "hooks.py"),
            "--error-logfile",
            "-",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    firsts: list[float] = []
    seconds: list[float] = []
    boots: list[float] = []
    seen: set[str] = set()
    try:
        for round_number in range(rounds):
            pid = wait_for_new(ready_dir, seen)
            seen.add(pid)
            boots.append(float((ready_dir / pid).read_text()))
            for position in (0, 1):
                body = batch_body(points, seed=round_number * 2 + position)
                connection = UnixConnection(str(sock))
                started = time.perf_counter()
                connection.request(
                    "POST",
                    "/api/v1/geo/lookup",
                    body=body,
                    headers={"Content-Type": "application/json", "Host": "127.0.0.1"},
                )
                response = connection.getresponse()
                response.read()
                (firsts if position == 0 else seconds).append(time.perf_counter() - started)
                connection.close()
                if response.status != 200:
                    raise SystemExit(f"lookup answered HTTP {response.status}")
    finally:
        server.terminate()
        server.wait(timeout=30)
        shutil.rmtree(workdir, ignore_errors=True)
    return firsts, seconds, boots


def summary(values: list[float]) -> str:
    ms = sorted(v * 1000 for v in values)
    return (
        f"median {statistics.median(ms):7.1f} ms  min {ms[0]:7.1f}  max {ms[-1]:7.1f}"
        f"  ({', '.join(f'{v:.0f}' for v in ms)})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=5, help="Fresh workers per setting.")
    parser.add_argument("--points", type=int, default=1000, help="Points per batch (<= 1000).")
    args = parser.parse_args()
    boundaries_ensure()
    print(
        f"gunicorn <app> --workers 1 --worker-class sync --max-requests 2, "
        f"Unix socket; POST /api/v1/geo/lookup with {args.points} points; "
        f"{args.rounds} fresh workers each; "
        f"DATABASE_URL={os.environ.get('DATABASE_URL', '(default)')}"
    )
    for label, app, warm in APPS:
        firsts, seconds, boots = measure(
            app=app, warm_seconds=warm, rounds=args.rounds, points=args.points
        )
        print(f"{label}")
        print(f"  first batch lookup   {summary(firsts)}")
        print(f"  second batch lookup  {summary(seconds)}")
        print(f"  worker boot          {summary(boots)}")


if __name__ == "__main__":
    main()
