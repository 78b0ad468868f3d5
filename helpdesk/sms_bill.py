"""One-time codes on the SMS bill: each one is counted in a province's SmsUsage.

accounts/otp.py sends login codes through the gateway itself (a code is
essential: never held back by the monthly cap) and may not import the bill,
which lives above it in notifications; it announces each code the gateway
accepted with core.sms.sms_sent. This receiver, in helpdesk because only
helpdesk knows both the person's cases and the bill, counts the code for:

- the province of the person's most recent case that has one;
- else the deployment's province, when settings.XADESK_PROVINCES names exactly
  one (the same default the scam check uses);
- else no province: the row only superusers see on the dashboard.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from geo.units import deployment_province
from helpdesk.models import Ticket
from notifications.sms_budget import sms_sent_count


def sms_province_id(*, user_id: int | None) -> int | None:
    """The province whose bill an SMS to this person (None: no account yet) goes on."""
    if user_id is not None:
        latest = (
            Ticket.objects.filter(reporter_id=user_id, province__isnull=False)
            .order_by("-created_at", "-pk")
            .values_list("province_id", flat=True)
            .first()
        )
        if latest is not None:
            return int(latest)
    province = deployment_province()
    return province.pk if province is not None else None


def sms_sent_receive(*, user_id: int | None, text: str, sent_at: datetime, **_kwargs: Any) -> None:
    """core.sms.sms_sent receiver: count the SMS on its province's bill."""
    sms_sent_count(province_id=sms_province_id(user_id=user_id), text=text, now=sent_at)
