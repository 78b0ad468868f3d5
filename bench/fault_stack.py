"""What the fault-injection benches share: guards, the stack's processes, bench people.

The benches (bench/pg_restart.py, bench/redis_restart.py) break the private
PostgreSQL or Redis that `make run` started under a ``.run`` folder, and only
those: before touching a server they check that its pid file lies in that
folder and that the process listening on the given port is the one the pid
file names. Bench people and cases are written through the ORM (DATABASE_URL,
default: the `make run` database); the load itself goes over HTTP and
WebSockets through nginx, as a phone's would.
"""

from __future__ import annotations

import io
import json
import logging
import os
import random
import subprocess
import sys
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DJANGO_DEBUG", "true")

import django  # noqa: E402

django.setup()

import httpx  # noqa: E402
from django.contrib.gis.db.models.functions import PointOnSurface  # noqa: E402
from django.db import close_old_connections  # noqa: E402
from PIL import Image  # noqa: E402

from accounts.auth import api_token_create  # noqa: E402
from accounts.models import Role, RoleAssignment, User  # noqa: E402
from geo.models import Boundary  # noqa: E402
from helpdesk.models import Department, Service  # noqa: E402

# One line per request from httpx drowns the figures.
logging.getLogger("httpx").setLevel(logging.WARNING)

DEFAULT_URL = f"http://127.0.0.1:{os.environ.get('XADESK_PORT', '8000')}"
DEFAULT_RUN = ROOT / ".run"
# How the bench tells an answer apart (Tally.add).
OK, OUTAGE_503, CLIENT_4XX, BAD_503, OTHER_5XX, CONN_ERROR = (
    "2xx",
    "503 ok",
    "4xx",
    "503 malformed",
    "other 5xx",
    "connection error",
)
FAILURES = (BAD_503, OTHER_5XX)


class Refused(SystemExit):
    """The bench will not touch this server: it is not the one of the given .run folder."""


# --- which servers may be broken ----------------------------------------------


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def pg_guard(run_dir: Path, database_url: str) -> Path:
    """The data folder of the private PostgreSQL that serves ``database_url``, or refuse."""
    data = (run_dir / "pg" / "data").resolve()
    pid_file = data / "postmaster.pid"
    if not pid_file.is_file():
        raise Refused(f"No {pid_file}: is `make run`'s PostgreSQL running from {run_dir}?")
    lines = pid_file.read_text().splitlines()
    pid, port = int(lines[0]), int(lines[3])
    wanted = urlparse(database_url).port or 5432
    if port != wanted or not pid_alive(pid):
        raise Refused(
            f"{pid_file} names pid {pid} on port {port}; DATABASE_URL uses port {wanted}: "
            "refusing to restart a server this .run folder did not start."
        )
    if not Path(lines[1]).resolve() == data:
        raise Refused(f"{pid_file} is for {lines[1]}, not {data}")
    return data


def pg_ctl(data: Path, *args: str) -> None:
    """pg_ctl on the private cluster, as its owner (as scripts/stop.sh runs it)."""
    binary = f"/usr/lib/postgresql/{(data / 'PG_VERSION').read_text().strip()}/bin/pg_ctl"
    command = [binary, "-D", str(data), *args]
    if os.geteuid() == 0:
        command = ["runuser", "-u", "postgres", "--", *command]
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)


def pg_start_options(data: Path) -> str:
    """The -o options the cluster was started with (pg_ctl restart reuses them itself)."""
    import shlex

    words = shlex.split((data / "postmaster.opts").read_text())[1:]
    options: list[str] = []
    skip = False
    for word in words:
        if skip:
            skip = False
        elif word == "-D":
            skip = True
        else:
            options.append(word)
    return shlex.join(options)


