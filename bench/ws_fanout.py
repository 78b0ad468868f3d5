"""Fan-out of a committed case event to N open sockets: latency, memory and CPU.

Starts its own uvicorn (config.asgi, DEBUG off like `make run`) unless --url is
given, opens N sockets on one case as its reporter (session cookie) from
--clients separate client processes, then commits replies through the real
services and times each from the commit to its arrival on every socket
(CLOCK_REALTIME for the commit and the arrivals: one clock for all processes).

Reported per configuration (median and range over --repeat runs):
- p50/p99 ms from the commit to the arrival on each follower's socket (the
  kernel's receive timestamp, SO_TIMESTAMPNS), and to the client process
  reading it (which waits for a turn on the cores it shares with the server);
- KiB per idle socket: growth of the server's RSS (all its processes, from
  /proc) while the N sockets were opened, divided by N; a few warm-up sockets
  are opened and closed first so one-off imports are not counted;
- server CPU ms per event: user+system CPU of the server processes during the
  rounds, divided by the rounds; the client processes' CPU is shown apart.

Before the timed rounds, --warmup-rounds events (1) reach every socket: the
publisher's first push opens its Redis connection and loads the layer's script
(~25 ms, once per process). Their p99 is printed beside the figures, and a
delivery they lose is counted with the others.

    .venv/bin/python bench/ws_fanout.py --sockets 1000 5000 --layer core pubsub \
        --ws wsproto --deflate false --workers 1 2 --clients 2 --repeat 3

--workers 2 starts two uvicorn processes on two ports and spreads the sockets
over them in turn, as `make run` does behind nginx. The bench connects to
uvicorn directly unless --proxy nginx: then the uvicorn processes listen on
Unix sockets behind nginx with `make run`'s config (scripts/nginx.conf.in),
every socket goes through nginx, and nginx's processes count in the memory
and CPU figures. The kernel's socket buffers are in no figure (RSS only), so
the second connection nginx holds per socket costs more than shown.

The clients share the machine's two cores with the server. By default each
client process is woken by every frame, as a client that shares nothing would
be; --client-poll-ms 10 has them poll their sockets instead, so that a frame's
arrival wakes nobody and costs the server's cores what a follower on its own
phone would cost them (the kernel's receive stamp is taken either way).

Uses the database in DATABASE_URL (default: the `make run` one) and Redis in
REDIS_URL; writes one bench user and one case there. Latencies are upper bounds
for the server; the server CPU per event is the cost that does not depend on
the clients.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import contextlib
import itertools
import json
import multiprocessing as mp
import os
import resource
import shutil
import socket
import statistics
import struct
import subprocess
import sys
import tempfile
import time
from functools import partial
from importlib import import_module
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DJANGO_DEBUG", "true")
# The bench's officer replies once a round, hundreds of times an hour over a
# day of runs: past the per-person limit meant for people (200/h), which
# stopped a run on 2026-12-06. This process is the one that replies (with no
# address, so only the per-person limit applies to it).
os.environ.setdefault("XADESK_RATE_REPLY_PERSON", "off")

import django  # noqa: E402

django.setup()

from channels.layers import channel_layers  # noqa: E402
from django.conf import settings  # noqa: E402
from django.db import connections, transaction  # noqa: E402
from django.test import Client  # noqa: E402

from accounts.models import Role, RoleAssignment, User  # noqa: E402
from core.db_routing import PIN_COOKIE  # noqa: E402
from helpdesk import lifecycle  # noqa: E402
from helpdesk.filing import CaseDraft, case_submit  # noqa: E402
from helpdesk.models import Department, DepartmentMembership, Service, Ticket  # noqa: E402

# make run's nginx, filled in as scripts/serve.sh fills it in: the tests' helper,
# so the bench and the tests cannot put a different nginx in front.
from tests.nginx_site import (  # noqa: E402
    make_run_config,
    nginx_start,
    run_folder,
    unix_listens,
)

LAYERS = {
    "core": "channels_redis.core.RedisChannelLayer",
    "pubsub": "channels_redis.pubsub.RedisPubSubChannelLayer",
}
CLK_TCK = os.sysconf("SC_CLK_TCK")
CLIENT_NICE = 0  # --client-nice, read by the forked client processes
CLIENT_POLL_MS = 0  # --client-poll-ms, read by the forked client processes
# --stream: the case page's socket, or the inbox socket every signed-in page
# holds (its change reaches the follower as a new notification).
STREAMS = {"case": "/ws/cases/{number}/", "inbox": "/ws/inbox/"}
STREAM = "case"
HANDSHAKE = "browser"  # --handshake, read by the forked client processes

# What a phone's Chrome sends beside the bench's own handshake lines, captured
# from Chromium 131 (Android user agent) opening a socket to a listening port,
# with make run's cookies at their real lengths (csrftoken 32, sessionid 32,
# xadesk_primary 52 characters). The server keeps a socket's headers in its
# scope for as long as the socket is open, so a bare handshake (~250 bytes,
# the bench's before --handshake; ~700 with these) measured less memory per
# socket than a phone's socket costs.
BROWSER_HEADERS = {
    "Pragma": "no-cache",
    "Cache-Control": "no-cache",
    "User-Agent": "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Mobile Safari/537.36",
    "Accept-Language": "vi-VN,vi;q=0.9,en-US;q=0.8,en;q=0.7",
    "Accept-Encoding": "gzip, deflate, br, zstd",
    "Sec-WebSocket-Extensions": "permessage-deflate; client_max_window_bits",
}


def handshake_headers(session_key: str) -> dict[str, str]:
    """The headers a socket opened by the person of ``session_key`` sends."""
    session = f"{settings.SESSION_COOKIE_NAME}={session_key}"
    if HANDSHAKE == "bare":
        return {"Cookie": session}
    cookie = "; ".join(
        [
            f"{settings.CSRF_COOKIE_NAME}={'c' * 32}",
            session,
            f"{settings.LANGUAGE_COOKIE_NAME}=vi",
            f"{PIN_COOKIE}=1:{'p' * 50}",
        ]
    )
    return {**BROWSER_HEADERS, "Cookie": cookie}


def raise_fd_limit(need: int) -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < need:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(need, hard), hard))


def rss_kib(pids: list[int]) -> int:
    total = 0
    for p in pids:
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            pass
    return total


def cpu_seconds(pids: list[int]) -> float:
    total = 0
    for p in pids:
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / CLK_TCK


def setup_case() -> tuple[Ticket, User, str]:
    """A case with a department, its reporter's session and an officer to act."""
    department = Department.objects.filter(is_active=True).select_related("commune").first()
    assert department is not None, "load the demo data first (make run)"
    service = (
        Service.objects.filter(
            is_active=True, photo_required=False, department_type=department.department_type
        ).first()
        or Service.objects.filter(is_active=True, photo_required=False).first()
    )
    assert service is not None
    reporter, _ = User.objects.get_or_create(phone="+84989999001", defaults={"full_name": "Bench"})
    officer, _ = User.objects.get_or_create(phone="+84989999002", defaults={"full_name": "Bench O"})
    RoleAssignment.objects.get_or_create(user=officer, role=Role.OFFICER, unit=department.commune)
    DepartmentMembership.objects.get_or_create(user=officer, department=department)
    ticket = case_submit(
        reporter=reporter,
        draft=CaseDraft(
            service_code=service.code,
            description="bench",
            commune_code=department.commune.code,
        ),
    ).ticket
    if ticket.department_id != department.pk:
        ticket.department = department
        ticket.save(update_fields=["department"])
    client = Client()
    client.force_login(reporter)
    return ticket, officer, client.cookies[settings.SESSION_COOKIE_NAME].value


