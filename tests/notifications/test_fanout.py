"""Messages to many people go through the worker, and each person is told once.

A reply on a case thousands follow commits one FanOut row with the reply; the
worker writes the inbox rows and deliveries in chunks (notifications/fanout.py).
The crash paths are driven for real: a claim whose worker never finishes, and
a worker that died after telling part of the people. The command itself, woken
by the commit, is in tests/notifications/test_delivery_worker.py.
"""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from pytest_django import Settings

from accounts.models import User
from notifications import fanout
from notifications.models import Channel, Delivery, FanOut, Notification
from notifications.outbox import lease
from notifications.services import Message, fanout_queue, notifications_send, notifications_write
from tests import factories

MESSAGE = Message(
    texts={
        "vi": ("Có trả lời mới", "Cán bộ đã trả lời"),
        "en": ("New answer", "An officer replied"),
    },
    dedupe_key="case-event:42",
    link="/cases/TN-2026-00042/",
)


@pytest.fixture
def people(settings: Settings) -> list[User]:
    settings.NOTIFICATIONS_INLINE_MAX = 3
    return [factories.user_create(full_name=f"Người theo dõi {n}") for n in range(7)]


def _told() -> Counter[int]:
    return Counter(Notification.objects.values_list("recipient_id", flat=True))


@pytest.mark.django_db
def test_a_few_people_are_told_in_the_request_many_through_the_worker(
    people: list[User],
) -> None:
    few = notifications_send(recipient_ids=[p.pk for p in people[:3]], message=MESSAGE)
    assert len(few) == 3
    assert not FanOut.objects.exists()

    queued = notifications_send(
        recipient_ids=[p.pk for p in people],
        message=Message(**{**MESSAGE.__dict__, "dedupe_key": "k2"}),
    )
    assert queued == []
    job = FanOut.objects.get()
    assert job.recipient_ids == sorted(p.pk for p in people)
    assert job.texts["en"] == ["New answer", "An officer replied"]
    assert Notification.objects.filter(dedupe_key="k2").count() == 0

    assert fanout.fanouts_process() == len(people)
    rows = Notification.objects.filter(dedupe_key="k2")
    assert rows.count() == len(people)
    assert {n.link for n in rows} == {MESSAGE.link}
    # Each in their own language, as the request would have written it.
    english = factories.user_create(full_name="Mary", language="en")
    notifications_send(
        recipient_ids=[english.pk, *(p.pk for p in people)],
        message=Message(texts=MESSAGE.texts, dedupe_key="k3", link=MESSAGE.link),
    )
    fanout.fanouts_process()
    assert Notification.objects.get(recipient=english, dedupe_key="k3").title == "New answer"
    assert FanOut.objects.filter(done_at__isnull=True).count() == 0
    assert fanout.fanouts_process() == 0  # done rows are not taken again


@pytest.mark.django_db
def test_a_claim_whose_worker_died_is_taken_again_after_the_lease(people: list[User]) -> None:
    notifications_send(recipient_ids=[p.pk for p in people], message=MESSAGE)
    now = timezone.now()
    ids, _until = fanout.fanouts_claim(now=now, limit=5)
    assert len(ids) == 1
    # The worker that claimed it is gone. Before the lease ends nobody else takes it ...
    assert fanout.fanouts_process(now=now + lease() - timedelta(seconds=1)) == 0
    assert not Notification.objects.exists()
    # ... after, the next worker tells everyone.
    assert fanout.fanouts_process(now=now + lease() + timedelta(seconds=1)) == len(people)
    assert FanOut.objects.get().attempts == 2


@pytest.mark.django_db
def test_a_worker_that_died_half_way_leaves_nobody_told_twice(people: list[User]) -> None:
    notifications_send(recipient_ids=[p.pk for p in people], message=MESSAGE)
    job = FanOut.objects.get()
    now = timezone.now()
    fanout.fanouts_claim(now=now, limit=5)
    # It had told the first three (their chunk committed) when it died.
    first = notifications_write(recipient_ids=job.recipient_ids[:3], message=MESSAGE, now=now)
    assert len(first) == 3

    told = fanout.fanouts_process(now=now + lease() + timedelta(seconds=1))
    assert told == len(people) - 3
    assert set(_told().values()) == {1}
    assert len(_told()) == len(people)
    in_app = Counter(
        Delivery.objects.filter(channel=Channel.IN_APP).values_list(
            "notification__recipient_id", flat=True
        )
    )
    assert set(in_app.values()) == {1}


@pytest.mark.django_db
def test_a_rolled_back_change_queues_nothing(people: list[User]) -> None:
    def change() -> None:
        with transaction.atomic():
            notifications_send(recipient_ids=[p.pk for p in people], message=MESSAGE)
            raise RuntimeError("the change failed")

    with pytest.raises(RuntimeError):
        change()
    assert not FanOut.objects.exists()


@pytest.mark.django_db
def test_queuing_a_fan_out_counts_its_people_without_reading_their_ids_back(
    people: list[User],
) -> None:
    """save() read a field given an expression back with RETURNING: every
    recipient's id came into the process that publishes (400,000 for a
    province's alert) only to be counted (a second read)."""
    ids = User.objects.filter(pk__in=[p.pk for p in people]).values_list("pk", flat=True)
    message = Message(texts={"vi": ("Cảnh báo", "Mưa lớn")}, link="/x", dedupe_key="count-test")
    with CaptureQueriesContext(connection) as queries:
        count = fanout_queue(recipients=ids, message=message)
    assert count == len(people)
    inserts = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("INSERT")]
    assert len(inserts) == 1
    assert "RETURNING" in inserts[0]
    assert "recipient_ids" not in inserts[0].rsplit("RETURNING", 1)[1]
    queued = FanOut.objects.get(dedupe_key="count-test").recipient_ids
    assert sorted(queued) == sorted(p.pk for p in people)
