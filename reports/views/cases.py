"""The resident's cases: the list, one case with its public timeline, and the
resident's own actions on it (reply, rate, reopen).

Which case a person may open is decided by helpdesk.selectors.ticket_get with
their scope; what they may do by helpdesk.lifecycle. These views only show the
forms that make sense in the case's state and report the core's answer.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from accounts.models import User
from alerts.selectors import alerts_news_for, alerts_news_where_filed
from core.client_ip import client_ip
from core.errors import DomainError
from core.form_address import page_of_post, posts_from
from core.form_errors import ErrorItem, error_items, errors_described
from helpdesk import lifecycle
from helpdesk.idempotency_field import key_renew_after
from helpdesk.models import Attachment, ProxyFiling, Ticket, TicketEvent
from helpdesk.names import service_name
from helpdesk.permissions import CaseView, Scope, case_view, is_reporter, request_scope, scope_for
from helpdesk.photo_publishing import photo_url
from helpdesk.public_view import events_public_copies, ticket_public
from helpdesk.selectors import (
    ticket_photos,
    ticket_timeline,
    ticket_voice_notes,
    tickets_filed_for_others,
    tickets_of_reporter,
)
from helpdesk.voice_views import voice_notes_shown
from reports import presenters
from reports.forms import RateForm, ReopenForm, ReplyForm
from reports.views.common import case_page, files_for_others, person

PAGE_SIZE = 20

# The milestones of a case, shown as its short timeline in the list.
MILESTONES: tuple[tuple[str, Promise], ...] = (
    ("created_at", _("Sent")),
    ("accepted_at", _("Accepted")),
    ("started_at", _("Work started")),
    ("resolved_at", _("Resolved")),
    ("closed_at", _("Closed")),
)


def _proxy(ticket: Ticket) -> ProxyFiling | None:
    try:
        return ticket.proxy
    except ProxyFiling.DoesNotExist:
        return None


def _rows(tickets: QuerySet[Ticket], request: HttpRequest) -> dict[str, Any]:
    page = Paginator(tickets.select_related("proxy"), PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [
        {
            "ticket": t,
            "service_label": service_name(t.service),
            "commune": presenters.commune_name(t),
            "proxy": _proxy(t),
            "steps": [(label, getattr(t, f)) for f, label in MILESTONES if getattr(t, f)],
        }
        for t in page.object_list
    ]
    return {"page": page, "rows": rows}


@login_required
@require_GET
def cases_mine(request: HttpRequest) -> HttpResponse:
    """Every case I filed, including those I filed for residents without a phone."""
    tickets = tickets_of_reporter(scope=request_scope(request))
    context = {
        **_rows(tickets, request),
        "title": _("My cases"),
        "for_others": False,
        "is_team": files_for_others(request),
        # The warnings of the commune they last reported in.
        "alerts_news": alerts_news_where_filed(user_id=person(request).pk),
    }
    return render(request, "reports/cases.html", context)


@login_required
@require_GET
def cases_filed_for_others(request: HttpRequest) -> HttpResponse:
    """The cases a digital-tech team member filed on behalf of residents."""
    user = person(request)
    tickets = tickets_filed_for_others(scope=scope_for(user=user))
    context = {
        **_rows(tickets, request),
        "title": _("Cases I filed for residents"),
        "for_others": True,
        "is_team": True,
    }
    return render(request, "reports/cases.html", context)


# --- One case --------------------------------------------------------------------


def _photos(scope: Scope, ticket: Ticket) -> list[dict[str, str]]:
    return [
        {
            # Checked on each fetch (helpdesk/photo_views.py), never a file path.
            "thumbnail": photo_url(attachment=p, variant="thumbnail"),
            "display": photo_url(attachment=p, variant="display"),
            "role": p.role,
            # Report photos are made by the photo worker: a placeholder until then.
            "state": p.state,
        }
        for p in ticket_photos(scope=scope, ticket=ticket)
        if p.role in (Attachment.Role.REPORT, Attachment.Role.AFTER)
    ]


def _available_forms(ticket: Ticket, *, reporter: bool) -> dict[str, forms.Form]:
    """The resident's actions that make sense in this state (the core still decides)."""
    if not reporter:
        return {}
    actions = lifecycle.resident_actions(ticket=ticket)
    available: dict[str, forms.Form] = {}
    if lifecycle.ResidentAction.REPLY in actions:
        available["reply"] = ReplyForm(prefix="reply")
    if lifecycle.ResidentAction.RATE in actions:
        available["rate"] = RateForm(
            prefix="rate", initial={"rating": ticket.rating, "comment": ticket.rating_comment}
        )
    if lifecycle.ResidentAction.REOPEN in actions:
        available["reopen"] = ReopenForm(prefix="reopen")
    return available


