"""Fan-out of a committed case event to N open sockets: latency, memory and CPU.

Starts its own uvicorn (config.asgi, DEBUG off like `make run`) unless --url is
given, opens N sockets on one case as its reporter (session cookie) from
--clients separate client processes, then commits replies through the real
services and times each from the commit to its arrival on every socket
(time.perf_counter is CLOCK_MONOTONIC, one clock for all processes).

Reported per configuration (median and range over --repeat runs):
- p50/p99 ms from the commit to the arrival on each socket;
- KiB per idle socket: growth of the server's RSS (all its processes, from
  /proc) while the N sockets were opened, divided by N; a few warm-up sockets
  are opened and closed first so one-off imports are not counted;
- server CPU ms per event: user+system CPU of the server processes during the
  rounds, divided by the rounds; the client processes' CPU is shown apart.

    .venv/bin/python bench/ws_fanout.py --sockets 1000 5000 --layer core pubsub \
        --ws websockets --deflate false --workers 1 --clients 2 --repeat 3

Uses the database in DATABASE_URL (default: the `make run` one) and Redis in
REDIS_URL; writes one bench user and one case there. The clients share the
machine's cores with the server, so latencies are upper bounds for the server;
the server CPU per event is the cost that does not depend on the clients.
`--ws wsproto` needs the wsproto package importable (e.g. PYTHONPATH).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import json
import multiprocessing as mp
import os
import resource
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from functools import partial
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DJANGO_DEBUG", "true")

import django  # noqa: E402

django.setup()

import websockets  # noqa: E402
from channels.layers import channel_layers  # noqa: E402
from django.conf import settings  # noqa: E402
from django.db import connections, transaction  # noqa: E402
from django.test import Client  # noqa: E402

from accounts.models import Role, RoleAssignment, User  # noqa: E402
from helpdesk import lifecycle  # noqa: E402
from helpdesk.filing import ticket_file  # noqa: E402
from helpdesk.models import Department, DepartmentMembership, Service, Ticket  # noqa: E402

LAYERS = {
    "core": "channels_redis.core.RedisChannelLayer",
    "pubsub": "channels_redis.pubsub.RedisPubSubChannelLayer",
}
CLK_TCK = os.sysconf("SC_CLK_TCK")


def raise_fd_limit(need: int) -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < need:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(need, hard), hard))


def process_tree(pid: int) -> list[int]:
    """The pid and its descendants (uvicorn --workers forks children)."""
    pids, todo = [], [pid]
    while todo:
        p = todo.pop()
        pids.append(p)
        try:
            for task in Path(f"/proc/{p}/task").iterdir():
                todo += [int(c) for c in (task / "children").read_text().split()]
        except OSError:
            continue
    return pids


def rss_kib(pid: int) -> int:
    total = 0
    for p in process_tree(pid):
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            pass
    return total


def cpu_seconds(pid: int) -> float:
    total = 0
    for p in process_tree(pid):
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
        Service.objects.filter(is_active=True, department_type=department.department_type).first()
        or Service.objects.filter(is_active=True).first()
    )
    assert service is not None
    reporter, _ = User.objects.get_or_create(phone="+84989999001", defaults={"full_name": "Bench"})
    officer, _ = User.objects.get_or_create(phone="+84989999002", defaults={"full_name": "Bench O"})
    RoleAssignment.objects.get_or_create(user=officer, role=Role.OFFICER, unit=department.commune)
    DepartmentMembership.objects.get_or_create(user=officer, department=department)
    ticket = ticket_file(
        reporter=reporter, service=service, description="bench", commune=department.commune
    ).ticket
    if ticket.department_id != department.pk:
        ticket.department = department
        ticket.save(update_fields=["department"])
    client = Client()
    client.force_login(reporter)
    return ticket, officer, client.cookies[settings.SESSION_COOKIE_NAME].value


def layer_settings(layer: str) -> dict[str, Any]:
    """The same layer for the server and this process, which publishes the events."""
    # redis-py 8 defaults: 5 s read timeout (= the BZPOPMIN block) and a pool of
    # 100 that raises when exhausted; both break a busy ASGI process.
    host = {"address": settings.REDIS_URL, "socket_timeout": 15, "max_connections": 10000}
    return {"default": {"BACKEND": LAYERS[layer], "CONFIG": {"hosts": [host], "prefix": "bench"}}}


def start_server(conf: dict[str, Any], port: int) -> subprocess.Popen[bytes]:
    module_dir = Path(tempfile.mkdtemp(prefix="wsbench"))
    (module_dir / "bench_settings.py").write_text(
        "from config.settings import *  # noqa\n"
        f"CHANNEL_LAYERS = {layer_settings(conf['layer'])!r}\n"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench_settings",
        "PYTHONPATH": os.pathsep.join(
            p for p in (str(module_dir), str(ROOT), os.environ.get("PYTHONPATH")) if p
        ),
        # As `make run` serves it: no DEBUG (no query log), same key as the cookie.
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": settings.SECRET_KEY,
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
    }
    command = [
        sys.executable, "-m", "uvicorn", "config.asgi:application",
        "--host", "127.0.0.1", "--port", str(port),
        "--lifespan", "off", "--no-access-log", "--log-level", "warning",
        "--backlog", "8192",
        "--ws", conf["ws"],
        "--ws-per-message-deflate", conf["deflate"],
        "--workers", str(conf["workers"]),
        *conf["server_args"],
    ]  # fmt: skip
    server = subprocess.Popen(command, cwd=ROOT, env=env)
    for _ in range(300):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                time.sleep(1.0 if conf["workers"] > 1 else 0.2)  # let every worker start
                return server
        except OSError:
            time.sleep(0.1)
    server.kill()
    raise RuntimeError("uvicorn did not start")


# --- client processes (forked; no Django, no database) ----------------------


def client_process(
    url: str, headers: dict[str, str], n: int, rounds: int,
    ready: Any, results: Any, stop: Any,
) -> None:  # fmt: skip
    raise_fd_limit(n + 200)
    try:
        import uvloop

        uvloop.install()
    except ImportError:
        pass
    asyncio.run(_clients(url, headers, n, rounds, ready, results, stop))


async def _clients(
    url: str, headers: dict[str, str], n: int, rounds: int,
    ready: Any, results: Any, stop: Any,
) -> None:  # fmt: skip
    arrivals: list[list[float]] = [[] for _ in range(rounds)]
    synced = failed = 0
    all_synced = asyncio.Event()
    done = asyncio.Event()

    # At most this many handshakes in flight per process: a socket's session
    # and access checks queue on the server's one database thread, and
    # uvicorn drops a handshake that is not accepted within 10 s.
    opening = asyncio.Semaphore(100)

    async def one() -> None:
        nonlocal failed
        await opening.acquire()
        state = {"synced": False}
        try:
            await socket_client(state)
        except Exception as exc:  # noqa: BLE001 - counted and shown, the run goes on
            failed += 1
            if failed <= 3:
                print(f"  socket failed: {type(exc).__name__}: {exc}", flush=True)
            if synced + failed == n:
                all_synced.set()
        finally:
            if not state["synced"]:
                opening.release()

    async def socket_client(state: dict[str, bool]) -> None:
        nonlocal synced
        # Offers permessage-deflate like browsers do; the server decides.
        async with websockets.connect(
            url, origin="http://127.0.0.1",  # type: ignore[arg-type]
            additional_headers=headers, open_timeout=300, ping_interval=None,
            close_timeout=1,
        ) as ws:  # fmt: skip
            seen = 0
            async for raw in ws:
                message = json.loads(raw)
                if message["type"] == "synced":
                    state["synced"] = True
                    opening.release()
                    synced += 1
                    if synced + failed == n:
                        all_synced.set()
                elif message["type"] == "event":
                    arrivals[seen].append(time.perf_counter())
                    seen += 1
                    if seen == rounds:
                        break
            await done.wait()

    tasks = []
    for i in range(n):
        tasks.append(asyncio.create_task(one()))
        if i % 100 == 99:
            await asyncio.sleep(0.02)
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(all_synced.wait(), 600)
    ready.put(synced)
    for r in range(rounds):
        deadline = time.monotonic() + 90
        while len(arrivals[r]) < synced and time.monotonic() < deadline:  # noqa: ASYNC110 - a count
            await asyncio.sleep(0.005)
        results.put((r, arrivals[r]))
    await asyncio.to_thread(stop.wait, 120)
    done.set()
    await asyncio.gather(*tasks, return_exceptions=True)
    usage = resource.getrusage(resource.RUSAGE_SELF)
    results.put(("cpu", usage.ru_utime + usage.ru_stime))


# --- one measurement ------------------------------------------------------------


def warm_up(url: str, headers: dict[str, str], count: int = 5) -> None:
    from websockets.sync.client import ClientConnection, connect
    from websockets.typing import Origin

    for _ in range(count):
        ws: ClientConnection
        with connect(url, origin=Origin("http://127.0.0.1"), additional_headers=headers) as ws:
            json.loads(ws.recv(timeout=30))


def measure(
    conf: dict[str, Any], base_url: str, ticket: Ticket, officer: User, cookie: str,
    n: int, rounds: int, clients: int, pid: int | None,
) -> dict[str, float]:  # fmt: skip
    url = f"{base_url}/ws/cases/{ticket.number}/"
    headers = {"Cookie": f"{settings.SESSION_COOKIE_NAME}={cookie}"}
    warm_up(url, headers)
    time.sleep(0.5)
    before = rss_kib(pid) if pid else 0
    ctx = mp.get_context("fork")
    ready, results, stop = ctx.Queue(), ctx.Queue(), ctx.Event()
    connections.close_all()  # no database socket shared with the children
    shares = [n // clients + (1 if i < n % clients else 0) for i in range(clients)]
    procs = [
        ctx.Process(target=client_process, args=(url, headers, k, rounds, ready, results, stop))
        for k in shares
        if k
    ]
    for p in procs:
        p.start()
    try:
        synced = sum(ready.get(timeout=900) for _ in procs)
        if synced < n:
            print(f"  only {synced} of {n} sockets synced", flush=True)
        time.sleep(2)  # idle
        after = rss_kib(pid) if pid else 0
        cpu0 = cpu_seconds(pid) if pid else 0.0
        wall0 = time.perf_counter()
        latencies: list[float] = []
        lost = 0
        for r in range(rounds):
            committed: list[float] = []
            # Registered first, so it runs first: the moment of the commit.
            with transaction.atomic():
                transaction.on_commit(partial(stamp, committed))
                lifecycle.ticket_reply(ticket=ticket, by=officer, body=f"bench {r}")
            got = 0
            for _ in procs:
                _r, times = results.get(timeout=150)
                got += len(times)
                latencies += [(t - committed[0]) * 1000 for t in times]
            lost += synced - got
            time.sleep(0.3)
        cpu1 = cpu_seconds(pid) if pid else 0.0
        wall = time.perf_counter() - wall0
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
        print(f"  {lost} deliveries missing after 90 s", flush=True)
    latencies.sort()
    return {
        "p50": statistics.median(latencies),
        "p99": latencies[max(0, int(len(latencies) * 0.99) - 1)],
        "kib": (after - before) / n if pid else float("nan"),
        "cpu_ms": (cpu1 - cpu0) * 1000 / rounds if pid else float("nan"),
        "client_cpu_s": client_cpu,
        "lost": lost,
        "busy": (cpu1 - cpu0) / wall if pid else float("nan"),
    }


def stamp(times: list[float]) -> None:
    times.append(time.perf_counter())


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
    parser.add_argument("--workers", type=int, nargs="+", default=[1])
    parser.add_argument("--clients", type=int, default=2, help="client processes")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--server-args", default="", help="more uvicorn options, one string")
    parser.add_argument("--url", help="a running server, e.g. ws://127.0.0.1:8000 (no RSS then)")
    args = parser.parse_args()
    raise_fd_limit(max(args.sockets) * 2 + 1000)
    ticket, officer, cookie = setup_case()
    print(f"load average at start: {os.getloadavg()}", flush=True)
    rows: list[tuple[dict[str, Any], int, list[dict[str, float]]]] = []
    combos = list(itertools.product(args.layer, args.ws, args.deflate, args.workers))
    for (layer, ws, deflate, workers), n in itertools.product(combos, args.sockets):
        conf = {
            "layer": layer, "ws": ws, "deflate": deflate, "workers": workers,
            "server_args": args.server_args.split(),
        }  # fmt: skip
        runs = []
        for rep in range(args.repeat):
            settings.CHANNEL_LAYERS = layer_settings(layer)
            channel_layers.backends = {}  # forget the previous layer
            server = None
            if args.url:
                base, pid = args.url, None
            else:
                port = 18000 + (len(rows) * args.repeat + rep) % 1000
                server = start_server(conf, port)
                base, pid = f"ws://127.0.0.1:{port}", server.pid
            try:
                result = measure(conf, base, ticket, officer, cookie, n, args.rounds,
                                 args.clients, pid)  # fmt: skip
            finally:
                if server is not None:
                    server.terminate()
                    server.wait(30)
            runs.append(result)
            print(
                f"{layer:6} {ws:10} deflate={deflate:5} w={workers} {n:5} sockets: "
                f"p50 {result['p50']:7.1f} ms  p99 {result['p99']:7.1f} ms  "
                f"{result['kib']:6.1f} KiB/socket  server {result['cpu_ms']:6.1f} CPU ms/event "
                f"({result['busy']:.0%} busy)  "
                f"clients {result['client_cpu_s']:5.1f} CPU s  load {os.getloadavg()[0]:.2f}",
                flush=True,
            )
        rows.append((conf, n, runs))
    print(f"\nmedian (min–max) of {args.repeat} runs, {args.clients} client processes, "
          f"{args.rounds} events per run")  # fmt: skip
    print("| sockets | layer | ws | deflate | workers | p50 ms | p99 ms | KiB/idle socket "
          "| server CPU ms/event |")  # fmt: skip
    print("|---:|---|---|---|---:|---:|---:|---:|---:|")
    for conf, n, runs in rows:
        cols = [summary([r[k] for r in runs]) for k in ("p50", "p99", "kib", "cpu_ms")]
        print(f"| {n} | {conf['layer']} | {conf['ws']} | {conf['deflate']} | {conf['workers']} | "
              + " | ".join(cols) + " |")  # fmt: skip


if __name__ == "__main__":
    main()