FOLLOWER_PHONES = 84_987_000_000  # +84987000001 ...: the bench's followers, kept between runs


def follower_cookies(ticket: Ticket, count: int) -> list[str]:
    """Sessions of ``count`` distinct residents who said "me too" on ``ticket``.

    Every socket of one session shares that session's entries on the server
    (core/socket_ends.py keeps sockets by credential and person): 10,000
    sockets of one person cost less than 10,000 people's, which a province's
    followers are. The people are kept between runs; their supports and
    sessions are made for this case, in bulk.
    """
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.auth.hashers import make_password

    from helpdesk.models import CaseSupport

    phones = [f"+{FOLLOWER_PHONES + i}" for i in range(1, count + 1)]
    have = set(User.objects.filter(phone__in=phones).values_list("phone", flat=True))
    unusable = make_password(None)  # they log in by SMS code only
    User.objects.bulk_create(
        [
            User(phone=phone, full_name=f"Người theo dõi {i}", password=unusable)
            for i, phone in enumerate(phones)
            if phone not in have
        ],
        batch_size=2000,
    )
    people = list(User.objects.filter(phone__in=phones).order_by("phone"))
    CaseSupport.objects.bulk_create(
        [CaseSupport(ticket=ticket, user=person) for person in people],
        batch_size=2000,
        ignore_conflicts=True,
    )
    store = import_module(settings.SESSION_ENGINE).SessionStore
    backend = settings.AUTHENTICATION_BACKENDS[0]
    cookies = []
    with transaction.atomic():
        for person in people:
            session = store()
            session[SESSION_KEY] = str(person.pk)
            session[BACKEND_SESSION_KEY] = backend
            session[HASH_SESSION_KEY] = person.get_session_auth_hash()
            session.create()
            cookies.append(session.session_key)
    return cookies


def layer_settings(layer: str) -> dict[str, Any]:
    """The same layer for the server and this process, which publishes the events."""
    # redis-py 8 defaults: 5 s read timeout (= the BZPOPMIN block) and a pool of
    # 100 that raises when exhausted; both break a busy ASGI process.
    host = {"address": settings.REDIS_URL, "socket_timeout": 15, "max_connections": 10000}
    return {"default": {"BACKEND": LAYERS[layer], "CONFIG": {"hosts": [host], "prefix": "bench"}}}


