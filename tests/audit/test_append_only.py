"""Nobody rewrites the trail: the database refuses, whatever sends the statement,
and the admin offers no way to try."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, connection, transaction
from django.test import Client
from django.urls import reverse

from audit.models import AuditAction, AuditEntry
from audit.services import audit_record
from tests.conftest import Personas


@pytest.fixture
def entry(personas: Personas) -> AuditEntry:
    return audit_record(
        action=AuditAction.CASE_ACCEPT,
        actor=personas.officer_a,
        ip="203.0.113.7",
        target=personas.resident,
        target_label="TN-2026-000001",
    )


def _refused(sql: str, *params: int, setting: str | None = None) -> None:
    """``sql`` is refused by the trail's trigger (with ``xadesk.audit_truncate``
    set to ``setting`` for the statement's transaction, if given)."""
    with transaction.atomic(), connection.cursor() as cursor:
        if setting is not None:
            cursor.execute("SELECT set_config('xadesk.audit_truncate', %s, true)", [setting])
        with pytest.raises(IntegrityError, match="append-only"):
            cursor.execute(sql, params)
        transaction.set_rollback(True)


@pytest.mark.django_db
def test_saving_an_entry_again_through_the_orm_is_refused(entry: AuditEntry) -> None:
    entry.target_label = "rewritten"
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
        entry.save()
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
        AuditEntry.objects.filter(pk=entry.pk).update(ip="198.51.100.1")
    entry.refresh_from_db()
    assert (entry.target_label, entry.ip) == ("TN-2026-000001", "203.0.113.7")


@pytest.mark.django_db
def test_deleting_an_entry_through_the_orm_is_refused(entry: AuditEntry) -> None:
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
        entry.delete()
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
        AuditEntry.objects.all().delete()
    assert AuditEntry.objects.filter(pk=entry.pk).exists()


@pytest.mark.django_db
def test_raw_sql_cannot_update_delete_or_truncate_the_trail(entry: AuditEntry) -> None:
    _refused("UPDATE audit_auditentry SET ip = '198.51.100.1' WHERE id = %s", entry.pk)
    # Even a statement that changes nothing: an audit row is never written twice.
    _refused("UPDATE audit_auditentry SET ip = ip WHERE id = %s", entry.pk)
    _refused("DELETE FROM audit_auditentry WHERE id = %s", entry.pk)
    # The test settings let the runner's TRUNCATE through; without the switch,
    # as in production, it is refused. (The row's deferred foreign-key checks
    # are run first: PostgreSQL will not truncate a table with pending ones.)
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    _refused("TRUNCATE audit_auditentry", setting="off")
    _refused("TRUNCATE audit_auditentry", setting="")
    assert AuditEntry.objects.filter(pk=entry.pk).exists()


@pytest.mark.django_db
def test_a_user_who_acted_cannot_be_deleted_out_from_under_the_trail(
    entry: AuditEntry, personas: Personas
) -> None:
    from django.db.models import ProtectedError

    with pytest.raises(ProtectedError), transaction.atomic():
        personas.officer_a.delete()
    entry.refresh_from_db()
    assert entry.actor == personas.officer_a


@pytest.mark.django_db
def test_the_admin_shows_the_trail_but_even_a_superuser_cannot_add_change_or_delete(
    entry: AuditEntry, admin_client_for: Client
) -> None:
    changelist = admin_client_for.get(reverse("admin:audit_auditentry_changelist"))
    assert changelist.status_code == 200
    assert "TN-2026-000001" in changelist.content.decode()
    assert admin_client_for.get(reverse("admin:audit_auditentry_add")).status_code == 403
    change_url = reverse("admin:audit_auditentry_change", args=[entry.pk])
    view = admin_client_for.get(change_url)
    assert view.status_code == 200
    assert 'name="_save"' not in view.content.decode()
    posted = admin_client_for.post(change_url, {"target_label": "rewritten"})
    assert posted.status_code == 403
    delete_url = reverse("admin:audit_auditentry_delete", args=[entry.pk])
    assert admin_client_for.post(delete_url, {"post": "yes"}).status_code == 403
    bulk = admin_client_for.post(
        reverse("admin:audit_auditentry_changelist"),
        {"action": "delete_selected", "_selected_action": [entry.pk], "post": "yes"},
    )
    # The list offers no action at all (audit/admin.py sets none, and
    # delete_selected would need the delete permission), so Django ignores the
    # posted one and shows the list again.
    assert bulk.status_code == 200
    assert 'name="action"' not in bulk.content.decode()
    entry.refresh_from_db()
    assert entry.target_label == "TN-2026-000001"
