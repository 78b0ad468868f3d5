"""The real `run_delivery_worker` command, killed and stopped mid-send.

The command runs as a subprocess on the test database, with SMS going to the
stand-in gateway on 127.0.0.1 (tests/http_stub.py) that answers slowly, so the
worker is caught holding claimed rows. Only the gateway is stood in for; the
worker, its claims and PostgreSQL are the real ones.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import time as clock
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from accounts.models import User
from notifications.gateways import delivery_key
from notifications.models import (
    Channel,
    Delivery,
    DeliveryStatus,
    FanOut,
    Notification,
    NotificationPreference,
)
from notifications.services import Message, notifications_send
from tests import factories
from tests.http_stub import Gateway

ROOT = Path(__file__).resolve().parents[2]
LEASE_SECONDS = 3

Worker = Callable[..., subprocess.Popen[bytes]]


def _people(count: int) -> list[User]:
    people = []
    for number in range(count):
        person = factories.user_create(full_name=f"Người nhận {number}")
        # SMS only, and no quiet hours: the test must not depend on the clock.
        NotificationPreference.objects.create(
            user=person, email_enabled=False, quiet_start=clock(0), quiet_end=clock(0)
        )
        notifications_send(
            recipient_ids=[person.pk],
            message=Message(texts={"vi": ("Phản ánh đã được tiếp nhận", "")}, dedupe_key="e:1"),
        )
        people.append(person)
    return people


def _sms_rows() -> list[Delivery]:
    return list(Delivery.objects.filter(channel=Channel.SMS).order_by("pk"))


def _wait_for(condition: Callable[[], bool], *, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.05)


@pytest.fixture
def start_worker(transactional_db: None, gateway: Gateway, tmp_path: Path) -> Iterator[Worker]:
    """Start `manage.py run_delivery_worker` on the test database; stop it at the end."""
    db = connection.settings_dict
    env = {
        **os.environ,
        # The production settings: the test settings pin SMS to memory.
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DJANGO_DEBUG": "true",
        "DATABASE_URL": (
            f"postgis://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
        ),
        "DATABASE_CONN_MAX_AGE": "0",
        "REDIS_URL": settings.REDIS_URL,
        "SMS_BACKEND": "http",
        "SMS_HTTP_URL": gateway.url,
        "SMS_HTTP_TOKEN": "gw-token",
        "ZALO_BACKEND": "off",
        "EMAIL_MODE": "console",
        "NOTIFICATIONS_LEASE_SECONDS": str(LEASE_SECONDS),
    }
    started: list[subprocess.Popen[bytes]] = []

    def start(interval: float = 0.2) -> subprocess.Popen[bytes]:
        log = (tmp_path / f"worker-{len(started)}.log").open("wb")
        process = subprocess.Popen(  # noqa: S603 - this interpreter, the project's command
            [sys.executable, "manage.py", "run_delivery_worker", "--interval", str(interval)],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        started.append(process)
        return process

    yield start
    for process in started:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=10)


def test_killed_worker_leaves_its_claims_until_the_lease_ends_then_each_is_sent_once(
    start_worker: Worker, gateway: Gateway
) -> None:
    people = _people(4)
    # The first message is held by the gateway long after the kill.
    gateway.delay = 30
    first = start_worker()
    _wait_for(lambda: len(gateway.received) == 1, seconds=20, what="the first send")
    first.kill()
    first.wait(timeout=10)

    # Killed mid-send: the whole batch stays claimed, nobody may take it yet.
    rows = _sms_rows()
    assert [(r.status, r.attempts) for r in rows] == [(DeliveryStatus.PENDING, 1)] * 4
    assert all(r.next_attempt_at > timezone.now() for r in rows)
    lease_end = min(r.next_attempt_at for r in rows).timestamp()

    gateway.delay = 0
    second = start_worker()
    _wait_for(
        lambda: all(r.status == DeliveryStatus.SENT for r in _sms_rows()),
        seconds=LEASE_SECONDS + 15,
        what="every SMS to be sent after the lease",
    )
    second.send_signal(signal.SIGTERM)
    assert second.wait(timeout=10) == 0

    in_flight, *resent = gateway.received
    # Nothing was taken again before the killed worker's lease ran out.
    assert all(request["at"] >= lease_end for request in resent)
    # At the gateway: the message in flight at the kill arrived twice, under
    # one idempotency key a deduping gateway drops; every other exactly once.
    keys = Counter(request["headers"]["idempotency-key"] for request in gateway.received)
    assert keys == Counter({delivery_key(row): 1 for row in rows}) + Counter(
        {in_flight["headers"]["idempotency-key"]: 1}
    )
    phones = Counter(request["json"]["to"] for request in resent)
    assert phones == Counter(person.phone for person in people)


def test_sigterm_finishes_the_send_in_progress_and_hands_the_rest_back(
    start_worker: Worker, gateway: Gateway
) -> None:
    _people(3)
    gateway.delay = 1.5
    worker = start_worker()
    _wait_for(lambda: len(gateway.received) == 1, seconds=20, what="the first send")
    worker.send_signal(signal.SIGTERM)
    assert worker.wait(timeout=10) == 0

    assert len(gateway.received) == 1
    sent, *rest = _sms_rows()
    assert sent.status == DeliveryStatus.SENT
    assert gateway.received[0]["headers"]["idempotency-key"] == delivery_key(sent)
    # Due again at once for the next worker, and no attempt spent on them.
    assert [(r.status, r.attempts) for r in rest] == [(DeliveryStatus.PENDING, 0)] * 2
    assert all(r.next_attempt_at <= timezone.now() for r in rest)


def test_a_committed_fan_out_wakes_the_idle_worker_at_once(
    start_worker: Worker, settings: Any
) -> None:
    """The worker sleeps 30 s between idle passes, yet a message to many people
    committed meanwhile is told within seconds: the commit's NOTIFY wakes it."""
    settings.NOTIFICATIONS_INLINE_MAX = 2
    people = [factories.user_create(full_name=f"Người theo dõi {n}") for n in range(5)]
    worker = start_worker(interval=30)
    time.sleep(2)  # past its first pass: idle, listening
    assert worker.poll() is None
    committed = time.monotonic()
    notifications_send(
        recipient_ids=[p.pk for p in people],
        message=Message(texts={"vi": ("Có trả lời mới", "")}, dedupe_key="case-event:9"),
    )
    assert not Notification.objects.exists()  # queued, not written by this request
    _wait_for(lambda: Notification.objects.count() == len(people), seconds=10, what="the fan-out")
    waited = time.monotonic() - committed
    print(f"fan-out told {len(people)} people {waited:.2f} s after its commit")
    assert waited < 10
    # Marked done just after its last chunk commits.
    _wait_for(lambda: FanOut.objects.filter(done_at__isnull=False).exists(), seconds=5, what="done")
