"""Soak: mixed traffic against `make run` for --minutes; memory and connections must level off.

Traffic, all through nginx as phones and the console would send it:
- residents (--residents bench people, API tokens) file road-damage reports
  with a photo, read their cases and rate resolved ones;
- the demo officer of commune A (+84900000003) works the queue through the
  API: accept, start, reply, internal note, resolve with an "after" photo;
- --sockets WebSockets held open the whole time by a separate client process
  (answering pings, counting frames): residents' inbox and case sockets and
  the officer's queue sockets; --churn of them are closed and reopened every
  minute, so a leak on disconnect shows too.

Every --sample-seconds (60) it samples every process the stack started
(gunicorn master and workers, uvicorn processes, the delivery worker, nginx
master and workers, redis-server, PostgreSQL: the postmaster and all its
backends as one sum of their private heap, RssAnon, since backends come and go
and their RSS counts the shared buffers they have touched, which fill up to
shared_buffers as the tables grow and are no leak), from /proc: RSS and open
descriptors; and Redis `INFO clients`, PostgreSQL
pg_stat_activity (client backends). It prints one row a minute, then the
least-squares slope of each series over the second half, and, once every
socket has closed (all at once, as when a network blip or a reload drops them),
the connections and descriptors against the counts before the first opened (the first half is
warm-up: imports, caches, the allocator's arenas, the case tables growing
into shared buffers).

A leak, and exit 1, when over that second half:
- a process's RSS grows by slope x the whole run > 10 % of its RSS at the
  start of the second half AND > 5 MiB. A healthy Python process levels off
  after warm-up, and its RSS moves by a few hundred KiB either way as arenas
  are reused; 5 MiB keeps the small processes (nginx, 2-10 MiB) from failing
  on noise, 10 % keeps the big ones (gunicorn workers, ~130 MiB) from failing
  on a one-off cache; a real leak of a few KiB per request grows far beyond
  both at the traffic here (~7,000 requests in 30 minutes).
- a connection count (Redis clients, PostgreSQL client backends) ends above
  the highest count of the first half by more than --connection-slack (3),
  with a rising slope; so do the descriptors of each program (all gunicorn,
  all uvicorn, all nginx processes together: nginx hands sockets to its
  processes in turn, so one process's share moves with the churn) by more
  than the slack or 1 % of the peak. Connections are pooled per process and
  thread, so their count is bounded once every thread has been busy once; a
  leak (one per socket, per request) keeps climbing.
- once every socket has closed (and --settle seconds), nginx's or uvicorn's
  descriptors (uvicorn serves only the sockets; its Redis connections are
  descriptors too) stay above their count before the first socket opened by
  more than the slack or 1 %: whatever a socket took must be given back.
  Redis clients and PostgreSQL backends are shown beside them.
Runs shorter than 10 minutes print the slopes but judge nothing (too few
samples after warm-up).

    .venv/bin/python bench/soak.py --minutes 30 --sockets 1000 --rate 4

Like bench/retry_storm.py, the requests all come from 127.0.0.1: the server
must run with the per-IP abuse limits off (XADESK_RATE_*=off; the bench prints
what the server was started with). Uses DATABASE_URL (default: the `make run`
one) to make the bench people and their API tokens, and the pid files under
--run-dir to find the processes.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import http.client
import io
import json
import multiprocessing as mp
import os
import queue
import random
import resource
import sys
import threading
import time
import uuid
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DJANGO_DEBUG", "true")

import django  # noqa: E402

django.setup()

import redis  # noqa: E402
from django.conf import settings  # noqa: E402
from django.contrib.gis.db.models.functions import PointOnSurface  # noqa: E402
from django.db import connection, connections  # noqa: E402
from PIL import Image, ImageDraw  # noqa: E402

from accounts.auth import api_token_create, api_token_revoke  # noqa: E402
from accounts.models import User  # noqa: E402
from geo.models import Boundary  # noqa: E402
from helpdesk.demo import COMMUNE_A  # noqa: E402
from helpdesk.filing import CaseDraft, case_submit  # noqa: E402

BENCH_PHONES = "+849861"  # + 5 digits: this bench's residents
OFFICER_PHONE = "+84900000003"  # demo officer, commune A, economy/infrastructure
SERVICE = "road_damage"  # routed to that officer's department; resolving needs a photo
MIB = 1024


# --- processes ----------------------------------------------------------------------


def children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError, IndexError):
                stat = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                if int(stat[1]) == pid:
                    found.append(int(entry.name))
    return sorted(found)


def cmdline(pid: int) -> str:
    try:
        return (Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ")).decode()
    except OSError:
        return ""


def read_pid(path: Path) -> int | None:
    with contextlib.suppress(OSError, ValueError):
        return int(path.read_text().split()[0])
    return None


def stack_processes(run_dir: Path) -> dict[str, list[int]]:
    """Label -> pids: one pid each, except "postgres" (the postmaster and every backend)."""
    found: dict[str, list[int]] = {}
    pids = [int(p) for p in (run_dir / "serve.pids").read_text().split()[1:]]
    uvicorns = 0
    for pid in pids:
        command = cmdline(pid)
        if "gunicorn" in command:
            found["gunicorn"] = [pid]
            for n, worker in enumerate(children(pid), 1):
                found[f"gunicorn.w{n}"] = [worker]
        elif "uvicorn" in command:
            uvicorns += 1
            found[f"uvicorn.{uvicorns}"] = [pid]
        elif "run_delivery_worker" in command:
            found["delivery"] = [pid]
        elif command.startswith("nginx"):
            found["nginx"] = [pid]
            for n, worker in enumerate(children(pid), 1):
                found[f"nginx.w{n}"] = [worker]
    if redis_pid := read_pid(run_dir / "redis" / "redis.pid"):
        found["redis"] = [redis_pid]
    if postmaster := read_pid(run_dir / "pg" / "data" / "postmaster.pid"):
        found["postgres"] = [postmaster]
    return found


def memory_kib(pid: int, field: str = "VmRSS") -> int:
    """A memory figure of /proc/<pid>/status: VmRSS, or RssAnon (private heap only)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def descriptors(pid: int) -> int:
    try:
        return len(os.listdir(f"/proc/{pid}/fd"))
    except OSError:
        return 0