def redis_guard(run_dir: Path, port: int) -> tuple[int, dict[str, str]]:
    """The pid and configuration of the private Redis on ``port``, or refuse."""
    import redis

    pid_file = (run_dir / "redis" / "redis.pid").resolve()
    if not pid_file.is_file():
        raise Refused(f"No {pid_file}: is `make run`'s Redis running from {run_dir}?")
    text = pid_file.read_text().strip()
    if not text.isdigit():  # being written by a Redis that is starting
        raise Refused(f"{pid_file} holds no pid")
    pid = int(text)
    client = redis.Redis(host="127.0.0.1", port=port, socket_timeout=2)
    info = client.info("server")
    config = {
        key: str(value)
        for key, value in client.config_get("*").items()
        if key in ("bind", "port", "save", "appendonly", "pidfile", "logfile", "dir", "daemonize")
    }
    client.close()
    if int(info["process_id"]) != pid or not pid_alive(pid):
        raise Refused(
            f"Redis on port {port} is pid {info['process_id']}; {pid_file} names {pid}: "
            "refusing to kill a server this .run folder did not start."
        )
    if Path(config["pidfile"]).resolve() != pid_file:
        raise Refused(f"Redis on port {port} writes its pid to {config['pidfile']}, not {pid_file}")
    return pid, config


def redis_start(config: dict[str, str]) -> None:
    """Start Redis again with the options it ran with (scripts/provision.sh's)."""
    command = ["redis-server"]
    for key in ("bind", "port", "save", "appendonly", "pidfile", "logfile", "dir"):
        command += [f"--{key}", config[key]]
    command += ["--daemonize", "yes"]
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)


# --- the app's processes ------------------------------------------------------------


def serve_processes(run_dir: Path) -> dict[int, str]:
    """The processes scripts/serve.sh started (.run/serve.pids), by pid, with their role."""
    pids_file = run_dir / "serve.pids"
    if not pids_file.is_file():
        raise SystemExit(f"No {pids_file}: start the stack with `make run` first.")
    roles: dict[int, str] = {}
    for line in pids_file.read_text().split():
        pid = int(line)
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            roles[pid] = "gone already"
            continue
        for needle, role in (
            ("gunicorn", "gunicorn"),
            ("uvicorn", "uvicorn"),
            ("run_delivery_worker", "delivery worker"),
            ("nginx", "nginx"),
            ("serve.sh", "serve.sh"),
        ):
            if needle in cmdline:
                roles[pid] = role
                break
        else:
            roles[pid] = cmdline[:60]
    return roles


def processes_gone(before: dict[int, str]) -> list[str]:
    return [f"{role} (pid {pid})" for pid, role in before.items() if not pid_alive(pid)]


# --- bench people and filings ---------------------------------------------------------


@dataclass
class Place:
    service: str
    lat: float
    lon: float
    province_id: int


@dataclass
class People:
    officer_token: str
    reporter_tokens: list[str]
    place: Place


def bench_place() -> Place:
    """A service and a point that route a filing to an active department of Thái Nguyên."""
    close_old_connections()
    departments = Department.objects.filter(is_active=True).select_related("commune")
    for department in departments.order_by("pk"):
        service = Service.objects.filter(
            is_active=True, department_type=department.department_type, after_photo_required=False
        ).first()
        if service is None:
            continue
        boundary = (
            Boundary.objects.filter(unit=department.commune, valid_to__isnull=True)
            .annotate(inside=PointOnSurface("geom"))
            .first()
        )
        if boundary is None or department.commune.parent_id is None:
            continue
        return Place(
            service.code, boundary.inside.y, boundary.inside.x, department.commune.parent_id
        )
    raise SystemExit("No active department with a service: load the demo data (make run).")


def bench_people(*, reporters: int, tag: str) -> People:
    """An officer of the whole province (so any bench case is theirs) and residents, with tokens."""
    place = bench_place()
    officer, _ = User.objects.get_or_create(
        phone="+84987000000", defaults={"full_name": "Bench officer"}
    )
    RoleAssignment.objects.get_or_create(
        user=officer, role=Role.PROVINCE_ADMIN, unit_id=place.province_id
    )
    tokens = []
    for i in range(reporters):
        resident, _ = User.objects.get_or_create(
            phone=f"+849870{i + 1:05d}", defaults={"full_name": f"Bench resident {i + 1}"}
        )
        tokens.append(api_token_create(user=resident))
    return People(api_token_create(user=officer), tokens, place)


