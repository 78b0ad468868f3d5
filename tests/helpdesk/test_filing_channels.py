"""Every channel files through the one filing service (issue 10).

Two checks: by behaviour, the web form and the REST API each leave what only
case_submit writes (the idempotency record beside the case it made, in the
same transaction); and by reading the code, nothing outside
helpdesk/filing.py creates a Ticket row or calls its private creator, and
the benches call case_submit.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from django.test import Client

from geo.models import AdminUnit
from helpdesk import filing
from helpdesk.models import IdempotencyRecord, Ticket
from tests.conftest import Personas
from tests.factories import point_inside

ROOT = Path(__file__).resolve().parents[2]
APP_PACKAGES = (
    "accounts",
    "config",
    "console",
    "core",
    "geo",
    "helpdesk",
    "knowledge",
    "notifications",
    "reports",
    "open311",
    "bench",
)


def _client(personas: Personas) -> Client:
    client = Client()
    client.force_login(personas.resident)
    return client


@pytest.mark.django_db
def test_the_web_form_and_the_api_file_through_case_submit(
    personas: Personas, commune_a: AdminUnit
) -> None:
    lat, lon = point_inside(commune_a)
    fields = {"service": "streetlight_out", "description": "Đèn tắt", "lat": lat, "lon": lon}
    page = _client(personas).post(
        "/report/new/", {**fields, "idempotency_key": "form-key-0001", "action": "submit"}
    )
    assert page.status_code == 302
    api = _client(personas).post(
        "/api/v1/reports/cases", fields, headers={"Idempotency-Key": "api-key-0001"}
    )
    assert api.status_code == 201
    assert Ticket.objects.count() == 2
    # Each case has the record only case_submit writes, beside the case it made.
    filed = set(IdempotencyRecord.objects.values_list("ticket_id", flat=True))
    assert filed == set(Ticket.objects.values_list("pk", flat=True))
    # Both kept their idempotency keys in the case core's one table.
    keys = set(IdempotencyRecord.objects.values_list("key", flat=True))
    assert keys == {"form-key-0001", "api-key-0001"}


def _python_files() -> list[Path]:
    return [
        path
        for package in APP_PACKAGES
        for path in (ROOT / package).rglob("*.py")
        if "migrations" not in path.parts
    ]


def _creates_tickets(tree: ast.AST) -> bool:
    """True if the module calls Ticket.objects.create/bulk_create/get_or_create."""
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in ("create", "bulk_create", "get_or_create", "update_or_create")
            and isinstance(node.func.value, ast.Attribute)
            and node.func.value.attr == "objects"
            and isinstance(node.func.value.value, ast.Name)
            and node.func.value.value.id == "Ticket"
        ):
            return True
    return False


def test_only_the_filing_service_creates_tickets() -> None:
    creators = [
        str(path.relative_to(ROOT))
        for path in _python_files()
        if _creates_tickets(ast.parse(path.read_text(encoding="utf-8")))
    ]
    assert creators == ["helpdesk/filing.py"]


def test_the_lower_function_is_private_and_called_only_by_case_submit() -> None:
    callers = [
        str(path.relative_to(ROOT))
        for path in _python_files()
        if "_ticket_create" in path.read_text(encoding="utf-8")
    ]
    assert callers == ["helpdesk/filing.py"]
    assert not hasattr(filing, "ticket_file")


@pytest.mark.parametrize("bench", ["ws_fanout.py", "case_notify_fanout.py"])
def test_the_benches_file_through_case_submit(bench: str) -> None:
    source = (ROOT / "bench" / bench).read_text(encoding="utf-8")
    assert "case_submit(" in source