def _case_page(
    request: HttpRequest,
    scope: Scope,
    ticket: Ticket,
    *,
    failed: tuple[str, forms.Form] | None = None,
    error: str | None = None,
    errors: list[ErrorItem] | None = None,
    status: int = 200,
) -> HttpResponse:
    parts = _live_parts(scope, ticket)
    if failed is not None:
        parts["forms"][failed[0]] = failed[1]
    public = case_view(scope=scope, ticket=ticket) == CaseView.PUBLIC
    context = {
        **parts,
        "service_label": service_name(ticket.service),
        # A "me too" follower reads the public view: no resident's details.
        "proxy": None if public else _proxy(ticket),
        # The line at the top (templates/_error_summary.html): a refused
        # form's every input, each a link to it.
        "error": error or (errors[0][1] if errors else None),
        "error_items": errors or (),
        # The page's own address, where this answer came to the form's
        # (templates/base.html: what the language button comes back to).
        "page_path": page_of_post(request),
        # Outside the live parts: a push about the case says nothing of alerts.
        "alerts_news": alerts_news_for(commune=ticket.commune) if ticket.commune else None,
    }
    return render(request, "reports/case_detail.html", context, status=status)


def _live_parts(scope: Scope, ticket: Ticket) -> dict[str, Any]:
    """What the page shows that a push can change: the status, the facts (a
    transfer changes the department: the page showed the old one until a
    reload, found by a helper on a phone), the timeline and the resident's
    forms, in the person's view (a "me too" follower gets the public one, and
    no forms)."""
    real = ticket
    forms = _available_forms(ticket, reporter=is_reporter(scope=scope, ticket=ticket))
    places = {
        "commune": presenters.commune_name(ticket),
        "department": presenters.department_name(ticket),
    }
    # Internal notes belong to the console, even when an officer opens this page.
    timeline: Any = ticket_timeline(scope=scope, ticket=ticket, public_only=True)
    if case_view(scope=scope, ticket=ticket) == CaseView.PUBLIC:
        ticket = ticket_public(ticket)
        timeline = PublicTimeline(events_public_copies(timeline, ticket=ticket))
    return {
        "ticket": ticket,
        **places,
        # The template walks the same timeline afterwards, from its cache.
        "expected": presenters.case_progress_text(ticket, timeline=timeline),
        "timeline": timeline,
        "forms": forms,
        # None for a "me too" follower: a voice is never public.
        "voice_notes": voice_notes_shown(ticket_voice_notes(scope=scope, ticket=ticket)),
        # The real case's: _photos gives a follower the approved ones only.
        "photos": _photos(scope, real),
    }


class PublicTimeline(list[TicketEvent]):
    """Public copies of events; ``last`` as the template reads it off a queryset."""

    @property
    def last(self) -> TicketEvent | None:
        return self[-1] if self else None


@require_GET
@case_page
def case_detail(request: HttpRequest, scope: Scope, ticket: Ticket) -> HttpResponse:
    return _case_page(request, scope, ticket)


@require_GET
@case_page
def case_live(request: HttpRequest, scope: Scope, ticket: Ticket) -> HttpResponse:
    """The case page's live parts alone, for live.js to put in place after a push."""
    return render(request, "reports/_case_live.html", _live_parts(scope, ticket))


# Given the case, the resident, the form's data and the client's address.
Run = Callable[[Ticket, User, dict[str, Any], str], object]

ACTIONS: dict[str, tuple[type[forms.Form], Run, Promise]] = {
    "reply": (
        ReplyForm,
        lambda t, by, d, ip: lifecycle.ticket_reply(
            ticket=t,
            by=by,
            body=d["body"],
            voice=d["voice"].read() if d.get("voice") else None,
            ip=ip,
            idempotency_key=d["idempotency_key"] or None,
        ),
        _("Your message was sent."),
    ),
    "rate": (
        RateForm,
        lambda t, by, d, ip: lifecycle.ticket_rate(
            ticket=t, by=by, rating=d["rating"], comment=d["comment"]
        ),
        _("Thank you for your rating."),
    ),
    "reopen": (
        ReopenForm,
        lambda t, by, d, ip: lifecycle.ticket_reopen(ticket=t, by=by, reason=d["reason"]),
        _("The case is open again. The commune has been told."),
    ),
}


@posts_from("reports:case-detail")
@case_page
def case_action(request: HttpRequest, scope: Scope, ticket: Ticket, action: str) -> HttpResponse:
    if action not in ACTIONS:
        raise Http404
    form_class, run, done = ACTIONS[action]
    form = form_class(request.POST, request.FILES, prefix=action)
    if not form.is_valid():
        errors_described(form)  # the rating's stars, each
        return _case_page(
            request, scope, ticket, failed=(action, form), errors=error_items(form), status=422
        )
    try:
        run(ticket, person(request), form.cleaned_data, client_ip(request))
    except DomainError as exc:
        key_renew_after(form, exc)
        ticket.refresh_from_db()
        # The case moved on meanwhile (the commune rejected it, the seven days
        # to reopen it ran out): the page shows it as it is now, without the
        # form that no longer applies, and the error says what it is now. The
        # refused form was put back, which could only be refused again.
        offered = action in _available_forms(
            ticket, reporter=is_reporter(scope=scope, ticket=ticket)
        )
        return _case_page(
            request,
            scope,
            ticket,
            failed=(action, form) if offered else None,
            error=str(exc.message),
            status=exc.http_status,
        )
    messages.success(request, str(done))
    # Opened at what was done (templates/base.html's messages, which take the
    # focus), as the console's actions do: at the page's top a phone showed
    # the header again and the resident scrolled back down to see it.
    return redirect(reverse("reports:case-detail", args=[ticket.number]) + "#messages")
