"""The dashboard reads running tallies: they must equal live counts of the cases,
for every scope, after every kind of write, and never show another commune."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.db.models import Avg, Count, DurationField, ExpressionWrapper, F, Q
from django.utils import timezone

from console.selectors import dashboard_tables
from geo.models import AdminUnit
from helpdesk import lifecycle
from helpdesk.models import OPEN_STATUSES, Department, Ticket, TicketTally
from helpdesk.permissions import scope_for, tickets_managed_by
from tests.conftest import Personas
from tests.console.pages import case_in, client_as


def _live(scope_user: Any, *group: str) -> list[dict[str, Any]]:
    """The dashboard's figures counted from the cases themselves (the query the
    dashboard ran before the tallies)."""
    resolved = Q(resolved_at__isnull=False)
    handling = ExpressionWrapper(F("resolved_at") - F("created_at"), output_field=DurationField())
    return list(
        tickets_managed_by(scope=scope_for(user=scope_user))
        .order_by()
        .values(*group)
        .annotate(
            total=Count("id"),
            open=Count("id", filter=Q(status__in=OPEN_STATUSES)),
            resolved=Count("id", filter=resolved),
            on_time=Count("id", filter=resolved & Q(resolved_at__lte=F("due_at"))),
            avg_handling=Avg(handling, filter=resolved),
        )
        .order_by(*group)
    )


_FIGURES = ("total", "open", "resolved", "on_time", "avg_handling")


def _by(rows: list[dict[str, Any]], key: str, *names: str) -> dict[Any, dict[str, Any]]:
    """Each row's figures and ``names`` under its ``key``; a key seen twice fails."""
    found = {row[key]: {name: row[name] for name in (*names, *_FIGURES)} for row in rows}
    assert len(found) == len(rows), f"{key} repeated"
    return found


def _assert_tallies_equal_live(personas: Personas) -> None:
    for user in (personas.leader_a, personas.province_admin, personas.officer_b):
        scope = scope_for(user=user)
        live_commune = _live(user, "commune__code", "commune__name")
        got_commune = dashboard_tables(scope=scope).by_commune
        pairs = [
            (
                _by(got_commune, "commune__code", "commune__name"),
                _by(live_commune, "commune__code", "commune__name"),
            )
        ]
        # Each commune's departments, as the page shows them when it is chosen.
        for code in {row["commune__code"] for row in live_commune} - {None}:
            by_department = dashboard_tables(scope=scope, commune_code=code).by_department
            live = [
                row
                for row in _live(user, "commune__code", "department_id", "department__name")
                if row["commune__code"] == code
            ]
            pairs.append(
                (
                    _by(by_department, "department_id", "department__name"),
                    _by(live, "department_id", "department__name"),
                )
            )
        assert len(pairs) > 1 or not live_commune
        for got, want in pairs:
            assert got.keys() == want.keys()
            for key, w in want.items():
                g = got[key]
                assert {**g, "avg_handling": None} == {**w, "avg_handling": None}
                # Sum / count and AVG round microseconds apart.
                if w["avg_handling"] is None:
                    assert g["avg_handling"] is None
                else:
                    assert abs(g["avg_handling"] - w["avg_handling"]) < timedelta(milliseconds=1)


