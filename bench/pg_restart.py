"""PostgreSQL restarted under load: clean 503s, recovery by itself, nothing acknowledged lost.

Against a running `make run` stack (nginx, gunicorn, uvicorn, the delivery
worker), --clients threads each send a mix of requests for --duration seconds:
filings with a photo (POST /api/v1/reports/cases with an Idempotency-Key),
officer actions on their own filings (accept, start, reply, resolve), API reads
and public page loads. At --restart-at seconds the stack's private PostgreSQL
is restarted (`pg_ctl restart -m fast`, or stopped for --down-seconds and
started with the same options). A client that gets a 503 or loses its
connection sends the same request again (a filing with the same key) after
Retry-After, shortened to --retry-cap seconds for the bench (printed).

Printed: answers by outcome (2xx, documented 503, 4xx, connection error,
malformed 503, other 5xx), overall and in the 10 s after each restart; the time
from each restart to the first 2xx of a request sent after it. Then checked
in the database: every logical filing is there exactly once with its photo and
first event (none lost, none doubled, none half-saved), every acknowledged
officer action is there, the app's processes are the same ones as before,
and a socket opened after the last restart receives a push. Exits 1 if a
check fails or any answer was a 5xx other than the documented 503.

Only the PostgreSQL whose postmaster.pid is in --run-dir and listens on
DATABASE_URL's port is restarted. With a stack on other ports:

    XADESK_PG_PORT=55732 XADESK_PORT=8200 .venv/bin/python bench/pg_restart.py \\
        --clients 8 --duration 40 --restart-at 10 25
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from fault_stack import (
    CLIENT_4XX,
    CONN_ERROR,
    DEFAULT_RUN,
    DEFAULT_URL,
    OK,
    OUTAGE_503,
    People,
    Tally,
    bench_people,
    jpeg,
    limits_hint,
    new_key,
    pg_ctl,
    pg_guard,
    pg_start_options,
    print_counts,
    processes_gone,
    request,
    retry_after,
    serve_processes,
)
from websockets.asyncio.client import connect
from websockets.exceptions import WebSocketException

# An officer's next step on a case, in order; then replies only.
STEPS = ("accept", "start", "reply", "resolve")


@dataclass
class Filing:
    key: str
    marker: str
    number: str = ""
    tries: int = 0
    steps_done: int = 0


@dataclass
class Client:
    """One simulated phone (a resident) and the officer who handles its filings."""

    index: int
    resident: str
    officer: str
    filings: list[Filing] = field(default_factory=list)
    lost: list[Filing] = field(default_factory=list)
    actions_ok: list[tuple[str, str, str]] = field(default_factory=list)  # number, step, event id
    conflicts_after_retry: int = 0


def send_until_answered(
    http: httpx.Client,
    tally: Tally,
    kind: str,
    args: argparse.Namespace,
    method: str,
    path: str,
    **kwargs: object,
) -> tuple[httpx.Response | None, int]:
    """Send, and again after a 503 or a lost connection, until another answer or --give-up."""
    deadline = time.time() + args.give_up
    tries = 0
    while True:
        tries += 1
        outcome, response = request(http, tally, kind, method, path, **kwargs)
        if outcome not in (OUTAGE_503, CONN_ERROR):
            return response, tries
        if time.time() > deadline:
            return None, tries
        time.sleep(retry_after(response, args.retry_cap))


def file_case(
    client: Client, http: httpx.Client, tally: Tally, people: People, args: argparse.Namespace,
    seq: int,
) -> None:  # fmt: skip
    filing = Filing(new_key(), f"pgbench {args.tag} {client.index}-{seq}")
    place = people.place
    photo = jpeg(hash(filing.key))
    response, filing.tries = send_until_answered(
        http, tally, "filing", args, "POST", "/api/v1/reports/cases",
        data={"service": place.service, "description": filing.marker,
              "lat": str(place.lat), "lon": str(place.lon)},
        files={"photos": ("p.jpg", photo, "image/jpeg")},
        headers={"Authorization": f"Bearer {client.resident}", "Idempotency-Key": filing.key},
    )  # fmt: skip
    if response is not None and response.status_code in (200, 201):
        filing.number = response.json()["case"]["number"]
        client.filings.append(filing)
    else:
        client.lost.append(filing)


def officer_step(
    client: Client, http: httpx.Client, tally: Tally, args: argparse.Namespace
) -> None:
    if not client.filings:
        return
    filing = random.choice(client.filings)
    step = STEPS[min(filing.steps_done, len(STEPS) - 1)] if filing.steps_done < 4 else "reply"
    auth = {"Authorization": f"Bearer {client.officer}"}
    path = f"/api/v1/helpdesk/cases/{filing.number}/{step}"
    if step == "accept":
        kwargs: dict[str, object] = {"json": {}}
    elif step == "start":
        kwargs = {}
    else:
        kwargs = {"data": {"body": f"{step} {filing.marker} {filing.steps_done}"}}
    response, tries = send_until_answered(http, tally, step, args, "POST", path, headers=auth,
                                          **kwargs)  # fmt: skip
    if response is None:
        return
    if response.status_code in (200, 201):
        event_id = str(response.json().get("id", "")) if step == "reply" else ""
        client.actions_ok.append((filing.number, step, event_id))
        filing.steps_done += 1
    elif response.status_code == 409 and tries > 1:
        # The first attempt was saved but its answer lost on the way: the
        # retry meets the new state. Correct; the database check finds it.
        client.conflicts_after_retry += 1
        filing.steps_done += 1


def run_client(client: Client, people: People, tally: Tally, args: argparse.Namespace,
               stop: threading.Event) -> None:  # fmt: skip
    rng = random.Random(client.index)
    seq = 0
    auth = {"Authorization": f"Bearer {client.officer}"}
    with httpx.Client(base_url=args.url, timeout=args.timeout) as http:
        while not stop.is_set():
            roll = rng.random()
            if roll < 0.3 or not client.filings:
                seq += 1
                file_case(client, http, tally, people, args, seq)
            elif roll < 0.55:
                officer_step(client, http, tally, args)
            elif roll < 0.8:
                if rng.random() < 0.5:
                    request(http, tally, "read", "GET", "/api/v1/helpdesk/cases?limit=20",
                            headers=auth)  # fmt: skip
                else:
                    number = rng.choice(client.filings).number
                    request(http, tally, "read", "GET", f"/api/v1/helpdesk/cases/{number}",
                            headers=auth)  # fmt: skip
            else:
                request(http, tally, "page", "GET", rng.choice(("/", "/reports/map/", "/map/")))


def restart(data: Path, down: float) -> tuple[float, float]:
    """Restart the cluster; (moment it began, moment it accepts connections again)."""
    began = time.time()
    if down <= 0:
        pg_ctl(data, "restart", "-m", "fast", "-w")
    else:
        options = pg_start_options(data)
        pg_ctl(data, "stop", "-m", "fast", "-w")
        time.sleep(down)
        pg_ctl(data, "start", "-w", "-l", str(data.parent / "server.log"), "-o", options)
    return began, time.time()


async def socket_gets_push(ws_url: str, officer: str, http_url: str, number: str) -> str:
    """Open a case socket, reply on the case over HTTP, and wait for that event on the socket;
    "" if it came, else what went wrong."""
    try:
        return await _socket_gets_push(ws_url, officer, http_url, number)
    except (OSError, TimeoutError, WebSocketException, httpx.HTTPError) as exc:
        return f"{type(exc).__name__}: {exc}"


async def _socket_gets_push(ws_url: str, officer: str, http_url: str, number: str) -> str:
    headers = {"Authorization": f"Bearer {officer}"}
    async with connect(f"{ws_url}/ws/cases/{number}/", additional_headers=headers) as ws:
        first = json.loads(await asyncio.wait_for(ws.recv(), 10))
        if first.get("type") != "synced":
            return f"first message {first}"
        async with httpx.AsyncClient(base_url=http_url, timeout=20) as http:
            answer = await http.post(f"/api/v1/helpdesk/cases/{number}/reply", headers=headers,
                                     data={"body": "after the restart"})  # fmt: skip
        if answer.status_code != 201:
            return f"reply answered {answer.status_code}"
        wanted = answer.json()["id"]
        while True:
            message = json.loads(await asyncio.wait_for(ws.recv(), 10))
            if message.get("type") == "event" and message["event"]["id"] == wanted:
                return ""


def check_database(clients: list[Client], tag: str) -> dict[str, int]:
    from django.db import close_old_connections

    from helpdesk.models import Attachment, Ticket, TicketEvent

    close_old_connections()
    filed = [f for c in clients for f in c.filings]
    tickets = Ticket.objects.filter(description__startswith=f"pgbench {tag} ")
    by_marker: dict[str, list[str]] = {}
    for description, number in tickets.values_list("description", "number"):
        by_marker.setdefault(description, []).append(number)
    missing = sum(1 for f in filed if by_marker.get(f.marker) != [f.number])
    doubled = sum(1 for numbers in by_marker.values() if len(numbers) > 1)
    half_saved = (
        tickets.exclude(pk__in=Attachment.objects.values("ticket_id")).count()
        + tickets.exclude(pk__in=TicketEvent.objects.values("ticket_id")).count()
    )
    lost_actions = 0
    for client in clients:
        for number, step, event_id in client.actions_ok:
            events = TicketEvent.objects.filter(ticket__number=number)
            if step == "reply":
                found = events.filter(pk=int(event_id)).exists()
            else:
                status = {"accept": "accepted", "start": "in_progress", "resolve": "resolved"}[step]
                found = events.filter(to_status=status).exists()
            lost_actions += not found
    return {
        "filings acknowledged": len(filed),
        "filings never acknowledged (lost)": sum(len(c.lost) for c in clients),
        "acknowledged filings missing in the database": missing,
        "cases filed twice": doubled,
        "cases without their photo or first event": half_saved,
        "acknowledged officer actions missing": lost_actions,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--url", default=DEFAULT_URL, help="the stack's nginx (default %(default)s)"
    )
    parser.add_argument("--run-dir", type=Path, default=DEFAULT_RUN,
                        help="the .run folder of that stack (default %(default)s)")  # fmt: skip
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--duration", type=float, default=40.0, help="seconds of load")
    parser.add_argument("--restart-at", type=float, nargs="+", default=[10.0, 25.0],
                        help="seconds into the load at which PostgreSQL restarts")  # fmt: skip
    parser.add_argument("--down-seconds", type=float, default=0.0,
                        help="0: pg_ctl restart; else stop, wait this long, start")  # fmt: skip
    parser.add_argument("--retry-cap", type=float, default=1.0,
                        help="clients wait min(Retry-After, this) to send again")  # fmt: skip
    parser.add_argument("--give-up", type=float, default=60.0,
                        help="a client stops sending a request again after this long")  # fmt: skip
    parser.add_argument("--timeout", type=float, default=30.0, help="HTTP timeout, seconds")
    args = parser.parse_args()
    args.tag = new_key()[:8]
    from django.conf import settings

    data = pg_guard(args.run_dir, settings.DATABASE_URL)
    processes = serve_processes(args.run_dir)
    people = bench_people(reporters=args.clients, tag=args.tag)
    clients = [Client(i, people.reporter_tokens[i], people.officer_token)
               for i in range(args.clients)]  # fmt: skip
    print(f"pg_restart: {args.clients} clients, {args.duration:.0f} s, restarts at "
          f"{args.restart_at} s, down {args.down_seconds} s, Retry-After capped at "
          f"{args.retry_cap} s, give up after {args.give_up} s; {args.url}, "
          f"cluster {data}")  # fmt: skip
    tally, stop = Tally(), threading.Event()
    threads = [threading.Thread(target=run_client, args=(c, people, tally, args, stop))
               for c in clients]  # fmt: skip
    start = time.time()
    for thread in threads:
        thread.start()
    restarts: list[tuple[float, float]] = []
    for at in sorted(args.restart_at):
        time.sleep(max(0.0, start + at - time.time()))
        restarts.append(restart(data, args.down_seconds))
    time.sleep(max(0.0, start + args.duration - time.time()))
    stop.set()
    for thread in threads:
        thread.join()
    print("answers by outcome (requests sent in the window):")
    print_counts("whole run", tally.counts())
    recovery_ok = True
    for n, (began, back) in enumerate(restarts, 1):
        first = tally.first_ok_after(back)
        recovered = f"{first.done - began:.2f} s" if first else "never"
        recovery_ok &= first is not None
        print_counts(f"restart {n}: 10 s from it", tally.counts(began - 1, began + 10))
        print(f"    pg_ctl took {back - began:.2f} s; first 2xx of a request sent after it: "
              f"{recovered} after the restart began")  # fmt: skip
    outages = Counter(a.kind for a in tally.answers if a.outcome == OUTAGE_503)
    print(f"  documented 503s by request: {dict(outages) or 'none'}")
    retried = [f for c in clients for f in c.filings if f.tries > 1]
    print(f"  filings retried: {len(retried)} (max {max((f.tries for f in retried), default=1)} "
          f"tries); officer actions met 409 after a retry (first try saved): "
          f"{sum(c.conflicts_after_retry for c in clients)}")  # fmt: skip
    for answer in tally.failures()[:10]:
        print(f"  FAILURE {answer.kind} {answer.status}: {answer.detail}")
    limits_hint(tally)
    codes = sorted({a.detail for a in tally.answers if a.outcome == CLIENT_4XX})
    if codes:
        print(f"  4xx answers: {', '.join(codes)}")

    figures = check_database(clients, args.tag)
    gone = processes_gone(processes)
    push = "no filing" if not clients[0].filings else asyncio.run(
        socket_gets_push(args.url.replace("http", "ws", 1), people.officer_token, args.url,
                         clients[0].filings[0].number))  # fmt: skip
    print("checked afterwards:")
    for name, value in figures.items():
        print(f"  {name}: {value}")
    print(f"  processes of make run gone: {gone or 'none'} (of {sorted(set(processes.values()))})")
    print(f"  socket opened after the restarts gets a push: {push or 'yes'}")
    failed = (
        bool(tally.failures()) or not recovery_ok or bool(gone) or bool(push)
        or any(v for k, v in figures.items() if k != "filings acknowledged")
        or tally.counts()[OK] == 0
    )  # fmt: skip
    print("RESULT:", "FAIL" if failed else "ok")
    raise SystemExit(1 if failed else 0)


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    main()
