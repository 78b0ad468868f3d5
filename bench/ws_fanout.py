"""Fan-out of a committed case event to N open sockets: latency and memory per socket.

Starts its own uvicorn (config.asgi, one process) unless --url is given, opens
N sockets on one case as its reporter (session cookie), then commits status
changes and replies through the real services and times each from the commit
to its arrival on every socket. Memory per idle socket is the server's RSS
growth (/proc/<pid>/status VmRSS) divided by N.

    .venv/bin/python bench/ws_fanout.py --sockets 1000 5000 --layer core pubsub

Uses the database in DATABASE_URL (default: the `make run` one) and Redis in
REDIS_URL; writes one bench user and one case there. Client and server share
the machine's two cores, so the figures are upper bounds for the server.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import socket
import statistics
import subprocess
import sys
import tempfile
import time
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
from django.db import transaction  # noqa: E402
from django.test import Client  # noqa: E402

from accounts.models import Role, RoleAssignment, User  # noqa: E402
from helpdesk import lifecycle  # noqa: E402
from helpdesk.filing import ticket_file  # noqa: E402
from helpdesk.models import Department, DepartmentMembership, Service, Ticket  # noqa: E402

LAYERS = {
    "core": "channels_redis.core.RedisChannelLayer",
    "pubsub": "channels_redis.pubsub.RedisPubSubChannelLayer",
}


def raise_fd_limit(need: int) -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < need:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(need, hard), hard))


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


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


def start_server(layer: str, port: int) -> subprocess.Popen[bytes]:
    module_dir = Path(tempfile.mkdtemp(prefix="wsbench"))
    (module_dir / "bench_settings.py").write_text(
        f"from config.settings import *  # noqa\nCHANNEL_LAYERS = {layer_settings(layer)!r}\n"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench_settings",
        "PYTHONPATH": f"{module_dir}:{ROOT}",
    }
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "config.asgi:application",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--lifespan",
            "off",
            "--no-access-log",
            "--log-level",
            "warning",
            "--backlog",
            "8192",
        ],
        cwd=ROOT,
        env=env,
    )
    for _ in range(200):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return server
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("uvicorn did not start")


async def run(
    url: str, ticket: Ticket, officer: User, cookie: str, n: int, rounds: int, pid: int | None
) -> dict[str, float]:
    arrivals: list[list[float]] = [[] for _ in range(rounds)]
    ready = 0
    all_ready = asyncio.Event()
    stop = asyncio.Event()
    headers = {"Cookie": f"{settings.SESSION_COOKIE_NAME}={cookie}"}

    async def client() -> None:
        nonlocal ready
        async with websockets.connect(
            f"{url}/ws/cases/{ticket.number}/",
            origin="http://127.0.0.1",  # type: ignore[arg-type]
            additional_headers=headers,
            open_timeout=120,
            ping_interval=None,
        ) as ws:
            seen = 0
            async for raw in ws:
                message = json.loads(raw)
                if message["type"] == "synced":
                    ready += 1
                    if ready == n:
                        all_ready.set()
                elif message["type"] == "event":
                    arrivals[seen].append(time.perf_counter())
                    seen += 1
                    if seen == rounds:
                        break
            await stop.wait()

    before = rss_kib(pid) if pid else 0
    tasks = []
    for i in range(n):
        tasks.append(asyncio.create_task(client()))
        if i % 200 == 199:
            await asyncio.sleep(0.05)
    await asyncio.wait_for(all_ready.wait(), 300)
    await asyncio.sleep(1)
    after = rss_kib(pid) if pid else 0
    latencies: list[float] = []
    for r in range(rounds):
        committed: list[float] = []

        def change(committed: list[float] = committed, r: int = r) -> None:
            # Registered first, so it runs first: the moment of the commit.
            with transaction.atomic():
                transaction.on_commit(lambda: committed.append(time.perf_counter()))
                lifecycle.ticket_reply(ticket=ticket, by=officer, body=f"bench {r}")

        await asyncio.to_thread(change)
        deadline = time.monotonic() + 60
        while len(arrivals[r]) < n and time.monotonic() < deadline:  # noqa: ASYNC110 - a count
            await asyncio.sleep(0.01)
        latencies += [(t - committed[0]) * 1000 for t in arrivals[r]]
        lost = n - len(arrivals[r])
        if lost:
            print(f"  round {r}: {lost} sockets got nothing within 60 s")
    stop.set()
    await asyncio.gather(*tasks, return_exceptions=True)
    latencies.sort()
    return {
        "p50": statistics.median(latencies),
        "p99": latencies[int(len(latencies) * 0.99) - 1],
        "kib_per_socket": (after - before) / n if pid else float("nan"),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sockets", type=int, nargs="+", default=[1000, 5000])
    parser.add_argument("--layer", choices=LAYERS, nargs="+", default=["core", "pubsub"])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--url", help="a running server, e.g. ws://127.0.0.1:8000 (no RSS then)")
    args = parser.parse_args()
    raise_fd_limit(max(args.sockets) * 2 + 1000)
    ticket, officer, cookie = setup_case()
    rows: list[tuple[str, int, dict[str, float]]] = []
    for layer in args.layer if not args.url else ["(running server)"]:
        for n in args.sockets:
            server = None
            settings.CHANNEL_LAYERS = layer_settings(layer if not args.url else "core")
            channel_layers.backends = {}  # forget the previous layer
            if args.url:
                url, pid = args.url, None
            else:
                port = 18000 + n % 1000 + len(rows)
                server = start_server(layer, port)
                url, pid = f"ws://127.0.0.1:{port}", server.pid
            try:
                result = asyncio.run(run(url, ticket, officer, cookie, n, args.rounds, pid))
            finally:
                if server is not None:
                    server.terminate()
                    server.wait()
            rows.append((layer, n, result))
            print(
                f"{layer:8} {n:6} sockets: p50 {result['p50']:8.1f} ms  p99 "
                f"{result['p99']:8.1f} ms  {result['kib_per_socket']:6.1f} KiB/socket",
                flush=True,
            )
    print("\n| layer | sockets | p50 ms | p99 ms | KiB per idle socket |")
    print("|---|---:|---:|---:|---:|")
    for layer, n, r in rows:
        print(f"| {layer} | {n} | {r['p50']:.1f} | {r['p99']:.1f} | {r['kib_per_socket']:.1f} |")


if __name__ == "__main__":
    main()
