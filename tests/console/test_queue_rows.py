"""/console/rows/: the queue rows a live push names, with the page's scope and filters."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from helpdesk import lifecycle
from helpdesk.models import Ticket
from tests import factories
from tests.conftest import COMMUNE_A, COMMUNE_B, Personas

pytestmark = pytest.mark.django_db


def _case(personas: Personas, code: str) -> Ticket:
    return factories.case_file(reporter=personas.resident, commune=factories.commune_get(code=code))


def _rows(client: Client, query: str) -> str:
    response = client.get(f"/console/rows/?{query}")
    assert response.status_code == 200
    return response.content.decode()


def test_rows_in_scope_come_back_and_others_do_not(personas: Personas) -> None:
    mine, theirs = _case(personas, COMMUNE_A), _case(personas, COMMUNE_B)
    client = Client()
    client.force_login(personas.officer_a)
    html = _rows(client, f"cases={mine.number},{theirs.number},NOPE-1")
    assert f'data-case="{mine.number}"' in html
    assert f'data-case="{theirs.number}"' not in html
    assert html.count("<tr") == 1


def test_rows_follow_the_pages_filters(personas: Personas) -> None:
    ticket = _case(personas, COMMUNE_A)
    client = Client()
    client.force_login(personas.officer_a)
    assert f'data-case="{ticket.number}"' in _rows(client, f"cases={ticket.number}&status=new")
    lifecycle.ticket_accept(ticket=ticket, by=personas.officer_a)
    # Accepted: no longer on a "new" queue, so the page drops the row.
    assert "<tr" not in _rows(client, f"cases={ticket.number}&status=new")
    assert ">" + ticket.number + "<" in _rows(client, f"cases={ticket.number}&status=accepted")


def test_residents_get_no_rows(personas: Personas) -> None:
    ticket = _case(personas, COMMUNE_A)
    client = Client()
    client.force_login(personas.resident)
    response = client.get(f"/console/rows/?cases={ticket.number}")
    assert response.status_code == 403
    assert "data-case=" not in response.content.decode()


def test_rows_are_the_markup_the_page_shows(personas: Personas) -> None:
    accepted, new, unrouted = (_case(personas, code) for code in (COMMUNE_A, COMMUNE_A, COMMUNE_B))
    lifecycle.ticket_accept(ticket=accepted, by=personas.officer_a)
    client = Client()
    client.force_login(personas.province_admin)
    page = client.get("/console/").content.decode()
    rows = _rows(client, f"cases={accepted.number},{new.number},{unrouted.number}")
    # One template writes both: a live push puts the same row in place.
    shown = re.findall(r"<tr data-case.*?</tr>", page, re.S)
    assert len(shown) == 3
    assert re.findall(r"<tr data-case.*?</tr>", rows, re.S) == shown
