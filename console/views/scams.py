"""The province's list of scam numbers and links, and confirming a scam.

Officers (commune officers and leaders: their commune's province; province
administrators: theirs) confirm a scam from a case of theirs or from a
checked message; what it was judged on goes on the province's list, and the
page offers to raise a scam alert (the alerts section's form, prefilled).
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from alerts.models import Category
from console.views.access import error_page, managed_case, officer, staff_required
from core.errors import DomainError
from core.masking import mask_text
from helpdesk.models import Ticket
from helpdesk.permissions import Scope
from scams.models import ScamIndicator
from scams.selectors import check_get, checks_to_review, indicators_for
from scams.services import scam_confirm_check, scam_confirm_ticket

LIST_SIZE = 200
ALERT_TEXT_LENGTH = 300


def alert_link(indicators: list[ScamIndicator]) -> str:
    """The address of a new scam alert naming these values (console/alert_forms.py prefills it)."""
    base = reverse("console:alert-new")
    values = ", ".join(i.value for i in indicators)
    text = _("Scam warning: do not answer or pay %(values)s.") % {"values": values}
    query = {"category": Category.SCAM_WARNING.value, "text": text[:ALERT_TEXT_LENGTH]}
    return f"{base}?{urlencode(query)}"


@require_GET
@staff_required
def scam_list(request: HttpRequest, scope: Scope) -> HttpResponse:
    indicators = list(indicators_for(scope)[:LIST_SIZE])
    checks = [
        # Officers read the message with every number masked; the numbers and
        # links it was judged on are listed apart, to confirm.
        {"check": check, "text": mask_text(check.text)}
        for check in checks_to_review(scope)
    ]
    confirmed = request.GET.getlist("confirmed")
    just_confirmed = [i for i in indicators if str(i.pk) in confirmed]
    context = {
        "indicators": indicators,
        "checks": checks,
        "alert_url": alert_link(just_confirmed) if just_confirmed else "",
    }
    return render(request, "console/scams.html", context)


def _after_confirm(request: HttpRequest, indicators: list[ScamIndicator]) -> HttpResponse:
    messages.success(
        request,
        _("Added to the province's list of scams: %(values)s.")
        % {"values": ", ".join(i.value for i in indicators)},
    )
    query = urlencode([("confirmed", i.pk) for i in indicators])
    return redirect(f"{reverse('console:scams')}?{query}")


@require_POST
@managed_case
def scam_confirm_case(request: HttpRequest, scope: Scope, ticket: Ticket) -> HttpResponse:
    try:
        indicators = scam_confirm_ticket(scope=scope, officer=officer(request), ticket=ticket)
    except DomainError as exc:
        messages.error(request, str(exc.message))
        return redirect("console:ticket-detail", number=ticket.number)
    return _after_confirm(request, indicators)


@require_POST
@staff_required
def scam_confirm_checked(request: HttpRequest, scope: Scope, check_id: str) -> HttpResponse:
    try:
        check = check_get(public_id=check_id)
        indicators = scam_confirm_check(scope=scope, officer=officer(request), check=check)
    except DomainError as exc:
        return error_page(request, exc.message, exc.http_status)
    return _after_confirm(request, indicators)
