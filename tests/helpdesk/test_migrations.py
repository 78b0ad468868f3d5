"""Moving the idempotency record from reports into the case core keeps every key
(issue 10): a retry sent before the upgrade still finds its first case after it."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from django.apps.registry import Apps
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor

from geo.models import AdminUnit
from helpdesk.filing import CaseDraft, case_submit
from helpdesk.idempotency import content_hash
from helpdesk.models import IdempotencyRecord
from tests.conftest import Personas
from tests.factories import point_inside

MOVE = ("helpdesk", "0015_idempotency_record_moved_from_reports")
# Not a literal at the call: django-stubs would look for reports.IdempotencyRecord
# in the code, where it no longer is; only the historical apps have it.
OLD_APP = "reports"


def _migrate_to_latest() -> None:
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.fixture
def old_layout() -> Iterator[Callable[[], Apps]]:
    """Takes the database back to just before the move (reports owns the
    record); migrated fully again afterwards. A function: what the test files
    with today's models must be filed before, while the tables match them."""
    executor = MigrationExecutor(connection)
    before = [p.key for p in executor.loader.graph.node_map[MOVE].parents]
    # reports 0002 depends on the move: going back to reports 0001 undoes it first.
    targets = [key for key in before if key[0] == "helpdesk"] + [("reports", "0001_initial")]
    try:
        yield lambda: executor.migrate(targets).apps
    finally:
        _migrate_to_latest()
        ContentType.objects.clear_cache()


@pytest.mark.django_db(transaction=True)
def test_keys_written_in_the_old_layout_still_replay_after_the_move(
    old_layout: Callable[[], Apps],
    committed_reference_data: None,
    personas: Personas,
    commune_a: AdminUnit,
) -> None:
    lat, lon = point_inside(commune_a)
    draft = CaseDraft(service_code="streetlight_out", description="Đèn tắt", lat=lat, lon=lon)
    # The case was filed before the upgrade; its key sat in the reports table.
    # Filed with today's models, so before the tables go back (they lack
    # columns added since, helpdesk 0031's filer_names for one).
    made = case_submit(reporter=personas.resident, draft=draft).ticket.pk
    old_layout().get_model(OLD_APP, "IdempotencyRecord").objects.create(
        user_id=personas.resident.pk,
        key="old-layout-key-1",
        request_hash=content_hash(draft),
        ticket_id=made,
    )
    assert "reports_idempotencyrecord" in connection.introspection.table_names()

    _migrate_to_latest()

    assert "reports_idempotencyrecord" not in connection.introspection.table_names()
    moved = IdempotencyRecord.objects.get(key="old-layout-key-1")
    assert moved.ticket_id == made
    again = case_submit(reporter=personas.resident, draft=draft, idempotency_key="old-layout-key-1")
    assert again.replayed
    assert again.ticket.pk == made
    with pytest.raises(IntegrityError, match="helpdesk_idempotency_once"), transaction.atomic():
        IdempotencyRecord.objects.create(
            user=personas.resident, key="old-layout-key-1", request_hash="x", ticket_id=made
        )
    ContentType.objects.clear_cache()
    assert ContentType.objects.get_for_model(IdempotencyRecord).app_label == "helpdesk"
