"""Keys stored before Open311's keys named their application still replay after
the upgrade (open311/migrations/0002_keys_per_application.py); cases filed
through Open311 before their case carried the names hide them too (0003)."""

from __future__ import annotations

import hashlib

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from geo.models import AdminUnit
from helpdesk.models import IdempotencyRecord, Ticket
from open311.keys import client_issue
from tests import factories
from tests.open311.conftest import App, file_request

BEFORE = ("open311", "0001_initial")
COPY = ("open311", "0003_filer_names_on_tickets")


def _migrate(targets: list[tuple[str, str]] | None = None) -> None:
    executor = MigrationExecutor(connection)
    executor.migrate(targets or executor.loader.graph.leaf_nodes())


@pytest.mark.usefixtures("committed_reference_data")
def test_keys_stored_before_the_upgrade_still_find_their_first_case(
    commune_a: AdminUnit,
) -> None:
    operator = factories.user_create()
    issued = client_issue(name="City app", account=operator)
    app = App(issued.client, issued.key, operator)
    header = {"Idempotency-Key": "before-upgrade-01"}
    by_header = file_request(app, commune_a, headers=header)
    by_device = file_request(app, commune_a, device_id="phone-old", description="Cot dien nghieng")
    assert (by_header.status_code, by_device.status_code) == (201, 201)
    # What the code before the upgrade stored: the header as it came, and
    # "o311-" + sha256(device id, content hash) for a device.
    first, second = IdempotencyRecord.objects.filter(user=operator).order_by("pk")
    first.key = "before-upgrade-01"
    old_device = hashlib.sha256(f"phone-old\n{second.request_hash}".encode()).hexdigest()
    second.key = "o311-" + old_device
    IdempotencyRecord.objects.bulk_update([first, second], ["key"])
    _migrate([BEFORE])  # 0002 undone (it does nothing backwards)...
    _migrate()  # ...and run again over the keys as they were stored

    again_by_header = file_request(app, commune_a, headers=header)
    again_by_device = file_request(
        app, commune_a, device_id="phone-old", description="Cot dien nghieng"
    )
    assert (again_by_header.status_code, again_by_device.status_code) == (200, 200)
    for again, first in ((again_by_header, by_header), (again_by_device, by_device)):
        (theirs,), (mine,) = again.json(), first.json()
        assert theirs["service_request_id"] == mine["service_request_id"]
    assert Ticket.objects.count() == 2


@pytest.mark.django_db(transaction=True)
def test_names_given_before_the_upgrade_are_copied_onto_their_cases(
    app: App, committed_reference_data: None, commune_a: AdminUnit
) -> None:
    assert file_request(app, commune_a, first_name="Xuân", last_name="Đinh Thị").status_code == 201
    assert file_request(app, commune_a, description="Không tên").status_code == 201
    named, unnamed = Ticket.objects.order_by("pk")
    # As the case stood before the upgrade: the names only in Open311's record.
    Ticket.objects.update(filer_names=[])
    executor = MigrationExecutor(connection)
    before = [key for key in executor.loader.graph.node_map[COPY].parents]
    try:
        executor.migrate(before)
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
    named.refresh_from_db()
    unnamed.refresh_from_db()
    assert named.filer_names == ["Xuân Đinh Thị", "Đinh Thị Xuân"]
    assert unnamed.filer_names == []
