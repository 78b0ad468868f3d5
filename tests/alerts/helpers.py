"""Building alerts' worlds: residents by the cases they filed, relays, synthetic crowds."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import connection

from accounts.models import User
from alerts.models import Alert, Category
from alerts.services import AlertDraft, publish_alert
from geo.models import AdminUnit
from helpdesk.filing import service_get_active
from helpdesk.models import Ticket
from helpdesk.permissions import scope_for
from tests import factories


def resident_of(commune: AdminUnit, *, village: str = "", email: str = "") -> User:
    """A resident known to the commune the way XaDesk knows one: a case filed at a
    point inside its real boundary (the filing service picks the commune)."""
    person = factories.user_create(full_name="Cư dân", email=email)
    lat, lon = factories.point_inside(commune)
    ticket = factories.ticket_file(
        reporter=person,
        service=service_get_active(code="road_damage"),
        description="Ổ gà",
        lat=lat,
        lon=lon,
        address_text=village,
    ).ticket
    assert ticket.commune_id == commune.pk
    return person


def draft(
    *,
    now: datetime,
    commune: AdminUnit | None = None,
    province: AdminUnit | None = None,
    category: str = Category.PUBLIC_NOTICE,
    villages: tuple[str, ...] = (),
    short_text: str = "Hop dan thon luc 19h toi nay tai nha van hoa",
) -> AlertDraft:
    return AlertDraft(
        category=category,
        province_id=province.pk if province else None,
        commune_id=commune.pk if commune else None,
        villages=villages,
        short_text=short_text,
        long_text="Nội dung chi tiết của thông báo.",
        expires_at=now + timedelta(days=1),
    )


def publish(author: User, now: datetime, **kwargs: object) -> Alert:
    return publish_alert(
        author=author,
        scope=scope_for(user=author),
        draft=draft(now=now, **kwargs),  # type: ignore[arg-type]
        now=now,
    )


def crowd_add(*, template: Ticket, count: int) -> None:
    """``count`` synthetic residents, each with one case copied from ``template``
    (same commune), written by the database: 20,000 through the filing service
    would take minutes and test nothing more."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            WITH people AS (
                INSERT INTO accounts_user (password, is_superuser, phone, full_name, email,
                    language, is_active, is_staff, is_demo, created_at)
                SELECT '!', false, '+8497' || lpad(n::text, 7, '0'), 'Crowd ' || n, '',
                    'vi', true, false, true, now()
                FROM generate_series(1, %s) AS n
                RETURNING id
            )
            INSERT INTO helpdesk_ticket (number, kind, status, description, location,
                location_source, location_accuracy_m, address_text, rating_comment, created_at,
                updated_at, commune_id, province_id, boundary_version_id, department_id,
                reporter_id, service_id, public_id)
            SELECT 'CROWD-' || p.id, t.kind, t.status, t.description, t.location,
                t.location_source, t.location_accuracy_m, t.address_text, '', t.created_at,
                t.updated_at, t.commune_id, t.province_id, t.boundary_version_id,
                t.department_id, p.id, t.service_id, 'c' || p.id
            FROM people p, helpdesk_ticket t WHERE t.id = %s
            """,
            [count, template.pk],
        )