def redis_clients(client: redis.Redis) -> int:
    return int(client.info("clients")["connected_clients"])


def pg_client_backends() -> int:
    with connection.cursor() as cursor:
        # Our own connection is one of them; the figure is the server's own
        # plus this bench's one, the same in every sample.
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend'"
        )
        return int(cursor.fetchone()[0])


@dataclass
class Sample:
    minute: float
    memory: dict[str, int]  # KiB
    fds: dict[str, int]
    pids: dict[str, int]
    counts: dict[str, int]


def sample(
    minute: float, run_dir: Path, redis_client: redis.Redis, stats: dict[str, int]
) -> Sample:
    memory, fds, pids = {}, {}, {}
    for label, (pid, *_rest) in stack_processes(run_dir).items():
        if label == "postgres":
            group = [pid, *children(pid)]
            memory[label] = sum(memory_kib(p, "RssAnon") for p in group)
            fds[label] = len(group)  # processes: the postmaster, helpers, backends
        else:
            memory[label] = memory_kib(pid)
            fds[label] = descriptors(pid)
        pids[label] = pid
    counts = {
        "fds": sum(n for label, n in fds.items() if label != "postgres"),
        "redis clients": redis_clients(redis_client),
        "pg backends": pg_client_backends(),
        **stats,
    }
    return Sample(minute=minute, memory=memory, fds=fds, pids=pids, counts=counts)


def slope(points: Sequence[tuple[float, float]]) -> float:
    """Least-squares slope of y over x."""
    n = len(points)
    mean_x = sum(x for x, _ in points) / n
    mean_y = sum(y for _, y in points) / n
    var = sum((x - mean_x) ** 2 for x, _ in points)
    if var == 0:
        return 0.0
    return sum((x - mean_x) * (y - mean_y) for x, y in points) / var


