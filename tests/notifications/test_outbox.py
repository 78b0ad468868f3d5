"""Delivery: retries with backoff, quiet hours, the digest, exactly once per person and event."""

from __future__ import annotations

import asyncio
import json
import threading
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from asgiref.sync import async_to_sync
from channels_redis.core import RedisChannelLayer
from django.core import mail
from django.db import connection
from django.utils import timezone
from pytest_django.fixtures import Settings

from accounts.models import User
from core import sms
from notifications.gateways import delivery_key
from notifications.models import Channel, Delivery, DeliveryStatus, NotificationPreference
from notifications.outbox import (
    deliveries_claim,
    deliveries_process,
    delivery_renew,
    digests_send,
    lease,
)
from notifications.push import inbox_group
from notifications.selectors import notifications_unread_counts
from notifications.services import Message, notifications_send, notifications_write
from tests import factories
from tests.http_stub import Gateway
from tests.notifications.live import default_redis_layers

HCM = ZoneInfo("Asia/Ho_Chi_Minh")
NOON = datetime(2026, 11, 12, 12, 0, tzinfo=HCM)
NIGHT = datetime(2026, 11, 12, 23, 30, tzinfo=HCM)


@pytest.fixture(autouse=True)
def memory_gateways(settings: Settings) -> None:
    settings.SMS_BACKEND = "memory"
    settings.ZALO_BACKEND = "memory"
    sms.outbox.clear()


def _message(key: str = "case-event:1") -> Message:
    return Message(
        texts={
            "vi": ("Báo cáo #TN-2026-00123 đã được tiếp nhận", "Dự kiến xử lý trước 17:00"),
            "en": ("Report #TN-2026-00123 accepted", "Expected by 17:00"),
        },
        dedupe_key=key,
        link="/cases/TN-2026-00123/",
    )


def _person(language: str = "vi") -> User:
    return factories.user_create(
        full_name="Nguyễn Thị Lan", email="lan@example.vn", language=language
    )


@pytest.mark.django_db
def test_message_is_written_in_each_recipients_language_once_per_event() -> None:
    vi, en = _person(), _person(language="en")
    notifications_send(recipient_ids=[vi.pk, en.pk], message=_message(), now=NOON)
    again = notifications_send(recipient_ids=[vi.pk, en.pk], message=_message(), now=NOON)
    assert again == []
    assert vi.notifications.get().title.startswith("Báo cáo")
    assert en.notifications.get().title == "Report #TN-2026-00123 accepted"
    channels = set(
        Delivery.objects.filter(notification__recipient=vi).values_list("channel", flat=True)
    )
    assert channels == {Channel.IN_APP, Channel.EMAIL, Channel.SMS}


@pytest.mark.django_db
def test_failed_gateway_is_retried_with_backoff_then_given_up(
    settings: Settings, gateway: Gateway
) -> None:
    settings.NOTIFICATIONS_MAX_ATTEMPTS = 3
    settings.SMS_BACKEND = "http"
    settings.SMS_HTTP_URL = gateway.url
    settings.SMS_HTTP_TOKEN = "gw-token"
    gateway.status = 503
    person = _person()
    NotificationPreference.objects.create(user=person, email_enabled=False)
    notifications_send(recipient_ids=[person.pk], message=_message(), now=NOON)
    delivery = Delivery.objects.get(channel=Channel.SMS)
    assert deliveries_process(now=NOON) == {DeliveryStatus.FAILED: 1}
    delivery.refresh_from_db()
    first_retry = delivery.next_attempt_at
    assert first_retry > NOON
    assert deliveries_process(now=NOON) == {}  # not due yet
    assert deliveries_process(now=first_retry) == {DeliveryStatus.FAILED: 1}
    delivery.refresh_from_db()
    assert delivery.next_attempt_at - first_retry > first_retry - NOON  # backing off
    assert deliveries_process(now=delivery.next_attempt_at) == {DeliveryStatus.DEAD: 1}
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("dead", 3)
    assert delivery.last_error == "SMS gateway answered HTTP 503."
    # Every try of the row went under the same name, for a gateway that dedupes.
    keys = {request["headers"]["idempotency-key"] for request in gateway.received}
    assert keys == {delivery_key(delivery)}
    assert len(gateway.received) == 3
    # The inbox copy is untouched by the gateway's trouble.
    assert person.notifications.get().deliveries.get(channel=Channel.IN_APP).status == "sent"


