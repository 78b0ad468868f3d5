"""Keys stored before Open311's keys named their application still replay after
the upgrade (open311/migrations/0002_keys_per_application.py)."""

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
        assert (theirs["service_request_id"], theirs["token"]) == (
            mine["service_request_id"],
            mine["token"],
        )
    assert Ticket.objects.count() == 2