# --- WebSockets (a forked process, no Django) ---------------------------------------


def socket_holder(
    ws_base: str, plan: list[tuple[str, str]], churn: int, report: Any, stop: Any
) -> None:
    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, len(plan) * 2 + 1000), hard))
    asyncio.run(_hold(ws_base, plan, churn, report, stop))


async def _hold(
    ws_base: str, plan: list[tuple[str, str]], churn: int, report: Any, stop: Any
) -> None:
    from websockets.asyncio.client import connect

    stats: Counter[str] = Counter()
    opening = asyncio.Semaphore(50)  # handshakes in flight
    rng = random.Random(7)

    async def hold(path: str, bearer: str, until: asyncio.Event) -> None:
        async with opening:
            try:
                ws = await connect(
                    ws_base + path,
                    additional_headers={"Authorization": f"Bearer {bearer}"},
                    compression=None,
                    open_timeout=60,
                    max_queue=None,
                )
            except Exception as exc:  # noqa: BLE001 - counted and shown, the run goes on
                stats[f"connect failed: {type(exc).__name__}"] += 1
                return
        stats["opened"] += 1
        stats["open"] += 1
        try:
            reader = asyncio.ensure_future(_read(ws, stats))
            waiter = asyncio.ensure_future(until.wait())
            await asyncio.wait({reader, waiter}, return_when=asyncio.FIRST_COMPLETED)
            if not reader.done():
                reader.cancel()
                stats["closed by client"] += 1
            else:
                code = ws.close_code
                stats[f"closed by server ({code})"] += 1
            waiter.cancel()
            await ws.close()
        finally:
            stats["open"] -= 1

    stops = [asyncio.Event() for _ in plan]
    tasks = [
        asyncio.create_task(hold(path, bearer, ev))
        for (path, bearer), ev in zip(plan, stops, strict=True)
    ]
    loop = asyncio.get_running_loop()
    last_churn = time.monotonic()
    while not stop.is_set():
        await asyncio.sleep(1)
        report.put(dict(stats))
        if churn and time.monotonic() - last_churn >= 60:
            last_churn = time.monotonic()
            for i in rng.sample(range(len(plan)), churn):
                stops[i].set()
                stops[i] = asyncio.Event()
                tasks.append(asyncio.create_task(hold(*plan[i], stops[i])))
        tasks = [t for t in tasks if not t.done()]
    for ev in stops:
        ev.set()
    await asyncio.wait(tasks, timeout=30)
    report.put(dict(stats))
    del loop


async def _read(ws: Any, stats: Counter[str]) -> None:
    with contextlib.suppress(Exception):
        async for _message in ws:
            stats["frames"] += 1


# --- HTTP traffic -----------------------------------------------------------------


def photo(rng: random.Random) -> bytes:
    """A 1280x960 JPEG of ~200 KB, different every time."""
    base = Image.linear_gradient("L").resize((1280, 960)).convert("RGB")
    image = Image.blend(base, Image.effect_noise((1280, 960), 30).convert("RGB"), 0.25)
    draw = ImageDraw.Draw(image)
    for _ in range(8):
        x, y = rng.randrange(1200), rng.randrange(900)
        colour = (rng.randrange(256), rng.randrange(256), rng.randrange(256))
        draw.rectangle((x, y, x + rng.randrange(40, 300), y + rng.randrange(40, 200)), colour)
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=80)
    return buffer.getvalue()


def multipart(fields: dict[str, str], photos: list[bytes]) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
        for k, v in fields.items()
    ]
    parts += [
        f'--{boundary}\r\nContent-Disposition: form-data; name="photos"; filename="p{n}.jpg"\r\n'
        f"Content-Type: image/jpeg\r\n\r\n".encode()
        + data
        + b"\r\n"
        for n, data in enumerate(photos)
    ]
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