@pytest.mark.django_db
def test_tallies_equal_live_counts_after_every_kind_of_write(
    personas: Personas, commune_a: AdminUnit, commune_b: AdminUnit
) -> None:
    cases = [case_in(commune_a, personas.resident) for _ in range(5)]
    case_in(commune_b, personas.resident)  # unrouted: commune B has no such department
    _assert_tallies_equal_live(personas)
    assert sum(t.total for t in TicketTally.objects.all()) == Ticket.objects.count() == 6

    accepted, resolved, rejected, moved, late = cases
    lifecycle.ticket_accept(ticket=accepted, by=personas.officer_a)
    for ticket in (resolved, late):
        lifecycle.ticket_accept(ticket=ticket, by=personas.officer_a)
        lifecycle.ticket_resolve(ticket=ticket, by=personas.officer_a, note="Đã sửa")
    lifecycle.ticket_reject(ticket=rejected, by=personas.officer_a, reason="Không thuộc xã")
    lifecycle.ticket_transfer(
        ticket=moved,
        by=personas.officer_a,
        department=Department.objects.get(commune=commune_b),
        reason="Thuộc xã B",
    )
    # A bulk update, as the admin or a data fix would make: no Python hook runs.
    Ticket.objects.filter(pk=late.pk).update(due_at=timezone.now() - timedelta(days=1))
    _assert_tallies_equal_live(personas)

    # The transferred case left commune A's figures for commune B's.
    leader = {r["commune__name"]: r["total"] for r in _live(personas.leader_a, "commune__name")}
    assert leader == {commune_a.name: 4}
    assert sum(t.total for t in TicketTally.objects.all()) == Ticket.objects.count() == 6


@pytest.mark.django_db
def test_a_leaders_dashboard_counts_only_their_commune(
    personas: Personas, commune_a: AdminUnit, commune_b: AdminUnit
) -> None:
    case_in(commune_a, personas.resident)
    for _ in range(3):
        case_in(commune_b, personas.resident)
    leader = client_as(personas, "leader_a").get("/console/dashboard/")
    assert [(r["commune__name"], r["total"]) for r in leader.context["by_commune"]] == [
        (commune_a.name, 1)
    ]
    assert commune_b.name not in leader.content.decode()
    assert commune_b.name_en not in leader.content.decode()
    admin = client_as(personas, "province_admin").get("/console/dashboard/")
    assert sorted((r["commune__name"], r["total"]) for r in admin.context["by_commune"]) == sorted(
        [(commune_a.name, 1), (commune_b.name, 3)]
    )
    # Two communes: the administrator compares them and opens one.
    assert admin.context["by_department"] == []
    # In the reader's language (English here).
    assert f'<a href="?commune={commune_b.code}#departments">{commune_b.name_en}</a>' in (
        admin.content.decode()
    )
    opened = client_as(personas, "province_admin").get(
        "/console/dashboard/", {"commune": commune_b.code}
    )
    # Commune B's cases found no department: one "Unrouted" row under commune B.
    departments = [
        (r["department_text"], r["commune_text"]) for r in opened.context["by_department"]
    ]
    assert departments == [("Unrouted", commune_b.name_en)]
    assert '<th scope="row">Unrouted<small>' in opened.content.decode()
    assert len(opened.context["by_commune"]) == 2
    assert f'{commune_b.code}#departments" aria-current="true">' in opened.content.decode()
    assert opened.content.decode().count("aria-current") == 1
    # A leader naming another commune still sees only their own.
    asked = client_as(personas, "leader_a").get("/console/dashboard/", {"commune": commune_b.code})
    assert {r["commune_text"] for r in asked.context["by_department"]} == {commune_a.name_en}
    assert commune_b.name_en not in asked.content.decode()
    # Officers have no dashboard at all.
    assert client_as(personas, "officer_a").get("/console/dashboard/").status_code == 403


@pytest.mark.django_db
def test_a_province_with_one_commune_and_cases_of_none_opens_that_commune(
    personas: Personas, commune_a: AdminUnit
) -> None:
    """Cases with no commune make a row of their own, which cannot be opened;
    the one commune beside it still opens at once."""
    case_in(commune_a, personas.resident)
    nowhere = case_in(commune_a, personas.resident)
    Ticket.objects.filter(pk=nowhere.pk).update(commune=None, department=None)
    page = client_as(personas, "province_admin").get("/console/dashboard/")
    assert [r["commune__name"] for r in page.context["by_commune"]] == [commune_a.name, None]
    assert {r["commune_text"] for r in page.context["by_department"]} == {commune_a.name_en}
    assert page.context["commune_name"] == commune_a.name_en
    # Nothing else to open: no links, no "choose a commune".
    assert "?commune=" not in page.content.decode()
