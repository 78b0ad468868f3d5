"""Two HTTP processes, two WebSocket processes and two delivery workers on one machine.

As a deployment runs them: two gunicorns (config.wsgi) and two uvicorns
(config.asgi) on their own ports, and two `manage.py run_delivery_worker`, all
real OS processes on the test database and the real Redis, with SMS going to
the stand-in gateway on 127.0.0.1 (tests/http_stub.py). One test, four
claims, each of which fails if the processes kept anything to themselves:

(a) an officer's status change POSTed to HTTP process A reaches the
    resident's sockets held by both WebSocket processes (channels-redis);
(b) a reply on a case with 40 supporters, queued as one fan-out and sent by
    both delivery workers, reaches the gateway exactly once per person, and
    the resident's open case page whole, longer than nginx's buffer;
(c) a rate limit holds across both HTTP processes: concurrent "me too"
    presses split between A and B are accepted exactly up to the limit;
(d) a log-out through HTTP process A closes that key's sockets on both
    WebSocket processes, and not another device's.

WebSocket process C is served as `make run` serves sockets: on a Unix socket,
behind `make run`'s own nginx (scripts/nginx.conf.in, tests/nginx_site.py), so
its sockets in (a) and (b) go through nginx's /ws/ location.

One test rather than four: the servers live for all of it, and the database
flush between transactional tests would renumber the content types their
caches hold (see tests/browser/asgi.py).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import time as clock
from pathlib import Path
from typing import Any

import pytest
import redis
from django.conf import settings
from django.db import connection
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection, connect
from websockets.typing import Origin

from accounts.auth import api_token_create
from accounts.models import User
from core.group_socket import socket_json
from core.socket_ends import CLOSE_SIGNED_OUT
from helpdesk.models import Ticket, TicketEvent
from helpdesk.support import case_support_add
from notifications.gateways import delivery_key
from notifications.models import Channel, Delivery, DeliveryStatus, NotificationPreference
from tests import factories
from tests.conftest import COMMUNE_A, Personas
from tests.http_stub import Gateway
from tests.nginx_site import make_run_config, nginx_start, run_folder, unix_listens
from tests.notifications.live import free_port, session_cookie

ROOT = Path(__file__).resolve().parents[2]
SUPPORTERS = 40
SUPPORT_LIMIT = 5
PRESSES = 12


@dataclass
class Cluster:
    http: list[str]  # http://127.0.0.1:<port> of gunicorn A and B
    ws: list[str]  # ws://127.0.0.1:<port> of uvicorn B, and of nginx in front of C
    env: dict[str, str]
    logs: Path
    processes: list[subprocess.Popen[bytes]] = field(default_factory=list)

    def tail(self) -> str:
        return "\n".join(
            f"--- {log.name}\n{log.read_text(errors='replace')[-1500:]}"
            for log in sorted(self.logs.glob("*.log"))
        )


def _wait_for(
    condition: Callable[[], bool], *, seconds: float, what: str, cluster: Cluster
) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        dead = [p.args for p in cluster.processes if p.poll() is not None]
        if dead or time.monotonic() > deadline:
            pytest.fail(
                f"{what}: {'exited ' + str(dead) if dead else 'timed out'}\n{cluster.tail()}"
            )
        time.sleep(0.05)


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/healthz", timeout=2) as response:  # noqa: S310
            return bool(response.status == 200)
    except OSError:
        return False


@pytest.fixture
def redis_prefix() -> Iterator[str]:
    prefix = f"test-scale-{uuid.uuid4().hex[:8]}"
    yield prefix
    client = redis.Redis.from_url(settings.REDIS_URL, socket_timeout=2)
    keys = list(client.scan_iter(match=f"{prefix}*", count=1000))
    if keys:
        client.delete(*keys)
    client.close()


@pytest.fixture
def cluster(
    committed_reference_data: None, gateway: Gateway, redis_prefix: str, tmp_path: Path
) -> Iterator[Cluster]:
    db = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.scale.server_settings",
        "DJANGO_DEBUG": "true",
        "DATABASE_URL": (
            f"postgis://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
        ),
        "DATABASE_CONN_MAX_AGE": "0",
        "REDIS_URL": settings.REDIS_URL,
        "CHANNEL_LAYER": "redis",
        "XADESK_TEST_CHANNEL_PREFIX": f"{redis_prefix}-ch",
        "XADESK_TEST_RATE_LIMIT_PREFIX": f"{redis_prefix}-rl",
        "SMS_BACKEND": "http",
        "SMS_HTTP_URL": gateway.url,
        "SMS_HTTP_TOKEN": "gw-token",
        "ZALO_BACKEND": "off",
        "EMAIL_MODE": "console",
        # A message for more than 10 people is one FanOut the workers split up.
        "NOTIFICATIONS_INLINE_MAX": "10",
        "XADESK_RATE_SUPPORT_PERSON": f"{SUPPORT_LIMIT}/h",
        "XADESK_WARM_INDEX_SECONDS": "0",
        "XADESK_PHOTO_PROCESSING": "request",
        "DJANGO_MEDIA_ROOT": str(tmp_path / "media"),
        "XADESK_RUN_DIR": str(tmp_path / "run"),
    }
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    logs = tmp_path / "logs"
    logs.mkdir()
    http_ports, ws_port, nginx_port = [free_port(), free_port()], free_port(), free_port()
    run, sockets = run_folder()
    commands: dict[str, list[str]] = {}
    for name, port in zip(("http-a", "http-b"), http_ports, strict=True):
        commands[name] = [
            *(sys.executable, "-m", "gunicorn", "config.wsgi:application"),
            *("--bind", f"127.0.0.1:{port}", "--workers", "1", "--worker-class", "sync"),
            "--no-control-socket",
        ]
    for name, where in (
        ("ws-b", ("--host", "127.0.0.1", "--port", str(ws_port))),
        ("ws-c", ("--uds", str(sockets / "ws-c.sock"))),  # as scripts/serve.sh starts it
    ):
        commands[name] = [
            *(sys.executable, "-m", "uvicorn", "config.asgi:application", *where),
            *("--lifespan", "off", "--no-access-log"),
            *("--ws", "wsproto", "--ws-per-message-deflate", "false"),
        ]
    # What scripts/serve.sh tells the processes behind its nginx, which
    # forwards Host without the port.
    behind_nginx = {
        "DJANGO_SITE_ORIGINS": f"http://127.0.0.1:{nginx_port}",
        "DJANGO_TRUSTED_PROXIES": "unix",
    }
    for name in ("worker-1", "worker-2"):
        commands[name] = [sys.executable, "manage.py", "run_delivery_worker", "--interval", "0.5"]
    started = Cluster(
        http=[f"http://127.0.0.1:{port}" for port in http_ports],
        ws=[f"ws://127.0.0.1:{ws_port}", f"ws://127.0.0.1:{nginx_port}"],
        env=env,
        logs=logs,
    )
    try:
        for name, command in commands.items():
            own_env = {**env, **behind_nginx} if name == "ws-c" else env
            with (logs / f"{name}.log").open("wb") as out:
                started.processes.append(
                    subprocess.Popen(command, cwd=ROOT, env=own_env, stdout=out, stderr=out)  # noqa: S603
                )
        servers = [*started.http, f"http://127.0.0.1:{ws_port}"]
        began = time.monotonic()
        _wait_for(
            lambda: all(_healthy(url) for url in servers) and unix_listens(sockets / "ws-c.sock"),
            seconds=40,
            what="the three servers to answer /healthz, and uvicorn C its socket",
            cluster=started,
        )
        config = make_run_config(
            run=run, media=run / "media", sockets=sockets, port=nginx_port, ws=("ws-c.sock",)
        )
        try:
            started.processes.append(nginx_start(run, config, nginx_port))
        except RuntimeError as error:
            pytest.fail(str(error))
        print(f"servers up in {time.monotonic() - began:.1f} s")
        yield started
    finally:
        for process in started.processes:
            # gunicorn's quick stop is SIGINT (SIGTERM waits out its graceful
            # timeout); uvicorn and the workers stop at once on SIGTERM.
            quick = signal.SIGINT if "gunicorn" in list(process.args) else signal.SIGTERM  # type: ignore[arg-type]
            process.send_signal(quick)
        for process in started.processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        shutil.rmtree(run, ignore_errors=True)


def _quiet_free(*people: User) -> None:
    """SMS only, and no quiet hours: the test must not depend on the clock."""
    for person in people:
        NotificationPreference.objects.update_or_create(
            user=person,
            defaults={"email_enabled": False, "quiet_start": clock(0), "quiet_end": clock(0)},
        )


def _post(url: str, *, token: str, form: dict[str, str] | None = None) -> tuple[int, Any]:
    """POST a form, or without one an empty JSON object; return the status and JSON answer."""
    headers = {"Authorization": f"Bearer {token}", "Accept-Language": "en"}
    if form is None:
        body, headers["Content-Type"] = b"{}", "application/json"
    else:
        body = urllib.parse.urlencode(form).encode()
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def _socket(url: str, path: str, cookie: str) -> ClientConnection:
    return connect(
        f"{url}{path}",
        origin=Origin(url.replace("ws://", "http://")),
        additional_headers={"Cookie": f"{settings.SESSION_COOKIE_NAME}={cookie}"},
        open_timeout=10,
    )


def _token_socket(url: str, path: str, token: str) -> ClientConnection:
    return connect(
        f"{url}{path}", additional_headers={"Authorization": f"Bearer {token}"}, open_timeout=10
    )


def _next(ws: ClientConnection, *, kind: str) -> dict[str, Any]:
    """The next message of ``kind`` on the socket (others, e.g. unread counts, skipped)."""
    deadline = time.monotonic() + 15
    while True:
        message: dict[str, Any] = json.loads(ws.recv(timeout=max(0.1, deadline - time.monotonic())))
        if message.get("type") == kind:
            return message


def test_processes_share_pushes_deliveries_and_limits(
    cluster: Cluster, personas: Personas, gateway: Gateway
) -> None:
    http_a, http_b = cluster.http
    ws_b, ws_c = cluster.ws
    began = time.monotonic()
    commune = factories.commune_get(code=COMMUNE_A)
    # Before the filing: the running worker sends its SMS at once, and one
    # sent during the default quiet hours (21:00-07:00) waited for the morning.
    _quiet_free(*User.objects.all())
    ticket = factories.case_file(
        reporter=personas.resident, commune=commune, service_code="streetlight_out"
    )
    supporters = [factories.user_create(full_name=f"Người ủng hộ {n}") for n in range(SUPPORTERS)]
    _quiet_free(*supporters)
    for supporter in supporters:
        case_support_add(ticket=ticket, user=supporter)
    officer_token = api_token_create(user=personas.officer_a)

    print(f"data: {time.monotonic() - began:.1f} s")
    # (a) A status change made through HTTP process A reaches the resident's
    # sockets on both WebSocket processes.
    cookie = session_cookie(personas.resident)
    path = f"/ws/cases/{ticket.number}/?after=0"
    with (
        _socket(ws_b, path, cookie) as case_on_b,
        _socket(ws_c, path, cookie) as case_on_c,
        _socket(ws_c, "/ws/inbox/", cookie) as inbox_on_c,
    ):
        for ws in (case_on_b, case_on_c):
            _next(ws, kind="synced")  # subscribed, backlog sent
        _next(inbox_on_c, kind="unread")
        status, body = _post(
            f"{http_a}/api/v1/helpdesk/cases/{ticket.number}/accept", token=officer_token
        )
        assert status == 200, body
        for ws in (case_on_b, case_on_c):
            pushed = _next(ws, kind="event")
            assert pushed["event"]["to_status"] == "accepted"
        told = _next(inbox_on_c, kind="notification")
        assert ticket.number in told["notification"]["title"]

    print(f"(a): {time.monotonic() - began:.1f} s")
    # (b) A reply through HTTP process B to the reporter and 40 supporters:
    # one FanOut, split up and sent by both workers, once per person. Its
    # frame is longer than nginx's proxy buffer (4 KiB unless
    # scripts/nginx.conf.in sets it), so the resident's page through nginx
    # gets it in pieces, and whole.
    text = " ".join(["Đội điện lực sẽ thay bóng đèn trong tuần này, xin cảm ơn bà con."] * 60)
    with _socket(ws_c, path, cookie) as case_through_nginx:
        _next(case_through_nginx, kind="synced")
        status, body = _post(
            f"{http_b}/api/v1/helpdesk/cases/{ticket.number}/reply",
            token=officer_token,
            form={"body": text},
        )
        assert status == 201, body
        pushed = _next(case_through_nginx, kind="event")
        assert pushed["event"]["id"] == body["id"]
        assert pushed["event"]["body"] == text
        assert len(socket_json(pushed).encode()) > 4096  # as the server encodes it
    reply = TicketEvent.objects.get(pk=body["id"])
    recipients = {personas.resident.pk, *(s.pk for s in supporters)}

    def reply_sms() -> list[Delivery]:
        return list(
            Delivery.objects.filter(
                channel=Channel.SMS, notification__dedupe_key=f"case-event:{reply.pk}"
            ).select_related("notification")
        )

    _wait_for(
        lambda: (
            {d.notification.recipient_id for d in reply_sms() if d.status == "sent"} >= recipients
        ),
        seconds=30,
        what="the reply's SMS to every follower",
        cluster=cluster,
    )
    time.sleep(1.5)  # room for a second send of anything, were there one
    rows = reply_sms()
    per_person = Counter(d.notification.recipient_id for d in rows)
    assert set(per_person) >= recipients
    assert max(per_person.values()) == 1
    sent_keys = Counter(r["headers"].get("idempotency-key") for r in list(gateway.received))
    assert max(sent_keys.values()) == 1, sent_keys.most_common(3)
    assert {delivery_key(d) for d in rows} <= set(sent_keys)
    # Every SMS the gateway took is one outbox row marked sent, and the other
    # way round (once nothing is left in flight).
    _wait_for(
        lambda: (
            not Delivery.objects.filter(channel=Channel.SMS, status=DeliveryStatus.PENDING).exists()
        ),
        seconds=30,
        what="the outbox to empty",
        cluster=cluster,
    )
    sent_keys = Counter(r["headers"].get("idempotency-key") for r in list(gateway.received))
    assert max(sent_keys.values()) == 1, sent_keys.most_common(3)
    sent_rows = Delivery.objects.filter(channel=Channel.SMS, status=DeliveryStatus.SENT)
    assert set(sent_keys) == {delivery_key(d) for d in sent_rows}

    print(f"(b): {time.monotonic() - began:.1f} s")
    # (c) Concurrent "me too" presses from one person, split between A and B:
    # exactly SUPPORT_LIMIT go through, the rest get the limit's code. Limits
    # counted in each process would let 2 x SUPPORT_LIMIT through.
    presser = factories.user_create(full_name="Người bấm nhiều lần")
    token = api_token_create(user=presser)
    urls = [
        f"{(http_a, http_b)[n % 2]}/api/v1/reports/public/{ticket.public_id}/support"
        for n in range(PRESSES)
    ]
    start = threading.Barrier(PRESSES)

    def press(url: str) -> tuple[int, Any]:
        start.wait()
        return _post(url, token=token)

    with ThreadPoolExecutor(PRESSES) as pool:
        answers = list(pool.map(press, urls))
    statuses = Counter(status for status, _body in answers)
    assert statuses == {200: SUPPORT_LIMIT, 429: PRESSES - SUPPORT_LIMIT}, answers
    refused = [body for status, body in answers if status == 429]
    assert {body["code"] for body in refused} == {"support_rate_limited"}
    assert all(body["message"] for body in refused)
    assert Ticket.objects.get(pk=ticket.pk).supports.filter(user=presser).count() == 1

    print(f"(c): {time.monotonic() - began:.1f} s")
    # (d) The officer logs out through HTTP process A: the sockets that key
    # opened on both WebSocket processes close as signed out
    # (core/socket_ends.py); the same officer's other device keeps its own.
    other_device = api_token_create(user=personas.officer_a)
    with (
        _token_socket(ws_b, "/ws/queue/", officer_token) as queue_on_b,
        _token_socket(ws_c, "/ws/queue/", officer_token) as queue_on_c,
        _token_socket(ws_b, "/ws/queue/", other_device) as other_on_b,
    ):
        for ws in (queue_on_b, queue_on_c, other_on_b):
            _next(ws, kind="subscribed")
        logout = urllib.request.Request(  # noqa: S310
            f"{http_a}/api/v1/auth/logout",
            headers={"Authorization": f"Bearer {officer_token}"},
            method="POST",
        )
        with urllib.request.urlopen(logout, timeout=30) as response:  # noqa: S310
            assert response.status == 204
        for ws in (queue_on_b, queue_on_c):
            with pytest.raises(ConnectionClosed) as closed:
                ws.recv(timeout=10)
            assert closed.value.rcvd is not None
            assert closed.value.rcvd.code == CLOSE_SIGNED_OUT
        with pytest.raises(TimeoutError):
            other_on_b.recv(timeout=1)  # still open, nothing to say

    # The workers' health checks see them alive.
    for name in ("delivery",):
        health = subprocess.run(  # noqa: S603
            [sys.executable, "manage.py", "worker_health", name, "--max-age", "30"],
            cwd=ROOT,
            env=cluster.env,
            capture_output=True,
            text=True,
            check=False,
        )
        assert health.returncode == 0, health.stderr
