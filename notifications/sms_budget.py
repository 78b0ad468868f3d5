"""The SMS bill: every outgoing SMS is counted per province and month.

Each SMS costs the province money at the gateway. ``sms_send_counted`` is the
one place case SMS leave (the outbox worker's SMS gateway and the answers of
the SMS intake): it counts the message and its segments in SmsUsage, and once
the province has sent settings.SMS_MONTHLY_CAP messages this month it
withholds every message not marked essential (the case number, the outcome),
counting it as withheld so the dashboard shows what the cap cost. One-time
codes (accounts/otp.py) are sent by accounts and rationed by their own
limits; they are never held back by the cap, but each one the gateway accepted
is counted here too (``sms_sent_count``, called through core.sms.sms_sent by
helpdesk/sms_bill.py, which knows the person's province).

The cap is a soft one: two workers sending at the same moment may both pass
the check and go one or two over, which costs cents; a lock per province on
every SMS would cost more.
"""

from __future__ import annotations

from datetime import date, datetime

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from core.sms import sms_backend, sms_segments
from notifications.models import SmsUsage


def sms_monthly_cap() -> int:
    """Messages a province may send a month before only essential ones go (0: no cap)."""
    return int(getattr(settings, "SMS_MONTHLY_CAP", 0))


def usage_month(now: datetime) -> date:
    return timezone.localtime(now).date().replace(day=1)


def _count(*, province_id: int | None, month: date, **amounts: int) -> None:
    with transaction.atomic():
        row, _created = SmsUsage.objects.get_or_create(province_id=province_id, month=month)
        SmsUsage.objects.filter(pk=row.pk).update(
            **{field: F(field) + amount for field, amount in amounts.items()}
        )


def sms_cap_reached(*, province_id: int | None, now: datetime | None = None) -> bool:
    cap = sms_monthly_cap()
    if cap <= 0:
        return False
    month = usage_month(now or timezone.now())
    sent = (
        SmsUsage.objects.filter(province_id=province_id, month=month)
        .values_list("messages", flat=True)
        .first()
    )
    return (sent or 0) >= cap


def sms_send_counted(
    *,
    to: str,
    text: str,
    province_id: int | None,
    essential: bool,
    key: str = "",
    now: datetime | None = None,
) -> bool:
    """Send one SMS and count it; False when the monthly cap withheld it.

    Raises core.sms.SmsDeliveryFailed (nothing counted) when the gateway refuses.
    """
    month = usage_month(now or timezone.now())
    if not essential and sms_cap_reached(province_id=province_id, now=now):
        _count(province_id=province_id, month=month, withheld=1)
        return False
    sms_backend().send(to=to, text=text, key=key)
    _count(province_id=province_id, month=month, messages=1, segments=sms_segments(text))
    return True


def sms_sent_count(*, province_id: int | None, text: str, now: datetime | None = None) -> None:
    """Count an SMS that was sent elsewhere (a one-time code): never withheld, always billed."""
    _count(
        province_id=province_id,
        month=usage_month(now or timezone.now()),
        messages=1,
        segments=sms_segments(text),
    )
