"""The audit trail, read-only, for province administrators (their provinces)
and superusers (everything). Nobody changes it anywhere: see audit/models.py."""

from __future__ import annotations

from typing import Any

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from audit.models import AuditEntry
from audit.selectors import audit_actors, audit_entries_list
from console.audit_forms import AuditFilterForm
from console.views.access import can_see_dashboard, error_page, staff_required
from helpdesk.permissions import Scope, audit_entries_visible_to, can_read_audit

PAGE_SIZE = 50


def _change_lines(changes: dict[str, Any]) -> list[str]:
    """One line per change: "status: new → accepted", "event: 42"."""
    lines = []
    for name, value in changes.items():
        if isinstance(value, list) and len(value) == 2:
            lines.append(f"{name}: {_text(value[0])} → {_text(value[1])}")
        else:
            lines.append(f"{name}: {_text(value)}")
    return lines


def _text(value: Any) -> str:
    return "—" if value is None or value == "" else str(value)


def _row(entry: AuditEntry) -> dict[str, Any]:
    return {
        "entry": entry,
        "is_case": entry.target_type is not None
        and entry.target_type.app_label == "helpdesk"
        and entry.target_type.model == "ticket",
        "changes": _change_lines(entry.changes),
    }


@require_GET
@staff_required
def audit_list(request: HttpRequest, scope: Scope) -> HttpResponse:
    if not can_read_audit(scope=scope):
        return error_page(request, _("The audit trail is for province administrators."), status=403)
    visible = audit_entries_visible_to(scope=scope)
    form = AuditFilterForm(request.GET or None, actors=audit_actors(entries=visible))
    entries = audit_entries_list(entries=visible, filters=form.audit_filter())
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "console/audit.html",
        {
            "form": form,
            "page": page,
            "rows": [_row(entry) for entry in page.object_list],
            "show_dashboard": can_see_dashboard(scope),
        },
    )
