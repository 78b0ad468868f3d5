"""The SMS bill: counted per province and month; past the cap only essentials go."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from pytest_django import Settings

from core import sms
from notifications.models import Channel, Delivery, DeliveryStatus, SmsUsage
from notifications.outbox import deliveries_process
from notifications.services import Message, notifications_send
from notifications.sms_budget import sms_send_counted, usage_month
from tests import factories

pytestmark = pytest.mark.django_db

HCM = ZoneInfo("Asia/Ho_Chi_Minh")
NOON = datetime(2026, 11, 12, 12, 0, tzinfo=HCM)


@pytest.fixture(autouse=True)
def _outbox() -> None:
    sms.outbox.clear()


def test_each_sms_is_counted_with_its_segments_per_province_and_month() -> None:
    province = factories.province_get(code="19")
    sms_send_counted(
        to="+84981000001", text="a" * 200, province_id=province.pk, essential=False, now=NOON
    )
    sms_send_counted(
        to="+84981000001", text="Đại Từ", province_id=province.pk, essential=True, now=NOON
    )
    sms_send_counted(to="+84981000001", text="x", province_id=None, essential=True, now=NOON)
    usage = SmsUsage.objects.get(province=province)
    assert (usage.month.isoformat(), usage.messages, usage.segments) == ("2026-11-01", 2, 3)
    assert SmsUsage.objects.get(province=None).messages == 1
    assert len(sms.outbox) == 3


def test_past_the_monthly_cap_only_essential_messages_are_sent(settings: Settings) -> None:
    settings.SMS_MONTHLY_CAP = 2
    province = factories.province_get(code="19")
    other = factories.province_get(code="20")
    sent = [
        sms_send_counted(
            to="+84981000001", text=f"m{n}", province_id=province.pk, essential=False, now=NOON
        )
        for n in range(3)
    ]
    assert sent == [True, True, False]
    assert sms_send_counted(
        to="+84981000001", text="case", province_id=province.pk, essential=True, now=NOON
    )
    assert sms_send_counted(
        to="+84981000001", text="elsewhere", province_id=other.pk, essential=False, now=NOON
    )
    usage = SmsUsage.objects.get(province=province)
    assert (usage.messages, usage.withheld) == (3, 1)
    assert [m.text for m in sms.outbox] == ["m0", "m1", "case", "elsewhere"]


def test_a_capped_status_sms_is_dropped_but_the_inbox_keeps_the_message(settings: Settings) -> None:
    settings.SMS_MONTHLY_CAP = 1
    province = factories.province_get(code="19")
    # The gateway counts in the month it sends in.
    SmsUsage.objects.create(province=province, month=usage_month(timezone.now()), messages=1)
    person = factories.user_create()
    texts = {"vi": ("Tiêu đề", "Nội dung"), "en": ("Title", "Body")}
    notifications_send(
        recipient_ids=[person.pk],
        message=Message(texts=texts, dedupe_key="k1", essential=False, province_id=province.pk),
        now=NOON,
    )
    notifications_send(
        recipient_ids=[person.pk],
        message=Message(texts=texts, dedupe_key="k2", essential=True, province_id=province.pk),
        now=NOON,
    )
    deliveries_process(now=NOON)
    rows = Delivery.objects.filter(channel=Channel.SMS).order_by("notification__dedupe_key")
    assert [(r.status, r.last_error) for r in rows] == [
        (DeliveryStatus.DEAD, "Monthly SMS cap of the province reached."),
        (DeliveryStatus.SENT, ""),
    ]
    assert len(sms.outbox) == 1
    assert person.notifications.count() == 2
