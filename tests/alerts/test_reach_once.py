"""Whether a published alert reaches anyone is read from its fan-out's own
count, not by asking for the same recipients a second time (a review)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from alerts.models import Alert, Category, Relay, RelayHousehold
from geo.models import AdminUnit
from helpdesk.permissions import scope_for
from tests.alerts.helpers import draft, resident_of
from tests.conftest import Personas

pytestmark = pytest.mark.django_db

WARNING = "No one can be reached in"


def _form(commune: AdminUnit, villages: str, key: str = "") -> dict[str, str]:
    expires = timezone.localtime(timezone.now() + timedelta(hours=12))
    return {
        "category": Category.PUBLIC_NOTICE,
        "area": f"commune:{commune.pk}",
        "villages": villages,
        "short_text": "Hop dan thon luc 19h",
        "long_text": "Họp dân thôn lúc 19 giờ.",
        "expires_at": expires.strftime("%Y-%m-%dT%H:%M"),
        "idempotency_key": key,
    }


def _post(personas: Personas, data: dict[str, str]) -> tuple[list[str], list[str]]:
    """The page's messages and the SQL of the publishing request."""
    client = Client(headers={"accept-language": "en"})
    client.force_login(personas.officer_a)
    with CaptureQueriesContext(connection) as queries:
        response = client.post("/console/alerts/new/", data)
    # Read before the next request, which empties the connection's log.
    sql = [q["sql"] for q in queries.captured_queries]
    assert response.status_code == 302
    said = [str(m) for m in client.get(response["Location"]).context["messages"]]
    return said, sql


def _recipient_reads(sql: list[str]) -> int:
    # The village rule on the cases (alerts.selectors.alert_recipients): the
    # fan-out's INSERT ... SELECT holds it; a second read would hold it again.
    return sum('"address_text"' in statement for statement in sql)


def test_the_recipients_of_a_village_alert_are_read_once(
    personas: Personas, commune_a: AdminUnit
) -> None:
    resident_of(commune_a, village="Thôn Đông")
    said, sql = _post(personas, _form(commune_a, "thôn đông"))
    assert not any(WARNING in m for m in said), said
    assert _recipient_reads(sql) == 1
    # Nobody there: still warned, from the same count.
    said, sql = _post(personas, _form(commune_a, "Tổ 99"))
    assert any(WARNING in m for m in said), said
    assert _recipient_reads(sql) == 1


def test_households_on_a_relays_list_are_someone_reached(
    personas: Personas, commune_a: AdminUnit
) -> None:
    relay = Relay.objects.create(name="Bà Tư", commune=commune_a, village="Thôn Tây")
    RelayHousehold.objects.create(relay=relay, head_name="Hộ 1", village="Thôn Tây")
    said, _sql = _post(personas, _form(commune_a, "Thôn Tây"))
    assert not any(WARNING in m for m in said), said


def test_the_form_sent_again_is_judged_without_a_new_fan_out(
    personas: Personas, commune_a: AdminUnit
) -> None:
    """The second press of "Publish" sends nothing: its answer has no count of
    its own, and the recipients are asked for as before."""
    resident_of(commune_a, village="Thôn Đông")
    data = _form(commune_a, "Thôn Đông", key="al-again-0001")
    first, _sql = _post(personas, data)
    again, sql = _post(personas, data)
    assert Alert.objects.count() == 1
    assert not any(WARNING in m for m in first + again)
    assert _recipient_reads(sql) == 1  # the read, and no INSERT of a fan-out
    nobody = _form(commune_a, "Tổ 99", key="al-again-0002")
    _post(personas, nobody)
    said, _sql = _post(personas, nobody)
    assert any(WARNING in m for m in said), said


def test_publishing_answers_how_many_the_fan_out_queued(
    personas: Personas, commune_a: AdminUnit
) -> None:
    from alerts.services import alert_publish  # new: the tests above fail on their own

    resident_of(commune_a, village="Thôn Đông")
    resident_of(commune_a, village="thôn đông")
    resident_of(commune_a, village="Thôn Bắc")
    now = timezone.now()
    officer = personas.officer_a
    published = alert_publish(
        author=officer,
        scope=scope_for(user=officer),
        draft=draft(now=now, commune=commune_a, villages=("Thôn Đông",)),
        now=now,
        idempotency_key="al-count-0001",
    )
    assert published.recipients == 2
    again = alert_publish(
        author=officer,
        scope=scope_for(user=officer),
        draft=draft(now=now, commune=commune_a, villages=("Thôn Đông",)),
        now=now,
        idempotency_key="al-count-0001",
    )
    assert (again.alert, again.recipients) == (published.alert, None)
