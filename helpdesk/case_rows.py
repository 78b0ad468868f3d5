"""The API's row of a case (helpdesk.api.CaseOut), from a loaded ticket or straight from SQL.

A queue page of 100 cases rendered through ninja's per-field resolvers over
model instances spent most of its time in Python: five model instances per
row, a GEOS point built for two numbers, a lazy label per row, and a getter
wrapper around every attribute read (bench/queue_spikes.py: SQL 5-12 ms,
Python 24-42 ms of the officer's list at 1,000,000 cases). ``case_rows``
reads the page as plain values, the coordinates as two numbers from
PostGIS, and builds each row once.

A single case (an officer's action, the case page, a filing's answer) is a
ticket the caller holds; ``case_row`` reads the same values off it. An
action's ticket comes with its related rows, read inside the move's
transaction on purpose (helpdesk/lifecycle.py ``_locked``); others load them
as they are read, as the resolvers did. Both end in ``_row``, so what a
field means is written once; tests/helpdesk/test_case_rows.py holds the two
readings equal.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from core.names import localized
from geo.coordinates import latitude, longitude
from helpdesk.models import Ticket
from helpdesk.names import status_labels

# The flat values one row is built from, named as ``QuerySet.values`` names them.
_FIELDS = (
    "number",
    "public_id",
    "kind",
    "status",
    "description",
    "created_at",
    "due_at",
    "resolved_at",
    "rating",
    "service__code",
    "commune__code",
    "commune__full_name",
    "commune__full_name_en",
    "department__name",
    "department__name_en",
    "assignee__full_name",
)


def case_rows(tickets: QuerySet[Ticket]) -> list[dict[str, Any]]:
    """The rows of these tickets, in their order (one query)."""
    labels = status_labels()
    values = tickets.values(*_FIELDS, "commune_id", "department_id", "assignee_id").annotate(
        lat=latitude("location"), lon=longitude("location")
    )
    return [_row(value, labels) for value in values]


def case_row(ticket: Ticket) -> dict[str, Any]:
    """The row of one ticket; its service, commune, department and assignee
    are read from the instance (selected with it, or loaded on reading)."""
    commune, department, assignee = ticket.commune, ticket.department, ticket.assignee
    value: dict[str, Any] = {
        field: getattr(ticket, field) for field in _FIELDS if "__" not in field
    }
    value.update(
        service__code=ticket.service.code,
        commune_id=ticket.commune_id,
        commune__code=commune.code if commune else None,
        commune__full_name=commune.full_name if commune else None,
        commune__full_name_en=commune.full_name_en if commune else None,
        department_id=ticket.department_id,
        department__name=department.name if department else None,
        department__name_en=department.name_en if department else None,
        assignee_id=ticket.assignee_id,
        assignee__full_name=assignee.full_name if assignee else None,
        lat=ticket.location.y if ticket.location else None,
        lon=ticket.location.x if ticket.location else None,
    )
    return _row(value, status_labels())


def _row(value: dict[str, Any], labels: dict[str, str]) -> dict[str, Any]:
    return {
        "number": value["number"],
        "public_id": value["public_id"],
        "kind": value["kind"],
        "service": value["service__code"],
        "status": value["status"],
        "status_label": labels.get(value["status"], value["status"]),
        "description": value["description"],
        "lat": value["lat"],
        "lon": value["lon"],
        "commune": None
        if value["commune_id"] is None
        else {
            "code": value["commune__code"],
            "name": localized(value["commune__full_name"], value["commune__full_name_en"]),
        },
        "department": None
        if value["department_id"] is None
        else localized(value["department__name"], value["department__name_en"]),
        "assignee": None if value["assignee_id"] is None else value["assignee__full_name"],
        "created_at": value["created_at"],
        "due_at": value["due_at"],
        "resolved_at": value["resolved_at"],
        "rating": value["rating"],
    }
