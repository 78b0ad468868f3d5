"""A case's API row is the same whether read off a loaded ticket or straight from SQL.

The queue's page reads its rows as plain values (helpdesk.case_rows.case_rows,
for speed at a province's volume); an officer's action, the case page and a
filing's answer build the row from the ticket they hold (``case_row``). An
app that shows a case from the list and then from its page must see one case.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.gis.geos import Point
from django.test import Client
from django.utils import translation

from geo.models import AdminUnit
from helpdesk.case_rows import case_row, case_rows
from helpdesk.models import Ticket, TicketStatus
from tests import factories
from tests.conftest import Personas

API = "/api/v1/helpdesk"


@pytest.fixture
def full(personas: Personas, commune_a: AdminUnit) -> Ticket:
    """Routed, assigned, placed, resolved and rated; English names filled in."""
    ticket = factories.case_file(reporter=personas.resident, commune=commune_a)
    assert ticket.department is not None
    ticket.department.name_en = "Roads office"
    ticket.department.save(update_fields=["name_en"])
    commune_a.full_name_en = "Commune A"
    commune_a.save(update_fields=["full_name_en"])
    Ticket.objects.filter(pk=ticket.pk).update(
        assignee=personas.officer_a,
        status=TicketStatus.RESOLVED,
        location=Point(105.84, 21.59, srid=4326),
        rating=4,
    )
    return ticket


@pytest.fixture
def bare(personas: Personas, commune_a: AdminUnit) -> Ticket:
    """Nowhere: no place, no commune, no department, no assignee."""
    ticket = factories.case_file(reporter=personas.resident, commune=commune_a)
    Ticket.objects.filter(pk=ticket.pk).update(
        location=None, commune=None, province=None, department=None
    )
    return ticket


def _loaded(ticket: Ticket) -> Ticket:
    return Ticket.objects.select_related("service", "commune", "department", "assignee").get(
        pk=ticket.pk
    )


@pytest.mark.parametrize("language", ["vi", "en"])
def test_both_readings_agree(full: Ticket, bare: Ticket, language: str) -> None:
    with translation.override(language):
        from_sql = case_rows(Ticket.objects.filter(pk__in=(full.pk, bare.pk)).order_by("pk"))
        from_instances = [case_row(_loaded(full)), case_row(_loaded(bare))]
    assert from_sql == from_instances


def test_what_the_row_says(full: Ticket, bare: Ticket, personas: Personas) -> None:
    """The values themselves, so the two readings cannot agree on a wrong row."""
    commune = full.commune
    assert commune is not None
    with translation.override("vi"):
        row, nowhere = case_rows(Ticket.objects.filter(pk__in=(full.pk, bare.pk)).order_by("pk"))
        label_vi = str(TicketStatus.RESOLVED.label)
    with translation.override("en"):
        row_en = case_rows(Ticket.objects.filter(pk=full.pk))[0]
    assert (row["lat"], row["lon"]) == (21.59, 105.84)
    assert row["status"] == "resolved"
    assert row["status_label"] == label_vi != "Resolved"
    assert row_en["status_label"] == "Resolved"
    assert row["service"] == "road_damage"
    assert row["commune"] == {"code": commune.code, "name": commune.full_name}
    assert row_en["commune"]["name"] == "Commune A" != commune.full_name
    assert full.department is not None
    assert row["department"] == full.department.name
    assert row_en["department"] == "Roads office"
    assert row["assignee"] == personas.officer_a.full_name
    assert row["rating"] == 4
    assert (nowhere["lat"], nowhere["lon"], nowhere["commune"]) == (None, None, None)
    assert (nowhere["department"], nowhere["assignee"]) == (None, None)


def _case_in_list(client: Client, number: str) -> dict[str, Any]:
    page = client.get(f"{API}/cases", {"limit": 200}).json()
    return next(item for item in page["items"] if item["number"] == number)


def test_list_page_and_action_answer_show_one_case(personas: Personas, full: Ticket) -> None:
    client = factories.token_client(personas.officer_a)
    listed = _case_in_list(client, full.number)
    shown = client.get(f"{API}/cases/{full.number}").json()["case"]
    assert listed == shown
    assert listed["lat"] == 21.59

    Ticket.objects.filter(pk=full.pk).update(status=TicketStatus.NEW, assignee=None)
    accepted = client.post(f"{API}/cases/{full.number}/accept", {}, content_type="application/json")
    assert accepted.status_code == 200, accepted.content
    assert accepted.json() == _case_in_list(client, full.number)
    assert accepted.json()["assignee"] == personas.officer_a.full_name
