"""The alerts feed for other systems: /api/v1/alerts/{code}.

Shaped like Open311 GeoReport's lists (flat objects, ``*_datetime`` in ISO
8601 with the offset, a stable id), so a province portal or a radio-station
system reads it the way it reads service requests. Public and personal-data
free: what the commune published, never who wrote it or who received it.
"""

from __future__ import annotations

from datetime import datetime

from django.http import HttpRequest
from ninja import Field, Router, Schema

from alerts.errors import AreaNotFound
from alerts.models import Alert
from alerts.selectors import alerts_current_for, public_unit_get
from alerts.services import alert_link

router = Router()


class AlertOut(Schema):
    alert_id: int
    category: str = Field(description="scam_warning, disaster or public_notice")
    province_code: str
    commune_code: str | None = Field(description="None: the whole province")
    villages: list[str] = Field(description="Empty: the whole commune or province")
    title: str = Field(description="The short (SMS) text")
    description: str
    published_datetime: datetime
    expires_datetime: datetime
    url: str


def _out(alert: Alert) -> AlertOut:
    return AlertOut(
        alert_id=alert.pk,
        category=alert.category,
        province_code=alert.province.code,
        commune_code=alert.commune.code if alert.commune else None,
        villages=alert.villages,
        title=alert.short_text,
        description=alert.long_text,
        published_datetime=alert.published_at,
        expires_datetime=alert.expires_at,
        url=alert_link(alert),
    )


@router.get("/{code}", response=list[AlertOut], auth=None)
def alerts_feed(request: HttpRequest, code: str) -> list[AlertOut]:
    """Unexpired alerts for a commune (its own and its province's) or a province, newest first."""
    unit = public_unit_get(code=code)
    if unit is None:
        raise AreaNotFound()
    alerts = alerts_current_for(unit=unit).select_related("province", "commune")
    return [_out(alert) for alert in alerts]
