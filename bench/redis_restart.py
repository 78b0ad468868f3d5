"""Redis killed and restarted mid-run: HTTP keeps answering, sockets catch up, nothing lost.

Against a running `make run` stack: files --cases cases over HTTP, opens
--sockets WebSockets on them through nginx (half as the officer, who sees every
event, half as the case's reporter, who sees the public ones), each from
``after=0``; then an officer (and the reporters, who reopen resolved cases)
changes statuses, replies and writes internal notes over HTTP at --rate
actions a second. At --kill-at seconds the stack's private redis-server is
killed (SIGKILL, by the pid in <run-dir>/redis/redis.pid) and --down-seconds
later started again with the options it ran with (scripts/provision.sh's). A
socket that is closed reconnects with ``after=<last event id it got>``.

When the actions stop, every socket must end with exactly the events the HTTP
API shows its person for the case (GET /api/v1/helpdesk/cases/<number>), each
once and in order. Printed: HTTP answers by outcome overall and while Redis
was down, sockets dropped and reconnects, connection attempts refused while
Redis was down, events recovered by a reconnect's catch-up, gap catch-ups,
events lost after catch-up, duplicates, out-of-order events; the acknowledged
actions missing in the database; whether the app's processes survived. Exits
1 if any is lost, doubled, out of order or unsaved, or any answer was a 5xx.

Only the Redis on XADESK_REDIS_PORT whose pid file is in --run-dir is killed:

    XADESK_PG_PORT=55732 XADESK_REDIS_PORT=56679 XADESK_PORT=8200 \\
        .venv/bin/python bench/redis_restart.py --sockets 200 --cases 20 --down-seconds 5
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import signal
import statistics
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
    Answer,
    People,
    Refused,
    Tally,
    bench_people,
    classify,
    jpeg,
    limits_hint,
    new_key,
    print_counts,
    processes_gone,
    redis_guard,
    redis_start,
    serve_processes,
)
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed, WebSocketException

STATUS_OF = {"accept": "accepted", "start": "in_progress", "resolve": "resolved",
             "reopen": "in_progress"}  # fmt: skip


@dataclass
class Case:
    number: str
    reporter: str
    status: str = "new"
    acknowledged: list[tuple[str, int]] = field(default_factory=list)  # step, event id or 0


@dataclass
class Follower:
    """One socket's client: reconnects with ``after=`` whenever it is closed."""

    case: Case
    token: str
    view: str
    received: list[int] = field(default_factory=list)
    attempts: int = 0
    refused: int = 0  # attempts that never got to "synced"
    drops: int = 0  # live sockets the server closed
    recovered: int = 0  # events a reconnect's catch-up sent
    gap_catch_ups: int = 0  # "synced" while live: the server filled a gap itself
    duplicates: int = 0
    out_of_order: int = 0
    refusal: str = ""  # a 44xx close: the client must not reconnect
    drop_times: list[float] = field(default_factory=list)

    @property
    def last_id(self) -> int:
        return self.received[-1] if self.received else 0

    async def run(self, ws_base: str, stop: asyncio.Event, synced: asyncio.Event) -> None:
        headers = {"Authorization": f"Bearer {self.token}"}
        while not stop.is_set() and not self.refusal:
            self.attempts += 1
            live = False
            url = f"{ws_base}/ws/cases/{self.case.number}/?after={self.last_id}"
            try:
                async with connect(url, additional_headers=headers, open_timeout=10) as ws:
                    async for raw in ws:
                        message = json.loads(raw)
                        if message["type"] == "event":
                            self._event(message["event"]["id"], catching_up=not live)
                        elif message["type"] == "synced":
                            self.gap_catch_ups += live
                            live = True
                            synced.set()
                        if stop.is_set():
                            return
            except ConnectionClosed as exc:
                code = exc.rcvd.code if exc.rcvd else None
                if code is not None and 4400 <= code < 4500:
                    self.refusal = f"closed {code}"
            except (OSError, TimeoutError, WebSocketException):
                pass
            if stop.is_set():
                return
            if live:
                self.drops += 1
                self.drop_times.append(time.time())
            else:
                self.refused += 1
            await asyncio.sleep(random.uniform(0.2, 1.0))

    def _event(self, event_id: int, *, catching_up: bool) -> None:
        if event_id in self.received:
            self.duplicates += 1
            return
        if event_id < self.last_id:
            self.out_of_order += 1
        self.received.append(event_id)
        self.recovered += catching_up and self.attempts > 1