@pytest.mark.django_db
def test_sms_waits_for_the_end_of_quiet_hours_but_email_goes_at_once() -> None:
    person = _person()
    notifications_send(recipient_ids=[person.pk], message=_message(), now=NIGHT)
    assert deliveries_process(now=NIGHT) == {DeliveryStatus.SENT: 1, DeliveryStatus.PENDING: 1}
    assert len(mail.outbox) == 1
    assert sms.outbox == []
    held = Delivery.objects.get(channel=Channel.SMS)
    assert held.status == "pending"
    assert held.attempts == 0
    assert held.next_attempt_at == datetime(2026, 11, 13, 7, 0, tzinfo=HCM)
    assert deliveries_process(now=held.next_attempt_at) == {DeliveryStatus.SENT: 1}
    assert [m.to for m in sms.outbox] == [person.phone]
    # Title and body as two sentences: they ran on into one (a phone walk).
    assert [m.text for m in sms.outbox] == [
        "Báo cáo #TN-2026-00123 đã được tiếp nhận. Dự kiến xử lý trước 17:00"
    ]


@pytest.mark.django_db
def test_quiet_hours_follow_the_persons_preference() -> None:
    person = _person()
    NotificationPreference.objects.create(
        user=person, email_enabled=False, quiet_start=time(12, 0), quiet_end=time(13, 0)
    )
    notifications_send(recipient_ids=[person.pk], message=_message(), now=NIGHT)
    assert deliveries_process(now=NIGHT) == {DeliveryStatus.SENT: 1}


@pytest.mark.django_db
def test_digest_officer_gets_one_email_a_day_instead_of_one_per_update() -> None:
    officer = _person()
    NotificationPreference.objects.create(user=officer, sms_enabled=False, daily_digest=True)
    for n in range(3):
        notifications_send(recipient_ids=[officer.pk], message=_message(f"k{n}"), now=NOON)
    assert deliveries_process(now=NOON) == {}
    assert mail.outbox == []
    early = datetime(2026, 11, 13, 6, 0, tzinfo=HCM)
    assert digests_send(now=early) == 0
    morning = datetime(2026, 11, 13, 7, 5, tzinfo=HCM)
    assert digests_send(now=morning) == 1
    assert digests_send(now=morning) == 0
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["lan@example.vn"]
    assert mail.outbox[0].body.count("Báo cáo #TN-2026-00123") == 3
    assert not Delivery.objects.filter(status=DeliveryStatus.DIGEST).exists()


@pytest.mark.django_db
def test_claimed_rows_are_nobodys_until_the_lease_ends(settings: Settings) -> None:
    settings.NOTIFICATIONS_LEASE_SECONDS = 60
    person = _person()
    notifications_send(recipient_ids=[person.pk], message=_message(), now=NOON)
    held = deliveries_claim(now=NOON)
    assert len(held.ids) == 2
    assert held.until == NOON + lease()
    # The holder died: its rows wait out the lease, then anyone may take them.
    assert deliveries_claim(now=held.until - timedelta(seconds=1)).ids == []
    assert deliveries_process(now=held.until) == {DeliveryStatus.SENT: 2}
    assert Delivery.objects.filter(status="sent", attempts=2).count() == 2


