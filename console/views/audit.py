"""The audit trail, read-only, for province administrators (their provinces)
and superusers (everything). Nobody changes it anywhere: see audit/models.py."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from audit.selectors import audit_actors, audit_entries_list
from console.audit_forms import AuditFilterForm
from console.audit_lines import change_lines, is_case_entry, role_lines
from console.views.access import can_see_dashboard, error_page, staff_required
from helpdesk.permissions import Scope, audit_entries_visible_to, can_read_audit

PAGE_SIZE = 50


@require_GET
@staff_required
def audit_list(request: HttpRequest, scope: Scope) -> HttpResponse:
    if not can_read_audit(scope=scope):
        return error_page(request, _("The audit trail is for province administrators."), status=403)
    visible = audit_entries_visible_to(scope=scope)
    form = AuditFilterForm(request.GET or None, actors=audit_actors(entries=visible))
    entries = audit_entries_list(entries=visible, filters=form.audit_filter())
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    shown = list(page.object_list)
    lines = change_lines(shown)
    roles = role_lines(shown)
    return render(
        request,
        "console/audit.html",
        {
            "form": form,
            "page": page,
            "rows": [
                {
                    "entry": entry,
                    "is_case": is_case_entry(entry),
                    "changes": lines[entry.pk],
                    "roles": roles[entry.pk],
                }
                for entry in shown
            ],
            "show_dashboard": can_see_dashboard(scope),
        },
    )