async def post(http: httpx.AsyncClient, tally: Tally, kind: str, path: str, token: str,
               **kwargs: object) -> httpx.Response | None:  # fmt: skip
    sent = time.time()
    try:
        response = await http.post(path, headers={"Authorization": f"Bearer {token}"}, **kwargs)  # type: ignore[arg-type]
    except httpx.TransportError as exc:
        tally.add(Answer(sent, time.time(), kind, CONN_ERROR, 0, type(exc).__name__))
        return None
    outcome, detail = classify(response)
    tally.add(Answer(sent, time.time(), kind, outcome, response.status_code, detail))
    return response


async def act(http: httpx.AsyncClient, tally: Tally, case: Case, officer: str) -> None:
    """The case's next step: the officer moves it on, replies or notes; the reporter reopens."""
    base = f"/api/v1/helpdesk/cases/{case.number}"
    roll = random.random()
    kwargs: dict[str, object]
    if case.status == "new":
        step, token, kwargs = "accept", officer, {"json": {}}
    elif case.status == "accepted":
        step, token, kwargs = "start", officer, {}
    elif case.status == "resolved" and roll < 0.6:
        step, token, kwargs = "reopen", case.reporter, {"json": {"reason": "chưa sửa xong"}}
    elif case.status == "in_progress" and roll < 0.3:
        step, token, kwargs = "resolve", officer, {"data": {"body": "đã xử lý"}}
    else:
        step = "note" if roll > 0.8 else "reply"
        token, kwargs = officer, {"data": {"body": f"{step} {time.time():.3f}"}}
    response = await post(http, tally, step, f"{base}/{step}", token, **kwargs)
    if response is None or response.status_code not in (200, 201):
        return
    body = response.json()
    case.acknowledged.append((step, int(body["id"]) if step in ("reply", "note") else 0))
    case.status = STATUS_OF.get(step, case.status)


async def read(http: httpx.AsyncClient, tally: Tally, case: Case) -> None:
    sent = time.time()
    try:
        response = await http.get(f"/api/v1/helpdesk/cases/{case.number}",
                                  headers={"Authorization": f"Bearer {case.reporter}"})  # fmt: skip
    except httpx.TransportError as exc:
        tally.add(Answer(sent, time.time(), "read", CONN_ERROR, 0, type(exc).__name__))
        return
    outcome, detail = classify(response)
    tally.add(Answer(sent, time.time(), "read", outcome, response.status_code, detail))


async def actions(http: httpx.AsyncClient, tally: Tally, cases: list[Case], officer: str,
                  rate: float, until: float) -> None:  # fmt: skip
    while time.time() < until:
        started = time.time()
        case = random.choice(cases)
        await (
            act(http, tally, case, officer) if random.random() < 0.8 else read(http, tally, case)
        )
        await asyncio.sleep(max(0.0, 1 / rate - (time.time() - started)))


def kill_and_restart(run_dir: Path, port: int, down: float) -> tuple[float, float]:
    pid, config = redis_guard(run_dir, port)
    killed = time.time()
    os.kill(pid, signal.SIGKILL)
    time.sleep(down)
    redis_start(config)
    # Up, under the same pid file (written by the daemonized child, a moment later).
    for _ in range(50):
        try:
            new_pid, _config = redis_guard(run_dir, port)
            break
        except Refused:
            time.sleep(0.1)
    else:
        new_pid, _config = redis_guard(run_dir, port)
    print(f"  killed redis-server pid {pid} (SIGKILL), started pid {new_pid} {down:.1f} s later")
    return killed, time.time()


