"""Reads through the real streaming replica (core/db_routing.py).

`make test` hands these tests the replica of the private cluster
(XADESK_TEST_REPLICA_URL, from scripts/provision.sh). The test database is
created on the primary and streams over; the ``replica`` alias, a mirror of the
test database in ordinary tests, is pointed at the replica server's copy here.
Replay is paused on the replica as its superuser to hold it back in time.
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Iterator
from typing import Any

import dj_database_url
import psycopg
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import DEFAULT_DB_ALIAS, connections, router, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.test import Client
from django.test.utils import CaptureQueriesContext
from psycopg import sql
from pytest_django import Settings

from accounts.models import User
from core.db_routing import PIN_COOKIE, REPLICA, replica_health_forget, replica_reading
from geo.models import AdminUnit
from helpdesk.models import Ticket
from tests import factories
from tests.conftest import Personas
from tests.notifications.live import free_port

REPLICA_URL = os.environ.get("XADESK_TEST_REPLICA_URL", "")
CASES = "/api/v1/helpdesk/cases"
VIETNAM_VIEW = "bbox=102,8,110,24&zoom=6"

# make test exports the replica's address whenever it provisioned the database
# itself, which it always does unless DATABASE_URL names another server. So only
# then may these tests be skipped; otherwise a missing replica is a failure, not
# a quiet skip in a green run.
EXTERNAL_DATABASE = bool(os.environ.get("DATABASE_URL"))

pytestmark = [
    pytest.mark.skipif(
        not REPLICA_URL and EXTERNAL_DATABASE,
        reason="DATABASE_URL names another server and XADESK_TEST_REPLICA_URL no replica of it",
    ),
    pytest.mark.django_db(transaction=True, databases=[DEFAULT_DB_ALIAS, REPLICA]),
]


@pytest.fixture(autouse=True)
def _replica_given() -> None:
    if not REPLICA_URL:
        pytest.fail(
            "No replica: make test sets XADESK_TEST_REPLICA_URL from .run/pg-replica/url, "
            "which scripts/provision.sh writes when it starts the replica."
        )


def _superuser_on_replica() -> psycopg.Connection[Any]:
    parsed = dj_database_url.parse(REPLICA_URL)
    return psycopg.connect(
        host=parsed["HOST"],
        port=int(parsed["PORT"]),
        user="postgres",
        dbname="postgres",
        autocommit=True,
        connect_timeout=5,
    )


def _wait_until_replayed(superuser: psycopg.Connection[Any]) -> None:
    """Wait until the replica has replayed everything the primary wrote so far."""
    with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        cursor.execute("SELECT pg_current_wal_lsn()")
        (lsn,) = cursor.fetchone()
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        row = superuser.execute("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [lsn]).fetchone()
        if row and row[0]:
            return
        time.sleep(0.05)
    pytest.fail(f"the replica did not replay up to {lsn} within 60 s")


@pytest.fixture
def superuser() -> Iterator[psycopg.Connection[Any]]:
    conn = _superuser_on_replica()
    try:
        yield conn
    finally:
        # Never leave the replica paused for the tests that come after.
        conn.execute("SELECT pg_wal_replay_resume()")
        conn.close()


def _point_replica_alias(host: str, port: str) -> dict[str, Any]:
    """Point the ``replica`` alias at a server's copy of the test database; return
    the settings it had."""
    alias = connections[REPLICA]
    before = alias.settings_dict
    alias.close()
    default = connections[DEFAULT_DB_ALIAS].settings_dict
    # Still a mirror: the test run neither creates nor empties it.
    test = {**default["TEST"], "MIRROR": DEFAULT_DB_ALIAS}
    alias.settings_dict = {**default, "HOST": host, "PORT": port, "TEST": test}
    replica_health_forget()
    return before


@pytest.fixture
def replica(
    committed_reference_data: None,
    superuser: psycopg.Connection[Any],
    settings: Settings,
) -> Iterator[BaseDatabaseWrapper]:
    parsed = dj_database_url.parse(REPLICA_URL)
    settings.DATABASE_REPLICA_ENABLED = True
    # Paused replay makes the replica look as old as its last replayed commit;
    # the lag tests set their own bound.
    settings.DATABASE_REPLICA_MAX_LAG_SECONDS = 3600
    settings.DATABASE_REPLICA_CHECK_SECONDS = 0
    before = _point_replica_alias(parsed["HOST"], str(parsed["PORT"]))
    try:
        _wait_until_replayed(superuser)
        yield connections[REPLICA]
    finally:
        connections[REPLICA].close()
        connections[REPLICA].settings_dict = before
        replica_health_forget()


def _logged_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _numbers(client: Client, seen_on_replica: list[str] | None = None) -> set[str]:
    """The case numbers of the person's list, and the SQL it sent to the replica alias."""
    if seen_on_replica is None:
        response = client.get(CASES)
    else:
        # Connects the alias first (CaptureQueriesContext does).
        with CaptureQueriesContext(connections[REPLICA]) as on_replica:
            response = client.get(CASES)
        seen_on_replica.extend(q["sql"] for q in on_replica.captured_queries)
    assert response.status_code == 200, response.content
    return {item["number"] for item in response.json()["items"]}


