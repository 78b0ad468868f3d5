"""A replica that fails under a read, between two checks (core/db_routing.py).

The check says the replica is fine and is trusted for a while; if the replica
then stops, the reads that meet it fail. The person must not see it: the
request is answered again from the primary, and the replica is held unusable
so that the next requests do not try it.

The ``replica`` alias of the test settings mirrors the test database (a server
not in recovery passes the check); it is then pointed at a port nobody listens
on, as a stopped replica is.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.db import DEFAULT_DB_ALIAS, connections
from django.test import Client
from django.test.utils import CaptureQueriesContext
from pytest_django import Settings

from core.db_routing import PIN_COOKIE, REPLICA, replica_health_forget, replica_usable
from geo.models import AdminUnit
from tests import factories
from tests.conftest import Personas
from tests.notifications.live import free_port

pytestmark = pytest.mark.django_db(transaction=True, databases=[DEFAULT_DB_ALIAS, REPLICA])


@pytest.fixture
def replica_stopped_after_check(
    committed_reference_data: None, settings: Settings
) -> Iterator[None]:
    settings.DATABASE_REPLICA_ENABLED = True
    settings.DATABASE_REPLICA_CHECK_SECONDS = 3600  # the check is trusted all test long
    replica_health_forget()
    assert replica_usable()
    alias = connections[REPLICA]
    before = alias.settings_dict
    alias.close()
    alias.settings_dict = {**before, "PORT": str(free_port())}
    try:
        yield
    finally:
        alias.close()
        alias.settings_dict = before
        replica_health_forget()


def _officer(personas: Personas) -> Client:
    client = Client()
    client.force_login(personas.officer_a)
    return client


def test_queue_is_answered_from_the_primary_when_the_replica_stops(
    replica_stopped_after_check: None, personas: Personas, commune_a: AdminUnit
) -> None:
    ticket = factories.case_file(reporter=personas.resident, commune=commune_a)
    officer = _officer(personas)

    with CaptureQueriesContext(connections[DEFAULT_DB_ALIAS]) as on_primary:
        response = officer.get("/api/v1/helpdesk/cases")
    assert response.status_code == 200, response.content
    assert ticket.number in {item["number"] for item in response.json()["items"]}
    assert any('"helpdesk_ticket"' in q["sql"] for q in on_primary.captured_queries)
    # A read answered again is not a write: no pin for the officer.
    assert PIN_COOKIE not in response.cookies
    # Held unusable: the next requests do not try it (nor wait for its timeout).
    assert not replica_usable()

    page = officer.get("/console/")
    assert page.status_code == 200
    assert ticket.number in page.content.decode()


def test_page_is_answered_from_the_primary_when_the_replica_stops(
    replica_stopped_after_check: None, personas: Personas, commune_a: AdminUnit
) -> None:
    ticket = factories.case_file(reporter=personas.resident, commune=commune_a)
    page = _officer(personas).get("/console/")
    assert page.status_code == 200
    assert ticket.number in page.content.decode()
    assert not replica_usable()