async def bench(args: argparse.Namespace, people: People) -> bool:
    ws_base = args.url.replace("http", "ws", 1)
    processes = serve_processes(args.run_dir)
    tally = Tally()
    async with httpx.AsyncClient(base_url=args.url, timeout=30) as http:
        cases = []
        place = people.place
        for i, reporter in enumerate(people.reporter_tokens):
            response = await http.post(
                "/api/v1/reports/cases",
                data={"service": place.service, "description": f"redisbench {i}",
                      "lat": str(place.lat), "lon": str(place.lon)},
                files={"photos": ("p.jpg", jpeg(i), "image/jpeg")},
                headers={"Authorization": f"Bearer {reporter}", "Idempotency-Key": new_key()},
            )  # fmt: skip
            response.raise_for_status()
            cases.append(Case(response.json()["case"]["number"], reporter))
        followers = [
            Follower(cases[i % len(cases)], people.officer_token, "staff")
            if (i // len(cases)) % 2 == 0
            else Follower(cases[i % len(cases)], cases[i % len(cases)].reporter, "owner")
            for i in range(args.sockets)
        ]
        stop = asyncio.Event()
        synced = [asyncio.Event() for _ in followers]
        tasks = [
            asyncio.create_task(f.run(ws_base, stop, s))
            for f, s in zip(followers, synced, strict=True)
        ]
        await asyncio.wait_for(asyncio.gather(*(s.wait() for s in synced)), 120)
        print(f"  {len(followers)} sockets synced on {len(cases)} cases")
        start = time.time()
        until = start + args.duration
        actors = [asyncio.create_task(actions(http, tally, cases, people.officer_token,
                                              args.rate / args.actors, until))
                  for _ in range(args.actors)]  # fmt: skip
        await asyncio.sleep(args.kill_at)
        killed, back = await asyncio.to_thread(
            kill_and_restart, args.run_dir, args.redis_port, args.down_seconds
        )
        await asyncio.gather(*actors)
        # What each socket's person may see, as the HTTP catch-up shows it.
        expected: dict[tuple[str, str], list[int]] = {}
        for f in followers:
            if (f.case.number, f.token) not in expected:
                answer = await http.get(f"/api/v1/helpdesk/cases/{f.case.number}",
                                        headers={"Authorization": f"Bearer {f.token}"})  # fmt: skip
                expected[f.case.number, f.token] = [e["id"] for e in answer.json()["events"]]
        settle_end = time.time() + args.settle
        while time.time() < settle_end and any(  # noqa: ASYNC110 - polls the followers' lists
            f.received != expected[f.case.number, f.token] for f in followers
        ):
            await asyncio.sleep(0.2)
        settled = time.time()
        stop.set()
        await asyncio.wait(tasks, timeout=15)
        for task in tasks:
            task.cancel()

    outage = tally.counts(killed, back)
    print("HTTP answers by outcome:")
    print_counts("whole run", tally.counts())
    print_counts(f"Redis down ({back - killed:.1f} s)", outage)
    print_counts("first 5 s after restart", tally.counts(back, back + 5))
    for title, window in (("before the kill", (0.0, killed)), ("Redis down", (killed, back)),
                          ("after the restart", (back, float("inf")))):  # fmt: skip
        took = sorted(a.done - a.sent for a in tally.answers if window[0] <= a.sent < window[1])
        if took:
            print(f"  answer time {title}: median {statistics.median(took) * 1000:.0f} ms, "
                  f"max {took[-1] * 1000:.0f} ms")  # fmt: skip
    print(f"  actions per kind: {dict(Counter(a.kind for a in tally.answers))}")
    for failure in tally.failures()[:10]:
        print(f"  FAILURE {failure.kind} {failure.status}: {failure.detail}")
    limits_hint(tally)
    refused = Counter(f"{a.kind} {a.detail}" for a in tally.answers if a.outcome == CLIENT_4XX)
    if refused:  # two clients acting on one case at once: the second meets the new state
        print(f"  4xx answers: {dict(refused)}")
    lost = dup = disorder = 0
    for f in followers:
        want = expected[f.case.number, f.token]
        lost += len(set(want) - set(f.received))
        dup += f.duplicates
        disorder += f.out_of_order + (f.received != sorted(f.received))
    unsaved = await asyncio.to_thread(unsaved_actions, cases)
    events = sum(len(e) for e in expected.values())
    print("sockets:")
    print(f"  {len(followers)} sockets ({sum(f.view == 'staff' for f in followers)} officer, "
          f"{sum(f.view == 'owner' for f in followers)} reporter), "
          f"{len(expected)} distinct (case, person) streams, {events} events in them")  # fmt: skip
    print(f"  dropped while live: {sum(f.drops for f in followers)} "
          f"({sum(f.drops > 0 for f in followers)} sockets); reconnect attempts refused or failed: "
          f"{sum(f.refused for f in followers)}; closed 44xx: "
          f"{sum(bool(f.refusal) for f in followers)}")  # fmt: skip
    drops = sorted(t - killed for f in followers for t in f.drop_times)
    if drops:
        print(f"  server closed live sockets {drops[0]:.1f}–{drops[-1]:.1f} s after the kill "
              f"(median {statistics.median(drops):.1f} s)")  # fmt: skip
    print(f"  events missed live and recovered by a reconnect's catch-up: "
          f"{sum(f.recovered for f in followers)}; gap catch-ups while live: "
          f"{sum(f.gap_catch_ups for f in followers)}")  # fmt: skip
    print(f"  events lost after catch-up: {lost}; duplicates: {dup}; out of order: {disorder}; "
          f"all sockets complete {settled - until:.1f} s after the last action")  # fmt: skip
    acknowledged = sum(len(c.acknowledged) for c in cases)
    print(f"  acknowledged actions: {acknowledged}; missing in the database: {unsaved}")
    gone = processes_gone(processes)
    print(f"  processes of make run gone: {gone or 'none'}")
    return bool(
        lost or dup or disorder or unsaved or gone or tally.failures() or not tally.counts()[OK]
    )


def unsaved_actions(cases: list[Case]) -> int:
    """Acknowledged actions without their event in the database."""
    from django.db import close_old_connections

    from helpdesk.models import TicketEvent

    close_old_connections()
    missing = 0
    for case in cases:
        events = TicketEvent.objects.filter(ticket__number=case.number)
        ids = set(events.values_list("id", flat=True))
        statuses = Counter(events.exclude(to_status="").values_list("to_status", flat=True))
        wanted: Counter[str] = Counter()
        for step, event_id in case.acknowledged:
            if event_id:
                missing += event_id not in ids
            else:
                wanted[STATUS_OF[step]] += 1
        missing += sum((wanted - statuses).values())
    return missing


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--url", default=DEFAULT_URL, help="the stack's nginx (default %(default)s)"
    )
    parser.add_argument("--run-dir", type=Path, default=DEFAULT_RUN,
                        help="the .run folder of that stack (default %(default)s)")  # fmt: skip
    parser.add_argument("--redis-port", type=int,
                        default=int(os.environ.get("XADESK_REDIS_PORT", "56379")))  # fmt: skip
    parser.add_argument("--sockets", type=int, default=200)
    parser.add_argument("--cases", type=int, default=20)
    parser.add_argument("--rate", type=float, default=10.0, help="HTTP actions a second")
    parser.add_argument("--actors", type=int, default=2, help="concurrent HTTP clients")
    parser.add_argument("--duration", type=float, default=30.0, help="seconds of actions")
    parser.add_argument("--kill-at", type=float, default=8.0, help="seconds into the actions")
    parser.add_argument(
        "--down-seconds", type=float, default=5.0, help="Redis stays dead this long"
    )
    parser.add_argument("--settle", type=float, default=30.0,
                        help="seconds the sockets get to catch up after the actions")  # fmt: skip
    args = parser.parse_args()
    print(f"redis_restart: {args.sockets} sockets on {args.cases} cases, {args.rate} actions/s "
          f"from {args.actors} clients for {args.duration:.0f} s, Redis killed at "
          f"{args.kill_at} s for {args.down_seconds} s; {args.url}, port {args.redis_port}, "
          f"{args.run_dir}")  # fmt: skip
    redis_guard(args.run_dir, args.redis_port)  # refuse before doing anything
    people = bench_people(reporters=args.cases, tag=new_key()[:8])
    failed = asyncio.run(bench(args, people))
    print("RESULT:", "FAIL" if failed else "ok")
    raise SystemExit(1 if failed else 0)


if __name__ == "__main__":
    main()