def _public_ids(client: Client) -> set[str]:
    response = client.get("/api/v1/reports/public")
    assert response.status_code == 200, response.content
    return {feature["id"] for feature in response.json()["features"]}


def _ticket_reads(sqls: list[str]) -> list[str]:
    return [sql for sql in sqls if '"helpdesk_ticket"' in sql]


def test_officer_queue_is_read_from_the_replica(
    replica: BaseDatabaseWrapper,
    superuser: psycopg.Connection[Any],
    personas: Personas,
    commune_a: AdminUnit,
) -> None:
    ticket = factories.case_file(reporter=personas.resident, commune=commune_a)
    officer = _logged_in(personas.officer_a)
    _wait_until_replayed(superuser)

    on_replica: list[str] = []
    assert ticket.number in _numbers(officer, on_replica)
    assert _ticket_reads(on_replica), "the queue was not read through the replica alias"
    with replica.cursor() as cursor:
        cursor.execute("SELECT pg_is_in_recovery()")
        assert cursor.fetchone() == (True,)

    with CaptureQueriesContext(replica) as page_reads:
        page = officer.get("/console/")
    assert page.status_code == 200
    assert ticket.number in page.content.decode()
    assert _ticket_reads([q["sql"] for q in page_reads.captured_queries])

    # The map API and the public map read there too.
    for client, url in (
        (officer, f"/api/v1/helpdesk/map?{VIETNAM_VIEW}"),
        (Client(), f"/api/v1/reports/map?{VIETNAM_VIEW}"),
    ):
        with CaptureQueriesContext(replica) as map_reads:
            answer = client.get(url)
        assert answer.status_code == 200, answer.content
        assert map_reads.captured_queries, url


def test_own_write_is_read_back_from_the_primary_while_replay_is_paused(
    replica: BaseDatabaseWrapper,
    superuser: psycopg.Connection[Any],
    personas: Personas,
    commune_a: AdminUnit,
) -> None:
    resident = _logged_in(personas.resident)
    officer = _logged_in(personas.officer_a)
    lat, lon = factories.point_inside(commune_a)
    _wait_until_replayed(superuser)

    superuser.execute("SELECT pg_wal_replay_pause()")
    filed = resident.post(
        "/api/v1/reports/cases",
        {"service": "road_damage", "lat": lat, "lon": lon, "photos": _photo()},
    )
    assert filed.status_code == 201, filed.content
    assert PIN_COOKIE in filed.cookies
    number = filed.json()["case"]["number"]

    resident_reads: list[str] = []
    assert number in _numbers(resident, resident_reads)
    assert not _ticket_reads(resident_reads), "the resident's own read went to the replica"

    officer_reads: list[str] = []
    assert number not in _numbers(officer, officer_reads)
    assert _ticket_reads(officer_reads)

    superuser.execute("SELECT pg_wal_replay_resume()")
    _wait_until_replayed(superuser)
    assert number in _numbers(officer)


def test_pin_ends_after_its_seconds(
    replica: BaseDatabaseWrapper,
    superuser: psycopg.Connection[Any],
    personas: Personas,
    commune_a: AdminUnit,
    settings: Settings,
) -> None:
    settings.DATABASE_REPLICA_PIN_SECONDS = 1
    resident = _logged_in(personas.resident)
    lat, lon = factories.point_inside(commune_a)
    _wait_until_replayed(superuser)
    superuser.execute("SELECT pg_wal_replay_pause()")
    filed = resident.post(
        "/api/v1/reports/cases",
        {"service": "road_damage", "lat": lat, "lon": lon, "photos": _photo()},
    )
    assert filed.status_code == 201, filed.content
    public_id = filed.json()["case"]["public_id"]
    # Pinned: the public feed (a replica read) comes from the primary for them.
    assert public_id in _public_ids(resident)
    time.sleep(2.1)
    # The pin has expired and replay is still paused: the replica's older view.
    assert public_id not in _public_ids(resident)
    # Their own list never leaves the primary (an app's bearer key keeps no pin).
    assert filed.json()["case"]["number"] in _numbers(resident, [])


