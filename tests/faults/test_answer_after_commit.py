"""A status change whose database connection breaks right after its commit (issue 12).

bench/pg_restart.py met a 500 page: PostgreSQL restarted between the commit
of a resolve and the rendering of its answer, which read the case's commune,
department and assignee lazily; pydantic wrapped the OperationalError in a
ValidationError, which no outage handler knew. The change was saved, the
client was told the server broke. The answer is now built from what the
transaction read. The fault is real: the connection's server process is
terminated (pg_terminate_backend) at the first query after the commit.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import psycopg
import pytest
from django.db import connection
from django.test import Client

from geo.models import AdminUnit
from helpdesk.models import Ticket, TicketEvent, TicketStatus
from tests.conftest import Personas
from tests.factories import point_inside

API = "/api/v1/helpdesk"


def _terminate(backend_pid: int) -> None:
    """End a server process from another connection, as a restart ends them all."""
    settings = connection.settings_dict
    with psycopg.connect(
        host=settings["HOST"],
        port=settings["PORT"],
        dbname=settings["NAME"],
        user=settings["USER"],
        password=settings["PASSWORD"],
        autocommit=True,
    ) as other:
        other.execute("SELECT pg_terminate_backend(%s)", [backend_pid])


class CutAfterCommit:
    """Once ``armed``: terminates the connection's server at its first query
    outside a transaction after a row was locked (the lifecycle's SELECT ... FOR
    UPDATE), i.e. right after the change's commit."""

    def __init__(self) -> None:
        self.armed = False
        self.locked = False
        self.cut = False

    def __call__(
        self, execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any
    ) -> Any:
        if not self.armed:
            pass
        elif "FOR UPDATE" in sql:
            self.locked = True
        elif self.locked and not self.cut and not connection.in_atomic_block:
            self.cut = True
            _terminate(connection.connection.info.backend_pid)
        return execute(sql, params, many, context)


@pytest.fixture
def cut_after_commit(transactional_db: None) -> Iterator[CutAfterCommit]:
    cut = CutAfterCommit()
    with connection.execute_wrapper(cut):
        yield cut
    connection.close()  # the terminated connection; the next query opens another


@pytest.mark.usefixtures("committed_reference_data")
def test_status_change_saved_before_a_restart_is_answered_as_saved(
    personas: Personas, commune_a: AdminUnit, cut_after_commit: CutAfterCommit
) -> None:
    lat, lon = point_inside(commune_a)
    resident, officer = Client(), Client()
    resident.force_login(personas.resident)
    officer.force_login(personas.officer_a)
    filed = resident.post(
        "/api/v1/reports/cases",
        {"service": "streetlight_out", "description": "Đèn đường hỏng", "lat": lat, "lon": lon},
    )
    assert filed.status_code == 201, filed.content
    number = filed.json()["case"]["number"]
    accepted = officer.post(f"{API}/cases/{number}/accept", {}, content_type="application/json")
    assert accepted.status_code == 200

    cut_after_commit.armed = True
    answer = officer.post(f"{API}/cases/{number}/start")

    assert cut_after_commit.cut, "the connection was not cut after the commit"
    connection.close()
    assert answer.status_code == 200, answer.content[:300]
    body = answer.json()
    assert body["status"] == TicketStatus.IN_PROGRESS
    assert body["commune"]["code"] == commune_a.code
    assert body["department"]
    assert body["assignee"] == "Trần Minh Đức"
    assert Ticket.objects.get(number=number).status == TicketStatus.IN_PROGRESS
    assert TicketEvent.objects.filter(
        ticket__number=number, to_status=TicketStatus.IN_PROGRESS
    ).exists()