@dataclass
class Cases:
    """Case numbers by state, as the traffic moved them (the officer's to-do list)."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    by_state: dict[str, list[str]] = field(default_factory=dict)
    reporter: dict[str, str] = field(default_factory=dict)

    def put(self, number: str, state: str) -> None:
        with self.lock:
            self.by_state.setdefault(state, []).append(number)

    def take(self, state: str, rng: random.Random) -> str | None:
        with self.lock:
            numbers = self.by_state.get(state) or []
            if not numbers:
                return None
            return numbers.pop(rng.randrange(len(numbers)))

    def peek(self, states: tuple[str, ...], rng: random.Random) -> str | None:
        with self.lock:
            numbers = [n for s in states for n in self.by_state.get(s, [])]
            return rng.choice(numbers) if numbers else None


class Traffic:
    """--rate requests a second from --http-clients threads, each on a kept-alive connection."""

    def __init__(
        self, args: argparse.Namespace, residents: list[str], officer: str, lat: float, lon: float
    ) -> None:
        url = urlsplit(args.url)
        self.host, self.port = url.hostname or "127.0.0.1", url.port or 80
        self.rate = args.rate
        self.residents = residents
        self.officer_bearer = officer
        self.place = {"lat": f"{lat:.6f}", "lon": f"{lon:.6f}"}
        self.cases = Cases()
        self.stats: Counter[str] = Counter()
        self.lock = threading.Lock()
        self.jobs: queue.Queue[str | None] = queue.Queue()
        self.threads = [
            threading.Thread(target=self.worker, args=(n,), daemon=True)
            for n in range(args.http_clients)
        ]
        self.stopping = threading.Event()
        self.photos = [photo(random.Random(n)) for n in range(16)]

    def start(self) -> None:
        for thread in self.threads:
            thread.start()
        threading.Thread(target=self.dispatch, daemon=True).start()

    def stop(self) -> None:
        self.stopping.set()
        for _ in self.threads:
            self.jobs.put(None)
        for thread in self.threads:
            thread.join(120)

    def dispatch(self) -> None:
        """Poisson arrivals at --rate a second, whatever the answers' speed."""
        rng = random.Random(1)
        kinds = ["file", "officer", "officer", "resident_read", "officer_read"]
        while not self.stopping.is_set():
            time.sleep(rng.expovariate(self.rate))
            if self.jobs.qsize() > self.rate * 30:
                with self.lock:
                    self.stats["skipped (server behind)"] += 1
                continue
            self.jobs.put(rng.choice(kinds))

    def worker(self, n: int) -> None:
        rng = random.Random(100 + n)
        conn = http.client.HTTPConnection(self.host, self.port, timeout=120)
        while (job := self.jobs.get()) is not None:
            try:
                status = getattr(self, job)(conn, rng)
            except (OSError, http.client.HTTPException) as exc:
                conn.close()
                conn = http.client.HTTPConnection(self.host, self.port, timeout=120)
                status = type(exc).__name__
            with self.lock:
                self.stats["requests"] += 1
                self.stats[f"status {status}"] += 1

    def call(
        self,
        conn: http.client.HTTPConnection,
        method: str,
        path: str,
        bearer: str,
        body: bytes | None = None,
        content_type: str = "application/json",
    ) -> tuple[int, Any]:
        headers = {"Authorization": f"Bearer {bearer}", "Accept-Language": "en"}
        if body is not None:
            headers["Content-Type"] = content_type
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        raw = response.read()
        try:
            return response.status, json.loads(raw) if raw else None
        except ValueError:
            return response.status, None

    def file(self, conn: http.client.HTTPConnection, rng: random.Random) -> int:
        bearer = rng.choice(self.residents)
        body, content_type = multipart(
            {
                "service": SERVICE,
                "description": f"Soak: ổ gà {uuid.uuid4().hex[:8]}",
                "location_source": "gps",
                **self.place,
            },
            [rng.choice(self.photos)],
        )
        status, answer = self.call(
            conn, "POST", "/api/v1/reports/cases", bearer, body, content_type
        )
        if status == 201:
            number = answer["case"]["number"]
            self.cases.put(number, "new")
            with self.cases.lock:
                self.cases.reporter[number] = bearer
        return status

    def officer_read(self, conn: http.client.HTTPConnection, rng: random.Random) -> int:
        if rng.random() < 0.5:
            return self.call(
                conn, "GET", "/api/v1/helpdesk/cases?status=new&limit=20", self.officer_bearer
            )[0]
        number = self.cases.peek(("new", "accepted", "in_progress"), rng)
        if number is None:
            return self.call(conn, "GET", "/api/v1/helpdesk/cases?limit=20", self.officer_bearer)[0]
        return self.call(conn, "GET", f"/api/v1/helpdesk/cases/{number}", self.officer_bearer)[0]

    def resident_read(self, conn: http.client.HTTPConnection, rng: random.Random) -> int:
        number = self.cases.peek(("new", "accepted", "in_progress", "resolved"), rng)
        if number is None or rng.random() < 0.3:
            return self.call(
                conn, "GET", "/api/v1/helpdesk/cases?limit=20", rng.choice(self.residents)
            )[0]
        bearer = self.cases.reporter.get(number, rng.choice(self.residents))
        return self.call(conn, "GET", f"/api/v1/helpdesk/cases/{number}", bearer)[0]

    def officer(self, conn: http.client.HTTPConnection, rng: random.Random) -> int:
        """Move one case on: accept, start, reply/note, resolve (with an after photo)."""
        base = "/api/v1/helpdesk/cases"
        step = rng.choice(("accept", "start", "message", "resolve"))
        if step == "accept" and (number := self.cases.take("new", rng)):
            status, _ = self.call(
                conn, "POST", f"{base}/{number}/accept", self.officer_bearer, b"{}"
            )
            self.cases.put(number, "accepted" if status == 200 else "new")
            return status
        if step == "start" and (number := self.cases.take("accepted", rng)):
            status, _ = self.call(conn, "POST", f"{base}/{number}/start", self.officer_bearer)
            self.cases.put(number, "in_progress" if status == 200 else "accepted")
            return status
        if step == "resolve" and (number := self.cases.take("in_progress", rng)):
            body, content_type = multipart({"body": "Đã vá xong."}, [rng.choice(self.photos)])
            status, _ = self.call(
                conn, "POST", f"{base}/{number}/resolve", self.officer_bearer, body, content_type
            )
            self.cases.put(number, "resolved" if status == 200 else "in_progress")
            return status
        number = self.cases.peek(("new", "accepted", "in_progress"), rng)
        if number is None:
            return self.call(conn, "GET", f"{base}?limit=20", self.officer_bearer)[0]
        kind = rng.choice(("reply", "note"))
        body, content_type = multipart({"body": f"Soak {kind} {uuid.uuid4().hex[:6]}"}, [])
        return self.call(
            conn, "POST", f"{base}/{number}/{kind}", self.officer_bearer, body, content_type
        )[0]