def start_server(
    conf: dict[str, Any], *, port: int = 0, uds: Path | None = None, origin: str = "",
    gc_probe: Path | None = None,
) -> subprocess.Popen[bytes]:  # fmt: skip
    """One uvicorn: on a loopback port, or on the Unix socket ``uds`` as scripts/serve.sh
    starts it behind nginx (then ``origin`` is the site's, as serve.sh tells it)."""
    module_dir = Path(tempfile.mkdtemp(prefix="wsbench"))
    (module_dir / "bench_settings.py").write_text(
        "from config.settings import *  # noqa\n"
        f"CHANNEL_LAYERS = {layer_settings(conf['layer'])!r}\n"
    )
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(
            p for p in (str(module_dir), str(ROOT), os.environ.get("PYTHONPATH")) if p
        ),
        "DJANGO_SETTINGS_MODULE": "bench_settings",
        # As `make run` serves it: no DEBUG (no query log), same key as the cookie.
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": settings.SECRET_KEY,
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        # With --people 1 one person holds every socket, past the per-person
        # limit meant for people (XADESK_WS_SOCKETS_PER_PERSON, 30 a process).
        "XADESK_WS_SOCKETS_PER_PERSON": "0",
    }
    if origin:
        # nginx forwards Host without the port (scripts/serve.sh says the same).
        env["DJANGO_SITE_ORIGINS"] = origin
    if gc_probe is not None:
        env["XADESK_GC_PROBE_DIR"] = str(gc_probe)  # core/gc_probe.py
    where = (
        ["--uds", str(uds)]
        if uds
        else ["--host", "127.0.0.1", "--port", str(port), "--backlog", "8192"]
    )
    command = [
        sys.executable, "-m", "uvicorn", "config.asgi:application", *where,
        "--lifespan", "off", "--no-access-log", "--log-level", "warning",
        "--ws", conf["ws"],
        "--ws-per-message-deflate", conf["deflate"],
        *conf["server_args"],
    ]  # fmt: skip
    server = subprocess.Popen(command, cwd=ROOT, env=env)
    for _ in range(300):
        if uds and unix_listens(uds):
            time.sleep(0.2)
            return server
        if not uds:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                    time.sleep(0.2)
                    return server
            except OSError:
                pass
        time.sleep(0.1)
    server.kill()
    server.wait(10)
    raise RuntimeError("uvicorn did not start")


def stop(server: subprocess.Popen[bytes]) -> None:
    """Wait for a terminated server; kill it if it has not gone in 30 s."""
    try:
        server.wait(30)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait(10)


def nginx_pids(master: int) -> list[int]:
    """nginx's master and its workers (one per core, `worker_processes auto`): their
    memory and CPU count with the server's. Waits for every worker, since a memory
    figure that missed one would flatter."""
    want = os.cpu_count() or 1
    for _ in range(100):
        try:
            kids = Path(f"/proc/{master}/task/{master}/children").read_text().split()
        except OSError:
            kids = []
        if len(kids) >= want:
            return [master, *(int(k) for k in kids)]
        time.sleep(0.05)
    raise RuntimeError(f"nginx started {len(kids)} of {want} workers")


# --- client processes (forked; no Django, no database) ----------------------


def client_process(
    urls: list[str], cookies: list[str], n: int, rounds: int,
    ready: Any, results: Any, stop: Any,
) -> None:  # fmt: skip
    raise_fd_limit(n + 200)
    if CLIENT_NICE:
        os.nice(CLIENT_NICE)
    try:
        import uvloop

        uvloop.install()
    except ImportError:
        pass
    asyncio.run(_clients(urls, cookies, n, rounds, ready, results, stop))


