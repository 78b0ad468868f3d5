"""`make run`'s nginx for tests: scripts/nginx.conf.in filled in as scripts/serve.sh
fills it in, the app's Unix sockets in a folder laid out as serve.sh lays it out,
and the nginx that provisioning installs."""

from __future__ import annotations

import grp
import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"


def run_folder() -> tuple[Path, Path]:
    """A run folder nginx's workers may read, and its sockets folder.

    nginx's workers run as nobody under root: the folders must be readable by
    others, which pytest's own temporary folders are not. The sockets folder
    is the one only nginx's workers (group nogroup) may enter, as serve.sh
    makes it; the caller removes the run folder.
    """
    run = Path(tempfile.mkdtemp(prefix="xadesk-nginx-"))
    run.chmod(0o755)
    (run / "nginx").mkdir()
    sockets = run / "sockets"
    sockets.mkdir()
    if os.geteuid() == 0:
        os.chown(sockets, 0, grp.getgrnam("nogroup").gr_gid)
        sockets.chmod(0o2750)
    else:
        sockets.chmod(0o700)  # nginx then runs as this same user
    return run, sockets


def unix_listens(path: Path, timeout: float = 0.2) -> bool:
    """Whether a server accepts on the Unix socket ``path`` (an app process
    behind nginx, as scripts/serve.sh starts them)."""
    with socket.socket(socket.AF_UNIX) as probe:
        probe.settimeout(timeout)
        try:
            probe.connect(str(path))
        except OSError:
            return False
        return True


def user_line() -> str:
    return "user nobody nogroup;" if os.geteuid() == 0 else ""


def make_run_config(
    *, run: Path, media: Path, sockets: Path, port: int, ws: tuple[str, ...] = ("ws-0.sock",)
) -> str:
    """scripts/nginx.conf.in, filled in as scripts/serve.sh fills it in."""
    config = (ROOT / "scripts" / "nginx.conf.in").read_text()
    for key, value in {
        "@PORT@": str(port),
        "@HTTP_SOCKET@": str(sockets / "http.sock"),
        "@WS_SERVERS@": "".join(f"server unix:{sockets / name}; " for name in ws),
        "@USER_LINE@": user_line(),
        "@RUN@": str(run),
        "@STATIC@": str(run / "static"),
        "@MEDIA@": str(media),
        "@NGINX_SHARED@": str(ROOT / "scripts"),
    }.items():
        config = config.replace(key, value)
    return config


def nginx_start(run: Path, config: str, port: int) -> subprocess.Popen[bytes]:
    """Start nginx on ``config``; return once it accepts on ``port``.

    Its messages go to ``run``/nginx/error.log, not a pipe: at thousands of
    sockets (bench/ws_fanout.py) a pipe nobody reads would fill and stop it.
    Raises RuntimeError with what nginx wrote if it exits or does not listen
    within 10 s.
    """
    conf = run / "nginx" / "nginx.conf"
    conf.write_text(config)
    log = run / "nginx" / "error.log"
    with log.open("wb") as out:
        command = [NGINX, "-p", str(run / "nginx"), "-c", str(conf), "-e", "stderr"]
        process = subprocess.Popen(command, stderr=out)  # noqa: S603
    deadline = time.monotonic() + 10
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return process
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                nginx_stop(process)
                raise RuntimeError(f"nginx did not start: {log.read_text()}") from None
            time.sleep(0.05)


def nginx_stop(process: subprocess.Popen[bytes]) -> None:
    """TERM, not KILL: the master stops the workers it forked. KILL if it has not
    gone in 30 s."""
    process.terminate()
    try:
        process.wait(30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(10)
