"""Pages of the officer console: parse, call a selector or a lifecycle service, render.

Who sees what is decided in helpdesk.permissions; a domain error raised by the
case core is shown to the person as its sentence, with the status of its family.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any, Concatenate

from django import forms
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST

from accounts.models import User
from core.errors import DomainError
from helpdesk import console_selectors, lifecycle
from helpdesk.attachments import attachment_approve_public
from helpdesk.errors import OutOfScope
from helpdesk.forms import (
    DuplicateForm,
    EmptyForm,
    NoteForm,
    QueueFilterForm,
    RejectForm,
    ReplyForm,
    ResolveForm,
    TransferForm,
)
from helpdesk.models import Ticket, TicketStatus
from helpdesk.names import service_name
from helpdesk.permissions import Scope, can_manage, scope_for
from helpdesk.photo_publishing import photo_url
from helpdesk.selectors import (
    services_active,
    ticket_get,
    ticket_photos,
    ticket_timeline,
    tickets_count_by_status,
    tickets_queue,
)
from helpdesk.sla import SlaStatus, WorkingCalendar, sla_status

S = TicketStatus
PAGE_SIZE = 25


def _error_page(request: HttpRequest, message: str | Promise, status: int) -> HttpResponse:
    return render(request, "helpdesk/error.html", {"message": message}, status=status)


def staff_required[**P](
    view: Callable[Concatenate[HttpRequest, Scope, P], HttpResponse],
) -> Callable[Concatenate[HttpRequest, P], HttpResponse]:
    """Send strangers to the login page and turn away people without a staff role."""

    @wraps(view)
    def wrapped(request: HttpRequest, /, *args: P.args, **kwargs: P.kwargs) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path(), reverse("helpdesk:login"))
        scope = scope_for(user=request.user)
        if not scope.is_staff_member:
            return _error_page(
                request,
                _("This console is for commune and province staff. You have no staff role."),
                403,
            )
        return view(request, scope, *args, **kwargs)

    return wrapped


def managed_case[**P](
    view: Callable[Concatenate[HttpRequest, Scope, Ticket, P], HttpResponse],
) -> Callable[..., HttpResponse]:  # Django passes ``number`` by keyword
    """A console page about one case the staff member handles (``number`` in the URL).

    Besides ``staff_required``: a case outside their scope is the error page
    with the case core's own sentence.
    """

    def with_case(
        request: HttpRequest, scope: Scope, /, number: str, *args: P.args, **kwargs: P.kwargs
    ) -> HttpResponse:
        try:
            ticket = _managed_ticket(scope, number)
        except DomainError as exc:
            return _error_page(request, exc.message, exc.http_status)
        return view(request, scope, ticket, *args, **kwargs)

    return wraps(view)(staff_required(with_case))


def _can_see_dashboard(scope: Scope) -> bool:
    return bool(scope.is_superuser or scope.leader_commune_ids or scope.admin_province_ids)


def _officer(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)  # staff_required let only signed-in users through
    return user


def _sla(ticket: Ticket, calendar: WorkingCalendar, now: dt.datetime) -> SlaStatus | None:
    if ticket.due_at is None or ticket.status in (S.REJECTED, S.DUPLICATE):
        return None
    return sla_status(
        due_at=ticket.due_at, now=now, calendar=calendar, resolved_at=ticket.resolved_at
    )


# --- Queue -----------------------------------------------------------------


def _rows_with_sla(tickets: list[Ticket]) -> list[tuple[Ticket, SlaStatus | None]]:
    """Queue rows: each ticket with its time left, one calendar read per province."""
    calendars = console_selectors.calendars_for(province_ids={t.province_id for t in tickets})
    now = timezone.now()
    return [(t, _sla(t, calendars[t.province_id], now)) for t in tickets]


def _queue_filter_form(
    request: HttpRequest, scope: Scope, *, with_communes: bool
) -> QueueFilterForm:
    """The queue's filters, shared by the list and the map of the same queue."""
    return QueueFilterForm(
        request.GET or None,
        choices=console_selectors.queue_choices(scope=scope),
        services=list(services_active().order_by("name")),
        with_communes=with_communes,
    )