# --- setup and report ----------------------------------------------------------


def server_rate_limits(run_dir: Path) -> str:
    pid = read_pid(run_dir / "gunicorn.pid")
    try:
        environ = Path(f"/proc/{pid}/environ").read_bytes()
    except OSError:
        return "unknown (gunicorn's environment is not readable)"
    pairs = [p.decode() for p in environ.split(b"\0") if p.startswith(b"XADESK_RATE_")]
    return ", ".join(sorted(pairs)) or "the defaults (no XADESK_RATE_* set)"


def place() -> tuple[float, float]:
    boundary = (
        Boundary.objects.filter(unit__code=COMMUNE_A)
        .annotate(inside=PointOnSurface("geom"))
        .order_by("-pk")
        .first()
    )
    assert boundary is not None, "load the demo data first (make run)"
    return boundary.inside.y, boundary.inside.x


def socket_plan(
    sockets: int,
    residents: list[User],
    bearers: dict[int, str],
    officer_bearer: str,
    lat: float,
    lon: float,
) -> list[tuple[str, str]]:
    """Half inbox sockets, ~45 % case sockets on the residents' own cases, 5 % officer queue."""
    followed = {
        person.pk: case_submit(
            reporter=person,
            draft=CaseDraft(
                service_code="streetlight_out", description="Soak: đèn đường hỏng", lat=lat, lon=lon
            ),
        ).ticket.number
        for person in residents
    }
    plan = []
    for n in range(sockets):
        if n % 20 == 0:
            plan.append(("/ws/queue/", officer_bearer))
            continue
        person = residents[n % len(residents)]
        if n % 2:
            plan.append(("/ws/inbox/", bearers[person.pk]))
        else:
            plan.append((f"/ws/cases/{followed[person.pk]}/", bearers[person.pk]))
    return plan


