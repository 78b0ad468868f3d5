"""The header's "Log out" takes each person back where they log in: a
resident to the home page, staff to the console's log-in. Every page posted to
the console's log-out, so a resident landed on "Log in to the officer console",
which asked her for a password (a helper's walk on a phone)."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from tests.conftest import Personas

pytestmark = pytest.mark.django_db


def _logout_action(client: Client, path: str) -> str:
    page = client.get(path).content.decode()
    forms: list[str] = re.findall(r'<form method="post" action="([^"]+)"', page)
    actions = [action for action in forms if "logout" in action]
    assert len(actions) == 1, actions
    return actions[0]


def test_a_resident_logs_out_to_the_home_page(personas: Personas) -> None:
    client = Client()
    client.force_login(personas.resident)
    action = _logout_action(client, "/cases/")
    assert action == "/accounts/logout/"
    response = client.post(action)
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert client.get("/cases/").status_code == 302  # logged out: to the log-in


def test_staff_log_out_to_the_consoles_log_in(personas: Personas) -> None:
    client = Client()
    client.force_login(personas.officer_a)
    action = _logout_action(client, "/console/")
    assert action == "/console/logout/"
    response = client.post(action)
    assert response["Location"] == "/console/login/"