@require_GET
@staff_required
def queue(request: HttpRequest, scope: Scope) -> HttpResponse:
    with_communes = _can_see_dashboard(scope)
    form = _queue_filter_form(request, scope, with_communes=with_communes)
    tickets = tickets_queue(scope=scope, filters=form.queue_filter())
    page = Paginator(tickets, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = _rows_with_sla(list(page.object_list))
    counts = tickets_count_by_status(scope=scope)
    status_counts = [(value, label, counts.get(value, 0)) for value, label in S.choices]
    return render(
        request,
        "helpdesk/queue.html",
        {
            "form": form,
            "page": page,
            "rows": rows,
            "status_counts": status_counts,
            "show_dashboard": with_communes,
        },
    )


ROWS_LIMIT = 50


@require_GET
@staff_required
def queue_rows(request: HttpRequest, scope: Scope) -> HttpResponse:
    """The queue's rows for the cases a live push named (``?cases=A,B`` plus the page's filters).

    The queue page asks for these when /ws/queue/ reports changed cases, and
    puts each row in place; a case it does not get back has left this queue
    (transferred, or no longer matching the filters). Same scope and filters
    as the page, same row template.
    """
    numbers = [n for n in request.GET.get("cases", "").split(",") if n][:ROWS_LIMIT]
    with_communes = _can_see_dashboard(scope)
    form = _queue_filter_form(request, scope, with_communes=with_communes)
    tickets = tickets_queue(scope=scope, filters=form.queue_filter()).filter(number__in=numbers)
    return render(request, "helpdesk/_queue_rows.html", {"rows": _rows_with_sla(list(tickets))})


MAP_LIMIT = 500


@require_GET
@staff_required
def queue_map(request: HttpRequest, scope: Scope) -> HttpResponse:
    """The queue on a map, with the same filters. The list under the map is the
    page's real content: it still works when map tiles or JavaScript do not."""
    with_communes = _can_see_dashboard(scope)
    form = _queue_filter_form(request, scope, with_communes=with_communes)
    tickets = list(tickets_queue(scope=scope, filters=form.queue_filter())[:MAP_LIMIT])
    points = [
        {
            "number": t.number,
            "lat": t.location.y,
            "lon": t.location.x,
            "service": service_name(t.service),
            "status": str(t.get_status_display()),
            "url": reverse("helpdesk:ticket-detail", args=[t.number]),
        }
        for t in tickets
        if t.location is not None
    ]
    return render(
        request,
        "helpdesk/queue_map.html",
        {
            "form": form,
            "tickets": tickets,
            "points": points,
            "limit": MAP_LIMIT,
            "show_dashboard": with_communes,
        },
    )


# --- Ticket page and its actions -------------------------------------------


@dataclass(frozen=True)
class Action:
    name: str
    label: str | Promise
    done: str | Promise
    form: type[forms.Form]
    run: Callable[[Ticket, User, Scope, dict[str, Any]], object]
    # The status the action moves the case to; None for replies and notes.
    to: str | None = None


def _duplicate(ticket: Ticket, by: User, scope: Scope, data: dict[str, Any]) -> object:
    original = ticket_get(scope=scope, number=data["original"])
    return lifecycle.ticket_mark_duplicate(ticket=ticket, by=by, original=original)


ACTIONS: dict[str, Action] = {
    a.name: a
    for a in (
        Action(
            "accept",
            _("Accept"),
            _("Case accepted and assigned to you."),
            EmptyForm,
            lambda t, by, s, d: lifecycle.ticket_accept(ticket=t, by=by),
            S.ACCEPTED,
        ),
        Action(
            "start",
            _("Start work"),
            _("Work on the case has started."),
            EmptyForm,
            lambda t, by, s, d: lifecycle.ticket_start(ticket=t, by=by),
            S.IN_PROGRESS,
        ),
        Action(
            "reply",
            _("Send reply"),
            _("Reply sent to the resident."),
            ReplyForm,
            lambda t, by, s, d: lifecycle.ticket_reply(
                ticket=t, by=by, body=d["body"], photos=[p.read() for p in d["photos"]]
            ),
        ),
        Action(
            "note",
            _("Add note"),
            _("Internal note added."),
            NoteForm,
            lambda t, by, s, d: lifecycle.ticket_reply(
                ticket=t,
                by=by,
                body=d["body"],
                internal=True,
                photos=[p.read() for p in d["photos"]],
            ),
        ),
        Action(
            "transfer",
            _("Transfer"),
            _("Case transferred."),
            TransferForm,
            lambda t, by, s, d: lifecycle.ticket_transfer(
                ticket=t, by=by, department=d["department"], reason=d["reason"]
            ),
            S.TRANSFERRED,
        ),
        Action(
            "duplicate",
            _("Mark as duplicate"),
            _("Case marked as a duplicate."),
            DuplicateForm,
            _duplicate,
            S.DUPLICATE,
        ),
        Action(
            "reject",
            _("Reject"),
            _("Case rejected."),
            RejectForm,
            lambda t, by, s, d: lifecycle.ticket_reject(ticket=t, by=by, reason=d["reason"]),
            S.REJECTED,
        ),
        Action(
            "resolve",
            _("Resolve"),
            _("Case resolved. The resident has been told."),
            ResolveForm,
            lambda t, by, s, d: lifecycle.ticket_resolve(
                ticket=t, by=by, note=d["note"], photos=[photo.read() for photo in d["photos"]]
            ),
            S.RESOLVED,
        ),
    )
}


def _is_available(action: Action, ticket: Ticket) -> bool:
    if action.to is None:
        return ticket.status in lifecycle.CONVERSATION_OPEN
    return action.to in lifecycle.STAFF_MOVES[ticket.status]


def _make_form(action: Action, ticket: Ticket, data: Any = None, files: Any = None) -> forms.Form:
    if action.form is TransferForm:
        departments = lifecycle.transfer_targets(ticket=ticket)
        return TransferForm(data, departments=departments, prefix=action.name)
    if action.form is ReplyForm:
        return ReplyForm(
            data,
            files,
            prefix=action.name,
            canned=console_selectors.canned_responses_for(ticket=ticket),
            articles=console_selectors.articles_for(ticket=ticket),
            language=ticket.reporter.language,
        )
    return action.form(data, files, prefix=action.name)


def _managed_ticket(scope: Scope, number: str) -> Ticket:
    ticket = ticket_get(scope=scope, number=number)
    # A staff member may also be the reporter of a case outside their scope.
    if not can_manage(scope=scope, ticket=ticket):
        raise OutOfScope()
    return ticket


def _ticket_page(
    request: HttpRequest,
    scope: Scope,
    ticket: Ticket,
    *,
    failed: tuple[str, forms.Form] | None = None,
    error: str | Promise | None = None,
    status: int = 200,
) -> HttpResponse:
    forms_by_action = {
        name: _make_form(action, ticket)
        for name, action in ACTIONS.items()
        if _is_available(action, ticket)
    }
    if failed is not None:
        forms_by_action[failed[0]] = failed[1]
    context = {
        **_live_parts(scope, ticket),
        "photos": [
            (
                photo,
                {
                    "display": photo_url(attachment=photo, variant="display"),
                    "thumbnail": photo_url(attachment=photo, variant="thumbnail"),
                },
            )
            for photo in ticket_photos(scope=scope, ticket=ticket)
        ],
        "actions": [(ACTIONS[name], form) for name, form in forms_by_action.items()],
        "error": error,
        "show_dashboard": _can_see_dashboard(scope),
    }
    return render(request, "helpdesk/ticket_detail.html", context, status=status)


def _live_parts(scope: Scope, ticket: Ticket) -> dict[str, Any]:
    """What the case page shows that a push can change: the facts and the timeline."""
    location = None
    if ticket.location is not None:
        location = f"{ticket.location.y:.5f}, {ticket.location.x:.5f}"
    calendar = console_selectors.calendars_for(province_ids=[ticket.province_id])
    return {
        "ticket": ticket,
        "location": location,
        "sla": _sla(ticket, calendar[ticket.province_id], timezone.now()),
        "show_reporter": can_manage(scope=scope, ticket=ticket),
        "timeline": ticket_timeline(scope=scope, ticket=ticket),
    }


@require_GET
@managed_case
def ticket_live(request: HttpRequest, scope: Scope, ticket: Ticket) -> HttpResponse:
    """The case page's live parts alone, for live.js to put in place after a push.

    Not the page itself: rendering it would also use up the flash messages
    (e.g. "Accepted") meant for the page the officer's own action leads to.
    """
    return render(request, "helpdesk/_ticket_live.html", _live_parts(scope, ticket))


@require_GET
@managed_case
def ticket_detail(request: HttpRequest, scope: Scope, ticket: Ticket) -> HttpResponse:
    return _ticket_page(request, scope, ticket)


@require_POST
@managed_case
def ticket_action(request: HttpRequest, scope: Scope, ticket: Ticket, action: str) -> HttpResponse:
    chosen = ACTIONS.get(action)
    if chosen is None:
        raise Http404
    form = _make_form(chosen, ticket, request.POST, request.FILES)
    if not form.is_valid():
        message = gettext("Please correct the form below.")
        return _ticket_page(
            request, scope, ticket, failed=(action, form), error=message, status=422
        )
    try:
        chosen.run(ticket, _officer(request), scope, form.cleaned_data)
    except DomainError as exc:
        ticket.refresh_from_db()
        return _ticket_page(
            request,
            scope,
            ticket,
            failed=(action, form),
            error=exc.message,
            status=exc.http_status,
        )
    messages.success(request, str(chosen.done))
    return redirect("helpdesk:ticket-detail", number=ticket.number)


# --- Dashboard ---------------------------------------------------------------


def _duration_text(amount: dt.timedelta | None) -> str:
    if amount is None:
        return "—"
    hours = amount.total_seconds() / 3600
    if hours >= 24:
        days = round(hours / 24, 1)
        return ngettext("%(count)s day", "%(count)s days", int(days)) % {"count": days}
    rounded = round(hours, 1)
    return ngettext("%(count)s hour", "%(count)s hours", int(rounded)) % {"count": rounded}


def _dashboard_rows(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    biggest = max((row["total"] for row in rows), default=0) or 1
    for row in rows:
        row["bar"] = round(100 * row["total"] / biggest)
        row["on_time_rate"] = (
            round(100 * row["on_time"] / row["resolved"]) if row["resolved"] else None
        )
        row["avg_text"] = _duration_text(row["avg_handling"])
    return rows


@require_GET
@staff_required
def dashboard(request: HttpRequest, scope: Scope) -> HttpResponse:
    if not _can_see_dashboard(scope):
        return _error_page(
            request, _("The dashboard is for commune leaders and province administrators."), 403
        )
    context = {
        "by_department": _dashboard_rows(console_selectors.dashboard_by_department(scope=scope)),
        "by_commune": _dashboard_rows(console_selectors.dashboard_by_commune(scope=scope)),
        "show_dashboard": True,
    }
    return render(request, "helpdesk/dashboard.html", context)


@require_POST
@managed_case
def photo_public(request: HttpRequest, scope: Scope, ticket: Ticket, photo_id: int) -> HttpResponse:
    """Show a photo on the public map, or hide it again."""
    photo = ticket.attachments.filter(pk=photo_id).first()
    if photo is None:
        raise Http404
    approve = request.POST.get("public") == "1"
    try:
        attachment_approve_public(attachment=photo, by=_officer(request), approved=approve)
    except DomainError as exc:
        return _error_page(request, exc.message, exc.http_status)
    messages.success(
        request,
        gettext("The photo is now on the public map.")
        if approve
        else gettext("The photo is hidden from the public map."),
    )
    return redirect("helpdesk:ticket-detail", number=ticket.number)