def main() -> int:
    port = os.environ.get("XADESK_PORT", "8000")
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default=f"http://127.0.0.1:{port}")
    parser.add_argument("--minutes", type=float, default=30)
    parser.add_argument("--sockets", type=int, default=1000)
    parser.add_argument("--rate", type=float, default=4.0, help="HTTP requests a second")
    parser.add_argument("--http-clients", type=int, default=8)
    parser.add_argument("--residents", type=int, default=200)
    parser.add_argument(
        "--churn", type=int, default=20, help="sockets closed and reopened every minute"
    )
    parser.add_argument("--sample-seconds", type=float, default=60)
    parser.add_argument("--connection-slack", type=int, default=3)
    parser.add_argument(
        "--pool-size",
        type=int,
        default=int(os.environ.get("REDIS_MAX_CONNECTIONS", "16")),
        help="the channel layer's connections per event loop (REDIS_MAX_CONNECTIONS): "
        "each uvicorn may keep that many open after a burst, reused, not leaked",
    )
    parser.add_argument(
        "--settle", type=float, default=15, help="seconds after the sockets close, before counting"
    )
    parser.add_argument("--run-dir", type=Path, default=ROOT / ".run")
    args = parser.parse_args()

    officer = User.objects.get(phone=OFFICER_PHONE)
    residents = [
        User.objects.get_or_create(
            phone=f"{BENCH_PHONES}{n:05d}", defaults={"full_name": f"Soak {n}"}
        )[0]
        for n in range(args.residents)
    ]
    bearers = {person.pk: api_token_create(user=person) for person in residents}
    officer_bearer = api_token_create(user=officer)
    lat, lon = place()
    plan = socket_plan(args.sockets, residents, bearers, officer_bearer, lat, lon)
    redis_client = redis.Redis.from_url(settings.REDIS_URL)
    url = urlsplit(args.url)
    ws_base = f"ws://{url.hostname}:{url.port or 80}"

    print(
        f"soak: {args.url}, --minutes {args.minutes:g} --sockets {args.sockets} "
        f"--rate {args.rate:g} --http-clients {args.http_clients} --residents {args.residents} "
        f"--churn {args.churn} --sample-seconds {args.sample_seconds:g}"
    )
    print(f"  server abuse limits: {server_rate_limits(args.run_dir)}", flush=True)

    # Before any socket: what the counts must come back to once all have closed.
    baseline = sample(0.0, args.run_dir, redis_client, {})
    connections.close_all()  # no database socket shared with the child
    ctx = mp.get_context("fork")
    report, stop = ctx.Queue(), ctx.Event()
    holder = ctx.Process(target=socket_holder, args=(ws_base, plan, args.churn, report, stop))
    holder.start()
    ws_stats: dict[str, int] = {}

    def ws_now() -> dict[str, int]:
        nonlocal ws_stats
        with contextlib.suppress(queue.Empty):
            while True:
                ws_stats = report.get_nowait()
        return ws_stats

    # Wait for the sockets before the clock starts: the soak is of a full house.
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        time.sleep(1)
        stats = ws_now()
        settled = stats.get("opened", 0) + sum(v for k, v in stats.items() if "failed" in k)
        if settled >= args.sockets:
            break
    print(f"  sockets: {ws_now()}", flush=True)

    traffic = Traffic(args, [bearers[p.pk] for p in residents], officer_bearer, lat, lon)
    samples: list[Sample] = []
    start = time.monotonic()
    traffic.start()
    totals = Counter[str]()  # the previous sample's running totals
    try:
        while True:
            minute = (time.monotonic() - start) / 60
            with traffic.lock:
                now = Counter(
                    requests=traffic.stats["requests"],
                    errors=sum(
                        n
                        for k, n in traffic.stats.items()
                        if k.startswith("status ") and not k[7:].startswith("2")
                    ),
                )
            ws = ws_now()
            now["ws frames"] = ws.get("frames", 0)
            per_minute = {k: now[k] - totals[k] for k in ("requests", "errors", "ws frames")}
            totals = now
            s = sample(
                minute, args.run_dir, redis_client, {"ws open": ws.get("open", 0), **per_minute}
            )
            samples.append(s)
            labels = list(samples[0].memory)
            if len(samples) == 1:
                print(
                    "\nRSS MiB (postgres: RssAnon of the postmaster and every backend); fds: "
                    "descriptors of all but postgres; "
                    "requests, errors (not 2xx) and frames received since the last row"
                )
                print("| minute | " + " | ".join(labels + list(s.counts)) + " |")
                print("|" + "---:|" * (1 + len(labels) + len(s.counts)))
            print(
                f"| {minute:.1f} | "
                + " | ".join(f"{s.memory[k] / MIB:.1f}" if k in s.memory else "-" for k in labels)
                + " | "
                + " | ".join(str(v) for v in s.counts.values())
                + " |",
                flush=True,
            )
            if minute >= args.minutes:
                break
            time.sleep(max(0.0, start + len(samples) * args.sample_seconds - time.monotonic()))
    finally:
        traffic.stop()
        stop.set()
        holder.join(60)
        if holder.is_alive():
            holder.kill()
        for key in [*bearers.values(), officer_bearer]:
            api_token_revoke(key=key)

    print(
        "\nrequests by answer: " + ", ".join(f"{k} {n}" for k, n in sorted(traffic.stats.items()))
    )
    print("sockets: " + ", ".join(f"{k} {n}" for k, n in sorted(ws_now().items())))
    time.sleep(args.settle)
    after = sample(samples[-1].minute, args.run_dir, redis_client, {})
    failed = verdict(samples, args)
    return 1 if released(baseline, samples[-1], after, args) or failed else 0