async def _clients(
    urls: list[str], cookies: list[str], n: int, rounds: int,
    ready: Any, results: Any, stop: Any,
) -> None:  # fmt: skip
    """Open n sockets over the servers in turn, socket i with session cookies[i];
    report how many synced, then arrivals."""
    arrivals: list[list[tuple[float, float]]] = [[] for _ in range(rounds)]
    counts = {"synced": 0, "failed": 0}
    all_synced = asyncio.Event()
    loop = asyncio.get_running_loop()
    servers = [split_ws_url(url) for url in urls]

    def request(i: int) -> bytes:
        host, port, target = servers[i % len(servers)]
        return handshake_request(host, port, target, handshake_headers(cookies[i]))

    # At most this many handshakes in flight per process: a socket's session
    # and access checks queue on the server's one database thread, and
    # uvicorn drops a handshake that is not accepted within 10 s.
    opening = asyncio.Semaphore(100)

    def settled(ok: bool) -> None:
        counts["synced" if ok else "failed"] += 1
        opening.release()
        if counts["synced"] + counts["failed"] == n:
            all_synced.set()

    async def one(i: int) -> Follower | None:
        await opening.acquire()
        host, port, _target = servers[i % len(servers)]
        sock = socket.socket()
        sock.setblocking(False)
        sock.setsockopt(socket.SOL_SOCKET, SO_TIMESTAMPNS, 1)
        follower = Follower(sock, arrivals, settled)
        try:
            await loop.sock_connect(sock, (host, port))
            loop.add_reader(sock.fileno(), follower.on_readable)
            await loop.sock_sendall(sock, request(i))
        except OSError as exc:
            print(f"  socket failed: {type(exc).__name__}: {exc}", flush=True)
            sock.close()
            settled(False)
            return None
        return follower

    protos = []
    for i in range(n):
        protos.append(asyncio.create_task(one(i)))
        if i % 100 == 99:
            await asyncio.sleep(0.02)
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(all_synced.wait(), 600)
    drain = _poll_instead_of_waking(loop, protos) if CLIENT_POLL_MS else None
    ready.put(counts["synced"])
    for r in range(rounds):
        deadline = time.monotonic() + 90
        while len(arrivals[r]) < counts["synced"] and time.monotonic() < deadline:
            await asyncio.sleep(CLIENT_POLL_MS / 1000 if drain else 0.005)
            if drain:
                drain()
        results.put((r, arrivals[r]))
    await asyncio.to_thread(stop.wait, 120)
    for task in protos:
        follower = task.result() if task.done() and not task.cancelled() else None
        if follower is not None:
            loop.remove_reader(follower.sock.fileno())
            follower.sock.close()
    usage = resource.getrusage(resource.RUSAGE_SELF)
    results.put(("cpu", usage.ru_utime + usage.ru_stime))


def _poll_instead_of_waking(loop: asyncio.AbstractEventLoop, protos: list[Any]) -> Any:
    """Move the synced sockets from the event loop to an epoll this process only polls.

    Nobody sleeps on that epoll, so a frame's arrival wakes no client process:
    the server's send does not pay for a wake-up, and the clients do not take
    the cores from the server for every frame, as followers on their own
    phones would not. The kernel's receive stamp is the same either way; the
    read stamp becomes up to --client-poll-ms late.
    """
    import select

    poller = select.epoll()
    followers: dict[int, Follower] = {}
    for task in protos:
        follower = task.result() if task.done() and not task.cancelled() else None
        if follower is not None and follower.synced:
            loop.remove_reader(follower.sock.fileno())
            poller.register(follower.sock.fileno(), select.EPOLLIN)
            followers[follower.sock.fileno()] = follower

    def drain() -> None:
        for fd, _mask in poller.poll(0):
            follower = followers.get(fd)
            if follower is not None:
                follower.on_readable()

    return drain


def split_ws_url(url: str) -> tuple[str, int, str]:
    rest = url.removeprefix("ws://")
    hostport, _, path = rest.partition("/")
    host, _, port = hostport.partition(":")
    return host, int(port or 80), "/" + path


def handshake_request(host: str, port: int, target: str, headers: dict[str, str]) -> bytes:
    lines = [
        f"GET {target} HTTP/1.1",
        f"Host: {host}:{port}",
        "Upgrade: websocket",
        "Connection: Upgrade",
        f"Sec-WebSocket-Key: {base64.b64encode(os.urandom(16)).decode()}",
        "Sec-WebSocket-Version: 13",
        # The page's own origin, port included: core/ws_origin.py refuses any other.
        f"Origin: http://{host}:{port}",
        *(f"{k}: {v}" for k, v in headers.items()),
    ]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


SO_TIMESTAMPNS = getattr(socket, "SO_TIMESTAMPNS", 35)  # Linux
ANCILLARY_SIZE = socket.CMSG_SPACE(16)


