"""The delivery worker when PostgreSQL goes away and comes back (issue 12).

`make run` stops every server when one of them exits (scripts/serve.sh waits
for the first to end), so a worker that died on a database restart took the
whole site down with it (bench/pg_restart.py found it). The real command runs
here against the test database through a TCP relay (tests/faults/tcp_cut.py)
that is cut as a restart would cut it.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from datetime import time as clock
from pathlib import Path

import pytest
from django.conf import settings

from notifications.models import Channel, Delivery, DeliveryStatus, NotificationPreference
from notifications.services import Message, notifications_send
from tests import factories
from tests.faults.tcp_cut import TcpCut
from tests.http_stub import Gateway

ROOT = Path(__file__).resolve().parents[2]


def _wait_for(
    condition: Callable[[], bool], *, seconds: float, what: str, log: Path | None = None
) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            # What the worker and the outbox said: this failed once in CI
            # under heavy load, after the gateway had got the message.
            rows = list(
                Delivery.objects.values("id", "status", "attempts", "next_attempt_at", "last_error")
            )
            tail = log.read_text()[-3000:] if log is not None and log.exists() else ""
            pytest.fail(f"timed out waiting for {what}; deliveries {rows}; worker log:\n{tail}")
        time.sleep(0.05)


def _sms_to(phone: str) -> None:
    person = factories.user_create(full_name="Nguyễn Văn Bình", phone=phone)
    NotificationPreference.objects.create(
        user=person, email_enabled=False, quiet_start=clock(0), quiet_end=clock(0)
    )
    notifications_send(
        recipient_ids=[person.pk],
        message=Message(texts={"vi": ("Phản ánh đã được tiếp nhận", "")}, dedupe_key="e:1"),
    )


@pytest.fixture
def relay(transactional_db: None) -> Iterator[TcpCut]:
    database = settings.DATABASES["default"]
    cut = TcpCut(target=(database["HOST"], int(database["PORT"])))
    yield cut
    cut.close()


@pytest.fixture
def worker(relay: TcpCut, gateway: Gateway, tmp_path: Path) -> Iterator[subprocess.Popen[bytes]]:
    database = settings.DATABASES["default"]
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DJANGO_DEBUG": "true",
        "DATABASE_URL": (
            f"postgis://{database['USER']}:{database['PASSWORD']}@127.0.0.1:{relay.port}/"
            f"{database['NAME']}"
        ),
        # Persistent, as in `make run`: the restart breaks the open connection.
        "DATABASE_CONN_MAX_AGE": "60",
        "DATABASE_CONNECT_TIMEOUT": "2",
        "REDIS_URL": settings.REDIS_URL,
        "SMS_BACKEND": "http",
        "SMS_HTTP_URL": gateway.url,
        "SMS_HTTP_TOKEN": "gw-token",
        "ZALO_BACKEND": "off",
        "EMAIL_MODE": "console",
    }
    log = (tmp_path / "worker.log").open("wb")
    process = subprocess.Popen(
        [sys.executable, "manage.py", "run_delivery_worker", "--interval", "0.2"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    yield process
    if process.poll() is None:
        process.kill()
    process.wait(timeout=10)


def test_worker_outlives_a_database_restart_and_sends_what_was_queued_after_it(
    relay: TcpCut, worker: subprocess.Popen[bytes], gateway: Gateway, tmp_path: Path
) -> None:
    _sms_to("+84912000001")
    # Until the worker has recorded the send, not only until the gateway got it:
    # a cut in between leaves that row leased for minutes (the lease), and the
    # count below never reached 2 on a loaded machine.
    _wait_for(
        lambda: (
            len(gateway.received) == 1
            and Delivery.objects.filter(channel=Channel.SMS, status=DeliveryStatus.SENT).count()
            == 1
        ),
        seconds=20,
        what="the first send",
    )

    relay.cut()
    time.sleep(3)  # several passes meet the outage
    assert worker.poll() is None, (tmp_path / "worker.log").read_text()[-3000:]
    relay.restore()

    _sms_to("+84912000002")
    _wait_for(
        lambda: (
            Delivery.objects.filter(channel=Channel.SMS, status=DeliveryStatus.SENT).count() == 2
        ),
        seconds=20,
        what="the SMS queued after the restart",
        log=tmp_path / "worker.log",
    )
    assert sorted(r["json"]["to"] for r in gateway.received) == ["+84912000001", "+84912000002"]
    assert "Database unavailable" in (tmp_path / "worker.log").read_text()
    worker.send_signal(signal.SIGTERM)
    assert worker.wait(timeout=10) == 0