def released(baseline: Sample, last: Sample, after: Sample, args: argparse.Namespace) -> bool:
    """Whether connections and descriptors stay held once every socket has closed."""
    print(
        f"\nonce every socket had closed (all at once, then {args.settle:g} s), against "
        "before the first was opened:"
    )
    print("| count | before the sockets | last sample | after they closed |")
    print("|---|---:|---:|---:|")
    held = []

    def row(name: str, value: Any, *, judged: bool, pool: int = 0) -> None:
        before, end, now = value(baseline), value(last), value(after)
        keep = judged and now > before + pool + max(args.connection_slack, before // 100)
        if keep:
            held.append(name)
        print(f"| {name} | {before} | {end} | {now}{' HELD' if keep else ''} |")

    # Judged: the programs on the sockets' path only (nginx, then uvicorn,
    # which serves nothing but /ws/ and holds its channel-layer connections
    # to Redis as descriptors). Redis clients and PostgreSQL backends are
    # shown: the HTTP traffic's pooled connections are among them too.
    row("redis clients", lambda s: s.counts["redis clients"], judged=False)
    row("pg backends", lambda s: s.counts["pg backends"], judged=False)
    # A uvicorn keeps up to --pool-size Redis connections per process once a
    # burst has opened them (core/channel_layer.py bounds the pool): reused by
    # the next burst, so allowed here; more than that is held, a leak.
    uvicorns = sum(1 for label in baseline.fds if label.split(".")[0] == "uvicorn")
    print(f"(allowed: {args.pool_size} pooled Redis connections × {uvicorns} uvicorn)")
    for program in sorted({label.split(".")[0] for label in baseline.fds} - {"postgres"}):
        row(
            f"{program} descriptors",
            lambda s, p=program: sum(n for k, n in s.fds.items() if k.split(".")[0] == p),
            judged=program in ("nginx", "uvicorn"),
            pool=args.pool_size * uvicorns if program == "uvicorn" else 0,
        )
    print("held after the sockets closed: " + (", ".join(held) if held else "none"))
    return bool(held)


def verdict(samples: list[Sample], args: argparse.Namespace) -> int:
    second = [s for s in samples if s.minute >= samples[-1].minute / 2]
    first = [s for s in samples if s.minute < samples[-1].minute / 2]
    judge = samples[-1].minute >= 10 and len(second) >= 5
    duration = samples[-1].minute
    failed = []
    print(
        f"\nslopes over the second half (minutes {second[0].minute:.1f}-{duration:.1f}, "
        f"{len(second)} samples), growth projected over the whole {duration:.0f} minutes:"
    )
    print(
        "| process | RSS start→end MiB | KiB/min | projected MiB "
        "| fds start→end (postgres: processes) | same pid |"
    )
    print("|---|---:|---:|---:|---:|---|")
    for label in samples[0].memory:
        points = [(s.minute, s.memory[label]) for s in second if label in s.memory]
        if len(points) < 2:
            continue
        per_min = slope(points)
        grow = per_min * duration
        start_kib = points[0][1]
        same = len({s.pids.get(label) for s in samples}) == 1
        leak = judge and same and grow > 0.10 * start_kib and grow > 5 * MIB
        if leak:
            failed.append(f"{label} RSS")
        fds = [s.fds.get(label, 0) for s in samples]
        rss = f"{samples[0].memory[label] / MIB:.1f}→{samples[-1].memory.get(label, 0) / MIB:.1f}"
        print(
            f"| {label} | {rss} | {per_min:+.1f} | {grow / MIB:+.1f}{' LEAK' if leak else ''} "
            f"| {fds[0]}→{fds[-1]} | {'yes' if same else 'RESTARTED'} |"
        )
    print("\n| descriptors of | start | first-half max | end | per min (second half) |")
    print("|---|---:|---:|---:|---:|")
    programs = sorted({label.split(".")[0] for label in samples[0].fds} - {"postgres"})
    for program in programs:

        def total(s: Sample, program: str = program) -> int:
            return sum(n for label, n in s.fds.items() if label.split(".")[0] == program)

        restarted = any(
            len({s.pids.get(label) for s in samples}) > 1
            for label in samples[0].pids
            if label.split(".")[0] == program
        )
        peak = max((total(s) for s in first), default=0)
        slack = max(args.connection_slack, peak // 100)
        leak = judge and not restarted and connection_leak(first, second, total, slack)
        if leak:
            failed.append(f"{program} descriptors")
        print(
            f"| {program} | {total(samples[0])} | {peak} | {total(samples[-1])} | "
            f"{slope([(s.minute, total(s)) for s in second]):+.2f}{' LEAK' if leak else ''} |"
        )
    print("\n| count | start | first-half max | end | per min (second half) |")
    print("|---|---:|---:|---:|---:|")
    for name in ("redis clients", "pg backends", "ws open"):
        points = [(s.minute, s.counts[name]) for s in second]
        leak = (
            judge
            and name != "ws open"
            and connection_leak(first, second, lambda s, n=name: s.counts[n], args.connection_slack)
        )
        if leak:
            failed.append(name)
        print(
            f"| {name} | {samples[0].counts[name]} | "
            f"{max((s.counts[name] for s in first), default=0)} | {samples[-1].counts[name]} | "
            f"{slope(points):+.2f}{' LEAK' if leak else ''} |"
        )
    if not judge:
        print("\nshorter than 10 minutes (or under 5 samples after warm-up): nothing judged")
        return 0
    print("\nleak: " + (", ".join(failed) if failed else "none"))
    return 1 if failed else 0


def connection_leak(first: list[Sample], second: list[Sample], value: Any, slack: int) -> bool:
    """Ends above the first half's highest by more than the slack, still rising."""
    if not first or len(second) < 2:
        return False
    peak = max(value(s) for s in first)
    rising = slope([(s.minute, value(s)) for s in second]) > 0
    return bool(value(second[-1]) > peak + slack and rising)


if __name__ == "__main__":
    sys.exit(main())
