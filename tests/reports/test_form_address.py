"""A case action's address asked for with a GET goes to the case page (core/form_address.py).

Without JavaScript a refused message leaves the address bar at
/cases/<n>/reply/; opening it again answered 405 "This page does not take
this kind of request." with only a link home (a helper's walk)."""

from __future__ import annotations

import pytest
from django.test import Client

from geo.models import AdminUnit
from tests.conftest import Personas
from tests.console.pages import case_in

pytestmark = pytest.mark.django_db


def test_the_residents_and_the_officers_action_addresses_lead_to_the_case_page(
    personas: Personas, commune_a: AdminUnit
) -> None:
    ticket = case_in(commune_a, personas.resident)
    resident, officer = Client(), Client()
    resident.force_login(personas.resident)
    officer.force_login(personas.officer_a)
    for client, action, page in (
        (resident, f"/cases/{ticket.number}/reply/", f"/cases/{ticket.number}/"),
        (officer, f"/console/cases/{ticket.number}/reply/", f"/console/cases/{ticket.number}/"),
    ):
        response = client.get(action)
        assert response.status_code == 302, action
        assert response["Location"] == page
        assert client.get(page).status_code == 200
        assert client.put(action).status_code == 405
    # The case page decides who may see it: a stranger is not told it exists.
    stranger = Client()
    stranger.force_login(personas.officer_b)
    sent_on = stranger.get(f"/console/cases/{ticket.number}/reply/")
    assert stranger.get(sent_on["Location"]).status_code == 404