class Follower:
    """A WebSocket follower as small as a client can be: it stamps each event frame.

    Two stamps per frame, both CLOCK_REALTIME like the commit's: when the kernel
    put the bytes on the follower's socket (SO_TIMESTAMPNS: the server's
    delivery, whatever the client processes are doing) and when this process
    read them (that plus the wait for a turn on the cores the clients share
    with the server). Frames are read straight off the socket: the server
    never masks (RFC 6455 5.1); a client library's per-message work would only
    add to the second stamp.
    """

    def __init__(
        self, sock: socket.socket, arrivals: list[list[tuple[float, float]]], settled: Any
    ) -> None:
        self.sock = sock
        self.arrivals = arrivals
        self.settled = settled
        self.buffer = b""
        self.upgraded = False
        self.synced = False
        self.seen = 0

    def closed(self, why: str) -> None:
        asyncio.get_running_loop().remove_reader(self.sock.fileno())
        if not self.synced:
            self.synced = True
            print(f"  socket closed before synced: {why}", flush=True)
            self.settled(False)

    def on_readable(self) -> None:
        try:
            data, ancillary, _flags, _addr = self.sock.recvmsg(65536, ANCILLARY_SIZE)
        except BlockingIOError:
            return
        except OSError as exc:
            self.closed(str(exc))
            return
        now = time.time()
        if not data:
            self.closed("end of stream")
            return
        kernel = now
        for level, kind, cdata in ancillary:
            if level == socket.SOL_SOCKET and kind == SO_TIMESTAMPNS:
                sec, nsec = struct.unpack("qq", cdata[:16])
                kernel = sec + nsec / 1e9
        self.feed(data, now, kernel)

    def feed(self, data: bytes, now: float, kernel: float) -> None:
        buffer = self.buffer + data
        if not self.upgraded:
            head, sep, buffer = buffer.partition(b"\r\n\r\n")
            if not sep:
                self.buffer = head
                return
            if not head.startswith(b"HTTP/1.1 101"):
                raise RuntimeError(head.split(b"\r\n", 1)[0].decode())
            self.upgraded = True
        while len(buffer) >= 2:
            opcode, length, start = buffer[0] & 0x0F, buffer[1] & 0x7F, 2
            if length == 126:
                if len(buffer) < 4:
                    break
                length, start = int.from_bytes(buffer[2:4]), 4
            elif length == 127:
                if len(buffer) < 10:
                    break
                length, start = int.from_bytes(buffer[2:10]), 10
            if len(buffer) < start + length:
                break
            payload, buffer = buffer[start : start + length], buffer[start + length :]
            if opcode == 0x9:  # ping: uvicorn closes sockets that do not answer (1011).
                # Client frames are masked (RFC 6455 5.3); a zero key keeps the payload.
                self.sock.send(bytes((0x8A, 0x80 | len(payload))) + bytes(4) + payload)
            elif opcode == 0x8:  # close
                code = int.from_bytes(payload[:2]) if payload else None
                print(f"  server closed a socket: {code}", flush=True)
            elif payload.startswith((b'{"type": "synced"', b'{"type": "unread"')):
                if not self.synced:
                    self.synced = True
                    self.settled(True)
            elif payload.startswith(
                (b'{"type": "event"', b'{"type": "notification"')
            ) and self.seen < len(self.arrivals):
                self.arrivals[self.seen].append((now, kernel))
                self.seen += 1
        self.buffer = buffer


# --- one measurement ------------------------------------------------------------


def warm_up(url: str, headers: dict[str, str], count: int = 5) -> None:
    from websockets.sync.client import ClientConnection, connect
    from websockets.typing import Origin

    parts = urlsplit(url)
    origin = Origin(f"http://{parts.hostname}:{parts.port}")  # as the page's, port included
    for _ in range(count):
        ws: ClientConnection
        with connect(url, origin=origin, additional_headers=headers) as ws:
            json.loads(ws.recv(timeout=30))


