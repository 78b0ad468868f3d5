"""The XML answers stay well-formed whatever text the database holds."""

from __future__ import annotations

from xml.etree import ElementTree as ET

import pytest
from django.test import Client

from geo.models import AdminUnit
from helpdesk.models import Ticket, TicketEvent
from open311.render import render
from tests.conftest import Personas
from tests.open311.conftest import BASE, App, file_request, xml

pytestmark = pytest.mark.django_db
# Characters XML 1.0 cannot hold, not even escaped, that PostgreSQL stores.
FORBIDDEN = "\x01\x08\x0b\x0c\x1b\x1f\ufffe\uffff"


def test_control_characters_stored_in_a_case_are_dropped_from_the_xml(
    app: App, personas: Personas, commune_a: AdminUnit
) -> None:
    filed = file_request(app, commune_a)
    assert filed.status_code == 201
    ticket = Ticket.objects.get(public_id=filed.json()[0]["service_request_id"])
    # Stored before the case core refused them, or by another channel: written
    # here without the services, which may refuse them now.
    Ticket.objects.filter(pk=ticket.pk).update(description=f"Đèn{FORBIDDEN}\ttắt\r\nhẳn")
    TicketEvent.objects.create(
        ticket=ticket,
        kind=TicketEvent.Kind.REPLY,
        actor=personas.officer_a,
        body=f"Tuần{FORBIDDEN} sau",
    )

    requests_xml = xml(Client().get(f"{BASE}/requests.xml"))
    assert requests_xml.findtext("request/description") == "Đèn\ttắt\nhẳn"  # \r\n read as \n
    updates = xml(Client().get(f"{BASE}/servicerequestupdates.xml"))
    assert "Tuần sau" in [u.findtext("description") for u in updates.findall("request_update")]
    # JSON can escape every character: it keeps them.
    assert (
        Client().get(f"{BASE}/requests.json").json()[0]["description"].startswith(f"Đèn{FORBIDDEN}")
    )


def test_lone_surrogates_and_noncharacters_are_dropped_from_any_xml_text() -> None:
    response = render(
        [{"description": "a\ud800b\udfffc\uffffd", "token": "\x02e"}],
        fmt="xml",
        root="service_requests",
    )
    root = ET.fromstring(response.content)  # noqa: S314 - our own renderer's output
    assert root.findtext("request/description") == "abcd"
    assert root.findtext("request/token") == "e"
