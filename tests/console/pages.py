"""What the console tests share: the personas a page admits or refuses, a client
for each, a case filed in a commune, and how the console refuses."""

from __future__ import annotations

from typing import Any

from django.test import Client
from django.urls import reverse

from accounts.models import User
from geo.models import AdminUnit
from helpdesk.filing import service_get_active
from helpdesk.models import Ticket, TicketStatus
from tests.conftest import Personas
from tests.factories import point_inside, ticket_file

S = TicketStatus
ALLOWED = ("officer_a", "leader_a", "province_admin")
REFUSED = ("resident", "digital_team", "officer_b")
PERSONAS = ("anonymous", *REFUSED, *ALLOWED)


def case_in(
    commune: AdminUnit,
    reporter: User,
    service: str = "streetlight_out",
    *,
    description: str = "Ổ gà lớn trước cổng trường",
    address_text: str = "",
) -> Ticket:
    lat, lon = point_inside(commune)
    return ticket_file(
        reporter=reporter,
        service=service_get_active(code=service),
        description=description,
        address_text=address_text,
        lat=lat,
        lon=lon,
    ).ticket


def client_as(personas: Personas, name: str) -> Client:
    # English, so assertions read the msgids; Vietnamese rendering is tested apart.
    client = Client(headers={"accept-language": "en"})
    if name != "anonymous":
        client.force_login(getattr(personas, name))
    return client


def assert_refused(response: Any, name: str, *, case: bool = False) -> None:
    """Refused as the console refuses: strangers to the login page; on one case,
    an officer of another commune gets 404 as if it did not exist (case numbers
    run in sequence, so a 403 would confirm it), other people 403."""
    if name == "anonymous":
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("console:login"))
    elif case and name == "officer_b":
        assert response.status_code == 404
    else:
        assert response.status_code == 403