def measure(
    conf: dict[str, Any], base_urls: list[str], ticket: Ticket, officer: User,
    cookies: list[str], n: int, rounds: int, clients: int, pids: list[int], warmup: int = 1,
) -> dict[str, float]:  # fmt: skip
    """``cookies``: socket i is opened with cookies[i % len(cookies)] (one person, or many)."""
    path = STREAMS[STREAM].format(number=ticket.number)
    urls = [f"{base}{path}" for base in base_urls]
    # The warm-up's client (websockets) writes its own user agent and
    # extensions; the person's cookies are what the server reads.
    headers = {"Cookie": handshake_headers(cookies[0])["Cookie"]}
    for url in urls:
        warm_up(url, headers)
    time.sleep(0.5)
    before = rss_kib(pids)
    ctx = mp.get_context("fork")
    ready, results, stop = ctx.Queue(), ctx.Queue(), ctx.Event()
    connections.close_all()  # no database socket shared with the children
    shares = [n // clients + (1 if i < n % clients else 0) for i in range(clients)]
    starts = list(itertools.accumulate(shares, initial=0))
    procs = [
        ctx.Process(
            target=client_process,
            args=(
                urls,
                [cookies[(start + j) % len(cookies)] for j in range(k)],
                k,
                warmup + rounds,
                ready,
                results,
                stop,
            ),
        )
        for start, k in zip(starts, shares, strict=False)
        if k
    ]
    connect_from = time.time()
    for p in procs:
        p.start()
    try:
        synced = sum(ready.get(timeout=900) for _ in procs)
        connect_to = time.time()
        if synced < n:
            print(f"  only {synced} of {n} sockets synced", flush=True)
        time.sleep(2)  # idle
        after = rss_kib(pids)
        latencies: list[float] = []  # to the kernel's receipt on the follower's socket
        read_latencies: list[float] = []  # to the client process reading it
        warmup_latencies: list[float] = []
        lost = 0
        cpu0, wall0 = cpu_seconds(pids), time.perf_counter()
        for r in range(warmup + rounds):
            if r == warmup:  # the timed rounds start here
                cpu0 = cpu_seconds(pids)
                wall0 = time.perf_counter()
                rounds_from = time.time()
            committed: list[float] = []
            # Registered first, so it runs first: the moment of the commit.
            with transaction.atomic():
                transaction.on_commit(partial(stamp, committed))
                lifecycle.ticket_reply(ticket=ticket, by=officer, body=f"bench {r}")
            got = 0
            for _ in procs:
                _r, times = results.get(timeout=150)
                got += len(times)
                on_socket = [(kernel - committed[0]) * 1000 for _read, kernel in times]
                if r < warmup:
                    warmup_latencies += on_socket
                    continue
                latencies += on_socket
                read_latencies += [(read - committed[0]) * 1000 for read, _kernel in times]
            lost += synced - got  # the warm-up's losses count too
            time.sleep(0.3)
        cpu1 = cpu_seconds(pids)
        wall = time.perf_counter() - wall0
        rounds_to = time.time()
        stop.set()
        client_cpu = 0.0
        for _ in procs:
            item = results.get(timeout=150)
            client_cpu += item[1]
    finally:
        stop.set()
        for p in procs:
            p.join(30)
            if p.is_alive():
                p.kill()
    if lost:
        print(f"  {lost} of {synced * (warmup + rounds)} deliveries missing after 90 s", flush=True)
    if not latencies:
        raise SystemExit("No event reached any socket: does the server use this channel layer?")
    latencies.sort()
    read_latencies.sort()
    warmup_latencies.sort()
    return {
        # Shown, not counted: the publisher's first push connects to Redis and
        # loads the layer's script, once per process lifetime.
        "warmup_p99": (
            warmup_latencies[max(0, int(len(warmup_latencies) * 0.99) - 1)]
            if warmup_latencies
            else float("nan")
        ),
        "first": latencies[0],
        "p50": statistics.median(latencies),
        "p99": latencies[max(0, int(len(latencies) * 0.99) - 1)],
        "read_p50": statistics.median(read_latencies),
        "read_p99": read_latencies[max(0, int(len(read_latencies) * 0.99) - 1)],
        # Per socket actually open: dividing by the N asked for would flatter
        # a run where some sockets failed to connect.
        "kib": (after - before) / synced if pids and synced else float("nan"),
        "synced": synced,
        "asked": n,
        "cpu_ms": (cpu1 - cpu0) * 1000 / rounds if pids else float("nan"),
        "client_cpu_s": client_cpu,
        "lost": lost,
        "busy": (cpu1 - cpu0) / wall if pids else float("nan"),
        # Wall clock of the phases, for --gc-probe's pauses (gc_pauses).
        "connect_from": connect_from,
        "connect_to": connect_to,
        "rounds_from": rounds_from,
        "rounds_to": rounds_to,
    }


def gc_pauses(folder: Path, result: dict[str, float]) -> dict[str, float]:
    """The servers' collections (core/gc_probe.py) that paused them, in part or
    whole, while the sockets connected and during the timed rounds (not the
    idle seconds and warm-up round between): how many of the oldest generation,
    the longest and the sum of all, in ms. How many processes wrote is shown
    beside them: one that wrote nothing is seen, not dropped."""
    files = sorted(folder.glob("gc-*.jsonl"))
    pauses = [json.loads(line) for f in files for line in f.read_text().splitlines()]
    found: dict[str, float] = {"gc_files": len(files)}
    for phase in ("connect", "rounds"):
        start, end = result[f"{phase}_from"], result[f"{phase}_to"]
        # Any part inside: a pause that began in the warm-up round and ran
        # into the timed ones stopped those sockets too.
        inside = [(gen, ms) for at, gen, ms in pauses if at <= end and at + ms / 1000 >= start]
        found[f"gc_{phase}_full"] = sum(1 for gen, _ms in inside if gen == 2)
        found[f"gc_{phase}_max"] = max((ms for _gen, ms in inside), default=0.0)
        found[f"gc_{phase}_sum"] = sum(ms for _gen, ms in inside)
    return found


def stamp(times: list[float]) -> None:
    times.append(time.time())  # CLOCK_REALTIME, as the kernel's receive timestamps


def summary(values: list[float]) -> str:
    med = statistics.median(values)
    if len(values) == 1:
        return f"{med:.1f}"
    return f"{med:.1f} ({min(values):.1f}–{max(values):.1f})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sockets", type=int, nargs="+", default=[1000, 5000])
    parser.add_argument("--layer", choices=LAYERS, nargs="+", default=["pubsub"])
    parser.add_argument("--ws", nargs="+", default=["websockets"],
                        choices=["websockets", "websockets-sansio", "wsproto"])  # fmt: skip
    parser.add_argument("--deflate", nargs="+", default=["false"], choices=["true", "false"],
                        help="uvicorn --ws-per-message-deflate")  # fmt: skip
    parser.add_argument("--workers", type=int, nargs="+", default=[1],
                        help="uvicorn processes, each on its own port (Unix socket with "
                        "--proxy nginx); sockets go to them "
                        "in turn, as nginx's round robin spreads them in make run")  # fmt: skip
    parser.add_argument("--clients", type=int, default=2, help="client processes")
    parser.add_argument("--client-nice", type=int, default=0,
                        help="run the clients at this nice level, so that on a shared "
                        "machine the server's cores are the server's (0: as equals)")  # fmt: skip
    parser.add_argument("--client-poll-ms", type=int, default=0,
                        help="clients poll their synced sockets every this many ms instead "
                        "of being woken by each frame (0: woken, like a client that "
                        "shares nothing); stands for followers on other machines")  # fmt: skip
    parser.add_argument("--stream", choices=STREAMS, default="case",
                        help="the sockets' stream; inbox: all sockets are the one bench "
                        "person's, so every event goes to one group of N sockets")  # fmt: skip
    parser.add_argument("--people", default="1",
                        help="distinct people opening the sockets: a number, or 'all' "
                        "(the reporter and 'me too' residents, one per socket)")  # fmt: skip
    parser.add_argument("--handshake", choices=["browser", "bare"], default="browser",
                        help="browser: each socket's handshake carries what a phone's "
                        "Chrome sends (user agent, languages, its cookies); bare: only "
                        "what the protocol needs and the session cookie (the figures "
                        "before 2026-12-06 19:40)")  # fmt: skip
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--warmup-rounds", type=int, default=1,
                        help="events pushed to every socket before the timed rounds: their "
                        "p99 is printed apart, their lost deliveries are counted")  # fmt: skip
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--proxy", nargs="+", default=["none"], choices=["none", "nginx"],
                        help="nginx: the sockets reach the uvicorn processes (on Unix "
                        "sockets) through nginx with make run's config, as "
                        "scripts/serve.sh serves them; nginx's memory and CPU count "
                        "with the server's")  # fmt: skip
    parser.add_argument("--server-args", default="", help="more uvicorn options, one string")
    parser.add_argument("--gc-probe", action="store_true",
                        help="the servers time their garbage collections (core/gc_probe.py): "
                        "printed for the connect storm and for the timed rounds")  # fmt: skip
    parser.add_argument("--url", help="a running server, e.g. ws://127.0.0.1:8000 (no RSS; "
                        "give it DJANGO_SECRET_KEY, e.g. from .run/secret_key)")  # fmt: skip
    args = parser.parse_args()
    print(f"flags: {' '.join(sys.argv[1:]) or '(defaults)'} -> {vars(args)}", flush=True)
    global CLIENT_NICE, CLIENT_POLL_MS, STREAM, HANDSHAKE  # set once, before the clients fork
    STREAM = args.stream
    HANDSHAKE = args.handshake
    CLIENT_NICE = args.client_nice
    CLIENT_POLL_MS = args.client_poll_ms
    raise_fd_limit(max(args.sockets) * 2 + 1000)
    ticket, officer, cookie = setup_case()
    people = max(args.sockets) if args.people == "all" else int(args.people)
    if people > 1 and STREAM != "case":
        raise SystemExit("--people counts the followers of a case: use it with --stream case")
    # The reporter and people - 1 residents who said "me too".
    cookies = [cookie, *follower_cookies(ticket, people - 1)] if people > 1 else [cookie]
    print(f"people: {len(cookies)} (socket i opened by person i mod {len(cookies)})", flush=True)
    print(f"load average at start: {os.getloadavg()}", flush=True)
    rows: list[tuple[dict[str, Any], int, list[dict[str, float]]]] = []
    combos = list(itertools.product(args.layer, args.ws, args.deflate, args.workers, args.proxy))
    for (layer, ws, deflate, workers, proxy), n in itertools.product(combos, args.sockets):
        if args.url:  # the running server's own settings, not ours
            layer, ws, deflate, workers, proxy = "server", "server", "server", 0, "server"
        conf = {
            "layer": layer, "ws": ws, "deflate": deflate, "workers": workers,
            "proxy": proxy, "server_args": args.server_args.split(),
        }  # fmt: skip
        runs = []
        for rep in range(args.repeat):
            if not args.url:  # else publish as the running server's settings say
                settings.CHANNEL_LAYERS = layer_settings(layer)
                channel_layers.backends = {}  # forget the previous layer
            servers: list[subprocess.Popen[bytes]] = []
            folder: Path | None = None
            probe = Path(tempfile.mkdtemp(prefix="wsgc")) if args.gc_probe else None
            try:  # whatever started is stopped, even if a later start fails
                if args.url:
                    bases, pids = [args.url], []
                elif proxy == "nginx":
                    # As scripts/serve.sh: uvicorn on Unix sockets, nginx in front;
                    # the sockets all reach nginx, which hands them out in turn.
                    folder, sockets = run_folder()
                    port = 19000 + (len(rows) * args.repeat + rep) % 1000
                    origin = f"http://127.0.0.1:{port}"
                    names = tuple(f"ws-{i}.sock" for i in range(workers))
                    for name in names:
                        servers.append(
                            start_server(conf, uds=sockets / name, origin=origin, gc_probe=probe)
                        )
                    config = make_run_config(
                        run=folder, media=folder / "media", sockets=sockets, port=port, ws=names
                    )
                    servers.append(nginx_start(folder, config, port))
                    bases = [f"ws://127.0.0.1:{port}"]
                    pids = [s.pid for s in servers[:-1]] + nginx_pids(servers[-1].pid)
                else:
                    first = 18000 + (len(rows) * args.repeat + rep) * workers % 1000
                    for i in range(workers):
                        servers.append(start_server(conf, port=first + i, gc_probe=probe))
                    bases = [f"ws://127.0.0.1:{first + i}" for i in range(workers)]
                    pids = [s.pid for s in servers]
                result = measure(conf, bases, ticket, officer, cookies, n, args.rounds,
                                 args.clients, pids, args.warmup_rounds)  # fmt: skip
            finally:
                for server in servers:
                    server.terminate()  # nginx's master stops its workers on TERM
                for server in servers:
                    stop(server)
                if folder is not None:
                    shutil.rmtree(folder, ignore_errors=True)
            if probe is not None:
                result.update(gc_pauses(probe, result))
                shutil.rmtree(probe, ignore_errors=True)
                print(
                    f"  gc ({int(result['gc_files'])} of {workers} processes wrote): while "
                    f"connecting {int(result['gc_connect_full'])} full, longest "
                    f"{result['gc_connect_max']:.1f} ms, {result['gc_connect_sum']:.0f} ms in all; "
                    f"during the timed rounds {int(result['gc_rounds_full'])} full, longest "
                    f"{result['gc_rounds_max']:.1f} ms, {result['gc_rounds_sum']:.0f} ms in all",
                    flush=True,
                )
            runs.append(result)
            print(
                f"{layer:6} {ws:10} deflate={deflate:5} w={workers} proxy={proxy} "
                f"{n:5} sockets: "
                f"on socket first {result['first']:5.1f} p50 {result['p50']:6.1f} "
                f"p99 {result['p99']:6.1f} ms (warm-up p99 {result['warmup_p99']:.1f})  "
                f"read p50 {result['read_p50']:6.1f} p99 {result['read_p99']:6.1f} ms  "
                f"{result['synced']}/{n} connected, {result['lost']} lost  "
                f"{result['kib']:6.1f} KiB/socket  server {result['cpu_ms']:6.1f} CPU ms/event "
                f"({result['busy']:.0%} busy)  "
                f"clients {result['client_cpu_s']:5.1f} CPU s  load {os.getloadavg()[0]:.2f}",
                flush=True,
            )
        rows.append((conf, n, runs))
    print(f"\nmedian (min–max) of {args.repeat} runs, {args.clients} client processes "
          f"(nice {args.client_nice}, poll {args.client_poll_ms or 'off'} ms), "
          f"{args.rounds} timed events per run after {args.warmup_rounds} warm-up")  # fmt: skip
    print("| sockets | layer | ws | deflate | workers | proxy | on socket p50 ms | p99 ms "
          "| read p50 ms | read p99 ms | KiB/idle socket | server CPU ms/event "
          "| connected | lost |")  # fmt: skip
    print("|---:|---|---|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    any_lost = False
    for conf, n, runs in rows:
        keys = ("p50", "p99", "read_p50", "read_p99", "kib", "cpu_ms")
        cols = [summary([r[k] for r in runs]) for k in keys]
        connected = min(int(r["synced"]) for r in runs)
        lost = sum(int(r["lost"]) for r in runs)
        any_lost = any_lost or bool(lost) or connected < n
        print(f"| {n} | {conf['layer']} | {conf['ws']} | {conf['deflate']} | {conf['workers']} | "
              f"{conf['proxy']} | "
              + " | ".join(cols) + f" | {connected}/{n} | {lost} |")  # fmt: skip
        label = f"{n} sockets {conf['layer']} w={conf['workers']}"
        if conf["proxy"] == "nginx":
            label += " through nginx"
        for key, unit, target in (("p99", "ms", "≤ 100"), ("kib", "KiB/socket", "≤ 24")):
            value = statistics.median([r[key] for r in runs])
            print("@result " + json.dumps({"figure": f"{label} {key}", "value": round(value, 1),
                  "unit": unit, "target": target}))  # fmt: skip
        if "gc_files" in runs[0]:
            for phase in ("connect", "rounds"):
                value = max(r[f"gc_{phase}_max"] for r in runs)
                print("@result " + json.dumps({"figure": f"{label} longest gc pause ({phase})",
                      "value": round(value, 1), "unit": "ms", "target": "shown"}))  # fmt: skip
        print("@result " + json.dumps({"figure": f"{label} lost deliveries", "value": lost,
              "unit": f"of {connected * (args.warmup_rounds + args.rounds) * len(runs)}",
              "target": "0"}))  # fmt: skip
    if any_lost:
        sys.exit("Deliveries were lost or sockets failed to connect: see the table.")


if __name__ == "__main__":
    main()