@pytest.mark.django_db
def test_a_worker_whose_lease_ran_out_does_not_send_what_another_took(
    settings: Settings,
) -> None:
    settings.NOTIFICATIONS_LEASE_SECONDS = 60
    person = _person()
    NotificationPreference.objects.create(user=person, email_enabled=False)
    notifications_send(recipient_ids=[person.pk], message=_message(), now=NOON)
    # A slow batch: the first worker reaches the row after its lease ended
    # and a second worker claimed it.
    slow = deliveries_claim(now=NOON)
    fast = deliveries_claim(now=slow.until)
    [delivery_id] = slow.ids
    assert fast.ids == [delivery_id]
    assert not delivery_renew(delivery_id=delivery_id, claim=slow)
    assert delivery_renew(delivery_id=delivery_id, claim=fast)


@pytest.mark.django_db(transaction=True)
def test_two_workers_claiming_at_once_send_each_delivery_exactly_once(
    committed_reference_data: None,
) -> None:
    people = [_person() for _ in range(20)]
    for person in people:
        NotificationPreference.objects.create(user=person, email_enabled=False)
        notifications_send(recipient_ids=[person.pk], message=_message(), now=NOON)
    start = threading.Barrier(2)

    def worker() -> None:
        start.wait()
        try:
            while deliveries_process(now=NOON, limit=3):
                pass
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(m.to for m in sms.outbox) == sorted(p.phone for p in people)
    assert Delivery.objects.filter(channel=Channel.SMS, status="sent", attempts=1).count() == 20


@pytest.mark.django_db(transaction=True)
def test_two_writers_of_one_message_at_once_tell_each_person_once(
    committed_reference_data: None,
) -> None:
    people = [_person() for _ in range(300)]
    start = threading.Barrier(2)
    created: list[list[int]] = []

    def writer() -> None:
        # Two workers on one fan-out (one past the other's lease), writing at once.
        start.wait()
        try:
            rows = notifications_write(
                recipient_ids=sorted(p.pk for p in people), message=_message(), now=timezone.now()
            )
            created.append([row.recipient_id for row in rows])
        finally:
            connection.close()

    threads = [threading.Thread(target=writer) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    everyone = sorted(p.pk for p in people)
    assert sorted(created[0] + created[1]) == everyone
    assert Delivery.objects.filter(channel=Channel.SMS).count() == len(people)
    one_each = Delivery.objects.filter(channel=Channel.IN_APP).values("notification__recipient")
    assert one_each.distinct().count() == one_each.count() == len(people)


@pytest.mark.django_db
def test_inbox_push_carries_each_persons_unread_count_counted_once(
    settings: Settings, django_capture_on_commit_callbacks: Any, django_assert_num_queries: Any
) -> None:
    settings.CHANNEL_LAYERS = default_redis_layers()
    config = settings.CHANNEL_LAYERS["default"]["CONFIG"]
    listener = RedisChannelLayer(hosts=config["hosts"], prefix=config["prefix"])
    busy, fresh = _person(), _person()
    notifications_send(recipient_ids=[busy.pk], message=_message("earlier"), now=NOON)
    channels = {}
    for person in (busy, fresh):
        channels[person.pk] = async_to_sync(listener.new_channel)()
        async_to_sync(listener.group_add)(inbox_group(person.pk), channels[person.pk])

    with django_capture_on_commit_callbacks(execute=True):
        notifications_send(recipient_ids=[busy.pk, fresh.pk], message=_message(), now=NOON)

    async def next_message(channel: str) -> dict[str, Any]:
        message: dict[str, Any] = await asyncio.wait_for(listener.receive(channel), 5)
        return message

    pushed = {pk: async_to_sync(next_message)(channel) for pk, channel in channels.items()}
    assert {pk: message["unread"] for pk, message in pushed.items()} == {busy.pk: 2, fresh.pk: 1}
    # What the person's sockets send as it is.
    assert json.loads(pushed[fresh.pk]["text"])["unread"] == 1
    with django_assert_num_queries(1):
        assert notifications_unread_counts(user_ids=[busy.pk, fresh.pk, 0]) == {
            busy.pk: 2,
            fresh.pk: 1,
        }