def test_replica_lagging_beyond_the_bound_is_not_read(
    replica: BaseDatabaseWrapper,
    superuser: psycopg.Connection[Any],
    personas: Personas,
    commune_a: AdminUnit,
    settings: Settings,
) -> None:
    officer = _logged_in(personas.officer_a)
    _wait_until_replayed(superuser)
    superuser.execute("SELECT pg_wal_replay_pause()")
    ticket = factories.case_file(reporter=personas.resident, commune=commune_a)
    time.sleep(2.1)

    # Within a generous bound the paused replica is read and lacks the case...
    assert ticket.number not in _numbers(officer, [])
    # ...beyond a 1 s bound the primary is read instead.
    settings.DATABASE_REPLICA_MAX_LAG_SECONDS = 1
    officer_reads: list[str] = []
    assert ticket.number in _numbers(officer, officer_reads)
    assert not _ticket_reads(officer_reads)
    # The health check says so, and the node still serves (config/health.py).
    health = Client().get("/healthz")
    assert health.status_code == 200
    body = health.json()
    assert (body["status"], body["down"], body["degraded"]) == ("degraded", [], ["replica"])
    assert re.fullmatch(r"not used: \d+\.\d s behind the primary", body["checks"]["replica"])


def test_replica_cut_off_from_the_primary_is_not_taken_for_current(
    replica: BaseDatabaseWrapper,
    superuser: psycopg.Connection[Any],
    personas: Personas,
    commune_a: AdminUnit,
    settings: Settings,
) -> None:
    """With its WAL receiver stopped the replica has replayed all it received,
    and stays that way: only the age of its last replayed commit may say it is
    current."""
    officer = _logged_in(personas.officer_a)
    _wait_until_replayed(superuser)
    superuser.autocommit = True
    row = superuser.execute("SHOW primary_conninfo").fetchone()
    assert row is not None
    conninfo = row[0]
    superuser.execute("ALTER SYSTEM SET primary_conninfo = ''")
    superuser.execute("SELECT pg_reload_conf()")
    try:
        deadline = time.monotonic() + 30
        while superuser.execute(
            "SELECT count(*) FROM pg_stat_wal_receiver WHERE pid IS NOT NULL"
        ).fetchone() != (0,):
            assert time.monotonic() < deadline, "the WAL receiver did not stop"
            time.sleep(0.1)
        ticket = factories.case_file(reporter=personas.resident, commune=commune_a)
        time.sleep(2.1)
        settings.DATABASE_REPLICA_MAX_LAG_SECONDS = 1
        replica_health_forget()
        officer_reads: list[str] = []
        assert ticket.number in _numbers(officer, officer_reads)
        assert not _ticket_reads(officer_reads), "a cut-off replica was read"
    finally:
        # ALTER SYSTEM takes no bind parameters: the value as a quoted literal.
        superuser.execute(
            sql.SQL("ALTER SYSTEM SET primary_conninfo = {}").format(sql.Literal(conninfo))
        )
        superuser.execute("SELECT pg_reload_conf()")
    _wait_until_replayed(superuser)


def test_replica_down_reads_the_primary(
    replica: BaseDatabaseWrapper, personas: Personas, commune_a: AdminUnit
) -> None:
    ticket = factories.case_file(reporter=personas.resident, commune=commune_a)
    officer = _logged_in(personas.officer_a)
    # Nothing listens on a fresh free port: connecting is refused at once.
    _point_replica_alias("127.0.0.1", str(free_port()))

    assert ticket.number in _numbers(officer)
    assert officer.get("/console/").status_code == 200
    assert _logged_in(personas.leader_a).get("/console/dashboard/").status_code == 200
    assert officer.get(f"/api/v1/helpdesk/map?{VIETNAM_VIEW}").status_code == 200
    assert Client().get("/api/v1/reports/public").status_code == 200


def test_reads_inside_a_transaction_stay_on_the_primary(replica: BaseDatabaseWrapper) -> None:
    with replica_reading():
        assert router.db_for_read(Ticket) == REPLICA
        with transaction.atomic():
            assert router.db_for_read(Ticket) == DEFAULT_DB_ALIAS
    assert router.db_for_read(Ticket) == DEFAULT_DB_ALIAS  # outside a marked read


def _photo() -> SimpleUploadedFile:
    return SimpleUploadedFile("photo.jpg", factories.jpeg(), content_type="image/jpeg")