def jpeg(seed: int) -> bytes:
    """A small real photo (noise, so every filing's bytes differ)."""
    rng = random.Random(seed)
    image = Image.new("RGB", (320, 240))
    image.putdata([(rng.randrange(256), rng.randrange(256), 128) for _ in range(320 * 240)])
    out = io.BytesIO()
    image.save(out, "JPEG", quality=80)
    return out.getvalue()


def new_key() -> str:
    return str(uuid.uuid4())


# --- answers -----------------------------------------------------------------------------


@dataclass
class Answer:
    sent: float
    done: float
    kind: str
    outcome: str
    status: int = 0
    detail: str = ""


def classify(response: httpx.Response) -> tuple[str, str]:
    """(outcome, detail) for one answer; a 503 counts as documented only with its full shape."""
    status = response.status_code
    if 200 <= status < 300:
        return OK, ""
    if 400 <= status < 500:
        return CLIENT_4XX, _code(response)
    if status == 503:
        retry_after = response.headers.get("Retry-After", "")
        if not retry_after.isdigit():
            return BAD_503, "no Retry-After"
        if response.request.url.path.startswith("/api/"):
            try:
                body = response.json()
            except json.JSONDecodeError:
                return BAD_503, "not JSON"
            # save_unconfirmed: a COMMIT cut off mid-answer whose outcome the
            # restarting server could not yet give (core/saving.py).
            if body.get("code") not in ("database_unavailable", "save_unconfirmed"):
                return BAD_503, f"body {str(body)[:80]}"
            if not body.get("message"):
                return BAD_503, "no message"
            return OUTAGE_503, body["code"]
        if "text/html" not in response.headers.get("Content-Type", ""):
            return BAD_503, "page not HTML"
        return OUTAGE_503, "page"
    return OTHER_5XX, f"{status} {response.text[:120]!r}"


def _code(response: httpx.Response) -> str:
    try:
        return f"{response.status_code} {response.json().get('code')}"
    except (json.JSONDecodeError, AttributeError):
        return str(response.status_code)


@dataclass
class Tally:
    answers: list[Answer] = field(default_factory=list)

    def add(self, answer: Answer) -> None:
        self.answers.append(answer)  # list.append is atomic under the GIL

    def counts(self, start: float = 0.0, end: float = float("inf")) -> Counter[str]:
        return Counter(a.outcome for a in self.answers if start <= a.sent < end)

    def failures(self) -> list[Answer]:
        return [a for a in self.answers if a.outcome in FAILURES]

    def first_ok_after(self, moment: float) -> Answer | None:
        oks = [a for a in self.answers if a.outcome == OK and a.sent >= moment]
        return min(oks, key=lambda a: a.done, default=None)


def request(
    client: httpx.Client, tally: Tally, kind: str, method: str, path: str, **kwargs: Any
) -> tuple[str, httpx.Response | None]:
    """One HTTP request, recorded; (outcome, response or None for a connection error)."""
    sent = time.time()
    try:
        response = client.request(method, path, **kwargs)
    except httpx.TransportError as exc:
        tally.add(Answer(sent, time.time(), kind, CONN_ERROR, 0, type(exc).__name__))
        return CONN_ERROR, None
    outcome, detail = classify(response)
    tally.add(Answer(sent, time.time(), kind, outcome, response.status_code, detail))
    return outcome, response


def retry_after(response: httpx.Response | None, cap: float) -> float:
    """How long a client waits before sending again: Retry-After, at most ``cap`` in a bench."""
    if response is None:
        return cap
    value = response.headers.get("Retry-After", "")
    return min(float(value), cap) if value.isdigit() else cap


def print_counts(title: str, counts: Counter[str]) -> None:
    order = (OK, OUTAGE_503, CLIENT_4XX, CONN_ERROR, BAD_503, OTHER_5XX)
    print(f"  {title:28}" + "  ".join(f"{name} {counts.get(name, 0):5}" for name in order))


def limits_hint(tally: Tally) -> None:
    """Say so when the stack's abuse limits, not the fault, refused the load."""
    limited = sum(1 for a in tally.answers if a.status == 429)
    if limited:
        print(f"  {limited} answers were 429: start the stack with XADESK_RATE_<ACTION>_"
              "<PERSON|IP>=off (README, Reliability benches)")  # fmt: skip
