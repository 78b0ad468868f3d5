"""Cases filed through Open311 before their case carried the names hide them too."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from geo.models import AdminUnit
from helpdesk.models import Ticket
from tests.open311.conftest import App, file_request

COPY = ("open311", "0003_filer_names_on_tickets")


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
