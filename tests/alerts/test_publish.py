"""Publishing an alert: who is in the area, exactly once per person, quiet hours, the SMS bill."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from pytest_django import Settings

from accounts.models import User
from alerts.errors import AlertAreaOutOfScope, InvalidAlert
from alerts.models import Alert, Category, Relay
from core import sms
from geo.models import AdminUnit
from notifications import fanout
from notifications.models import (
    Channel,
    Delivery,
    DeliveryStatus,
    FanOut,
    Notification,
    NotificationPreference,
    SmsUsage,
)
from notifications.outbox import deliveries_process
from tests import factories
from tests.alerts.helpers import publish, resident_of
from tests.conftest import Personas

pytestmark = pytest.mark.django_db

HCM = ZoneInfo("Asia/Ho_Chi_Minh")
NOON = datetime(2026, 11, 12, 12, 0, tzinfo=HCM)
NIGHT = datetime(2026, 11, 12, 23, 30, tzinfo=HCM)


@pytest.fixture(autouse=True)
def memory_gateways(settings: Settings) -> None:
    settings.SMS_BACKEND = "memory"
    settings.ZALO_BACKEND = "memory"
    settings.SMS_MONTHLY_CAP = 0
    sms.outbox.clear()


def _told(key: str) -> set[int]:
    return set(Notification.objects.filter(dedupe_key=key).values_list("recipient_id", flat=True))


def test_a_commune_alert_reaches_the_residents_inside_its_boundary_only(
    personas: Personas, commune_a: AdminUnit, commune_b: AdminUnit
) -> None:
    inside = [resident_of(commune_a) for _ in range(3)]
    outside = resident_of(commune_b)
    alert = publish(personas.officer_a, NOON, commune=commune_a)
    # Nobody is told in the request: the worker does it.
    assert not Notification.objects.filter(dedupe_key=alert.dedupe_key).exists()
    fanout.fanouts_process(now=NOON)
    assert _told(alert.dedupe_key) == {p.pk for p in inside}
    assert outside.pk not in _told(alert.dedupe_key)
    inbox = Notification.objects.get(recipient=inside[0], dedupe_key=alert.dedupe_key)
    assert inbox.title == alert.short_text
    assert inbox.link == f"/alerts/{commune_a.code}/#alert-{alert.pk}"


def test_a_province_alert_reaches_every_commune_of_the_province(
    personas: Personas, commune_a: AdminUnit, commune_b: AdminUnit
) -> None:
    a, b = resident_of(commune_a), resident_of(commune_b)
    other_province = resident_of(factories.commune_get(code=_commune_of_province("20")))
    alert = publish(personas.province_admin, NOON, province=factories.province_get(code="19"))
    fanout.fanouts_process(now=NOON)
    assert _told(alert.dedupe_key) == {a.pk, b.pk}
    assert other_province.pk not in _told(alert.dedupe_key)


def _commune_of_province(code: str) -> str:
    unit = AdminUnit.objects.filter(
        level=AdminUnit.Level.COMMUNE, parent__code=code, retired_in__isnull=True
    ).first()
    if unit is None:
        pytest.skip("the test boundaries have no commune in that province")
    return unit.code


def test_a_village_alert_reaches_that_villages_residents_whatever_the_case(
    personas: Personas, commune_a: AdminUnit
) -> None:
    dong_tam = resident_of(commune_a, village="Thôn Đồng Tâm")
    shouting = resident_of(commune_a, village="THÔN ĐỒNG TÂM")
    elsewhere = resident_of(commune_a, village="Thôn Na Mao")
    alert = publish(personas.officer_a, NOON, commune=commune_a, villages=("Thôn Đồng Tâm",))
    fanout.fanouts_process(now=NOON)
    assert _told(alert.dedupe_key) == {dong_tam.pk, shouting.pk}
    assert elsewhere.pk not in _told(alert.dedupe_key)


def test_staff_send_only_to_their_own_area(
    personas: Personas, commune_a: AdminUnit, commune_b: AdminUnit
) -> None:
    with pytest.raises(AlertAreaOutOfScope):
        publish(personas.officer_b, NOON, commune=commune_a)
    with pytest.raises(AlertAreaOutOfScope):  # an officer cannot address the whole province
        publish(personas.officer_a, NOON, province=factories.province_get(code="19"))
    with pytest.raises(AlertAreaOutOfScope):
        publish(personas.province_admin, NOON, province=factories.province_get(code="20"))
    with pytest.raises(AlertAreaOutOfScope):  # a resident is no sender
        publish(personas.resident, NOON, commune=commune_a)
    # The province administrator may address any commune of the province.
    assert publish(personas.province_admin, NOON, commune=commune_b).commune == commune_b
    # Only that one was written, and only it was queued.
    assert list(Alert.objects.values_list("commune", flat=True)) == [commune_b.pk]
    assert FanOut.objects.count() == 1


def test_the_sms_text_must_fit_one_sms(personas: Personas, commune_a: AdminUnit) -> None:
    publish(personas.officer_a, NOON, commune=commune_a, short_text="a" * 160)
    with pytest.raises(InvalidAlert) as plain:
        publish(personas.officer_a, NOON, commune=commune_a, short_text="a" * 161)
    assert plain.value.field == "short_text"
    publish(personas.officer_a, NOON, commune=commune_a, short_text="Đ" * 70)
    with pytest.raises(InvalidAlert):  # one Vietnamese mark: UCS-2, 70 a segment
        publish(personas.officer_a, NOON, commune=commune_a, short_text="Đ" + "a" * 70)


def test_each_person_is_told_once_per_channel_even_when_the_worker_runs_again(
    personas: Personas, commune_a: AdminUnit
) -> None:
    people = [resident_of(commune_a, email=f"p{n}@example.vn") for n in range(4)]
    NotificationPreference.objects.create(user=people[0], zalo_enabled=True, zalo_user_id="z1")
    alert = publish(personas.officer_a, NOON, commune=commune_a)
    job = FanOut.objects.get(dedupe_key=alert.dedupe_key)
    assert sorted(job.recipient_ids) == sorted(p.pk for p in people)

    assert fanout.fanouts_process(now=NOON) == 4
    # A worker that died after telling everyone but before marking the job done:
    # the job is due again and a restarted worker does it all over.
    FanOut.objects.filter(pk=job.pk).update(done_at=None, next_attempt_at=NOON)
    assert fanout.fanouts_process(now=NOON) == 0
    assert Counter(_told_list(alert.dedupe_key)) == {p.pk: 1 for p in people}

    deliveries_process(now=NOON)
    deliveries_process(now=NOON)  # and the outbox worker twice
    rows = Delivery.objects.filter(notification__dedupe_key=alert.dedupe_key)
    per_person_channel = Counter(rows.values_list("notification__recipient_id", "channel"))
    assert set(per_person_channel.values()) == {1}
    assert Counter(rows.values_list("channel", flat=True)) == {
        Channel.IN_APP: 4,
        Channel.SMS: 4,
        Channel.EMAIL: 4,
        Channel.ZALO: 1,
    }
    assert sorted(m.to for m in sms.outbox) == sorted(p.phone for p in people)
    assert {m.text for m in sms.outbox} == {alert.short_text}


def _told_list(key: str) -> list[int]:
    return list(Notification.objects.filter(dedupe_key=key).values_list("recipient_id", flat=True))


def test_disaster_alerts_go_through_quiet_hours_and_other_alerts_wait(
    personas: Personas, commune_a: AdminUnit
) -> None:
    person = resident_of(commune_a)
    NotificationPreference.objects.create(
        user=person, email_enabled=False, quiet_start=time(21, 0), quiet_end=time(7, 0)
    )
    flood = publish(
        personas.officer_a,
        NIGHT,
        commune=commune_a,
        category=Category.DISASTER,
        short_text="Canh bao lu quet: di doi ngay khoi bo suoi",
    )
    scam = publish(personas.officer_a, NIGHT, commune=commune_a, category=Category.SCAM_WARNING)
    fanout.fanouts_process(now=NIGHT)
    deliveries_process(now=NIGHT)

    assert [m.text for m in sms.outbox] == [flood.short_text]
    waiting = Delivery.objects.get(notification__dedupe_key=scam.dedupe_key, channel=Channel.SMS)
    assert waiting.status == DeliveryStatus.PENDING
    morning = timezone.localtime(waiting.next_attempt_at, HCM)
    assert (morning.date(), morning.time()) == (NIGHT.date() + timedelta(days=1), time(7, 0))
    deliveries_process(now=morning)
    assert [m.text for m in sms.outbox] == [flood.short_text, scam.short_text]


def test_alert_sms_are_billed_to_the_province_and_only_disasters_pass_the_cap(
    settings: Settings, personas: Personas, commune_a: AdminUnit
) -> None:
    people = [resident_of(commune_a) for _ in range(3)]
    province = factories.province_get(code="19")
    notice = publish(personas.officer_a, NOON, commune=commune_a)
    fanout.fanouts_process(now=NOON)
    deliveries_process(now=NOON)
    usage = SmsUsage.objects.get(province=province)
    assert (usage.messages, usage.segments, usage.withheld) == (3, 3, 0)

    settings.SMS_MONTHLY_CAP = 3  # reached
    second = publish(personas.officer_a, NOON, commune=commune_a, short_text="Thong bao 2")
    flood = publish(
        personas.officer_a, NOON, commune=commune_a, category=Category.DISASTER, short_text="Lu"
    )
    fanout.fanouts_process(now=NOON)
    deliveries_process(now=NOON)
    usage.refresh_from_db()
    assert (usage.messages, usage.withheld) == (6, 3)
    texts = Counter(m.text for m in sms.outbox)
    assert texts == {notice.short_text: 3, flood.short_text: 3}
    # Withheld SMS leave the inbox copy: everyone still has the second notice.
    assert len(_told_list(second.dedupe_key)) == len(people)


def test_a_relay_with_an_account_is_told_too(personas: Personas, commune_a: AdminUnit) -> None:
    relay_person = factories.user_create(full_name="Trưởng thôn")
    Relay.objects.create(
        name="Trưởng thôn", commune=commune_a, village="Thôn Đồng Tâm", person=relay_person
    )
    village_alert = publish(
        personas.officer_a, NOON, commune=commune_a, villages=("thôn đồng tâm",)
    )
    other_village = publish(personas.officer_a, NOON, commune=commune_a, villages=("Thôn Na Mao",))
    fanout.fanouts_process(now=NOON)
    assert relay_person.pk in _told(village_alert.dedupe_key)
    assert relay_person.pk not in _told(other_village.dedupe_key)


def test_inactive_people_are_not_told(personas: Personas, commune_a: AdminUnit) -> None:
    gone: User = resident_of(commune_a)
    User.objects.filter(pk=gone.pk).update(is_active=False)
    alert = publish(personas.officer_a, NOON, commune=commune_a)
    assert FanOut.objects.get(dedupe_key=alert.dedupe_key).recipient_ids == []
    assert fanout.fanouts_process(now=NOON) == 0
