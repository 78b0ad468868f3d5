"""The case page: facts, photos, timeline, the actions the case allows, and
its live parts; the actions themselves and a photo's public approval."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_POST

from console import selectors
from console.actions import ACTIONS, Action, action_available, action_form
from console.forms import TransferForm
from console.views.access import (
    can_see_dashboard,
    error_page,
    managed_case,
    managed_ticket,
    officer,
    staff_required,
)
from console.views.deadline import case_deadline
from core.client_ip import client_ip
from core.errors import DomainError
from core.form_address import page_of_post, posts_from
from core.form_errors import ErrorItem, error_items, errors_described
from helpdesk import lifecycle
from helpdesk.attachments import attachment_approve_public
from helpdesk.idempotency_field import key_renew_after
from helpdesk.models import Ticket
from helpdesk.names import department_with_commune
from helpdesk.permissions import Scope, can_manage
from helpdesk.photo_publishing import photo_url
from helpdesk.selectors import ticket_photos, ticket_timeline, ticket_voice_notes
from helpdesk.voice_views import voice_notes_shown


def _ticket_page(
    request: HttpRequest,
    scope: Scope,
    ticket: Ticket,
    *,
    failed: tuple[str, forms.Form] | None = None,
    error: str | Promise | None = None,
    errors: list[ErrorItem] | None = None,
    status: int = 200,
) -> HttpResponse:
    forms_by_action = {
        name: form
        for name, action in ACTIONS.items()
        if action_available(action, ticket)
        # An assignment with no one to give the case to is not offered.
        if getattr(form := action_form(action, ticket, scope), "offered", True)
    }
    if failed is not None:
        forms_by_action[failed[0]] = failed[1]
    context = {
        **_live_parts(request, scope, ticket),
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
        # The line at the top (templates/_error_summary.html): the refused
        # form's every input, each a link to it; "error" is its first sentence.
        "error": error or (errors[0][1] if errors else None),
        "errors": errors or (),
        # The page's own address, where this answer came to an action's
        # (templates/base.html: what the language button comes back to).
        "page_path": page_of_post(request),
        "show_dashboard": can_see_dashboard(scope),
    }
    response = render(request, "console/ticket_detail.html", context, status=status)
    patch_vary_headers(response, ["User-Agent"])  # the map link depends on it
    return response


def _live_parts(request: HttpRequest, scope: Scope, ticket: Ticket) -> dict[str, Any]:
    """What the case page shows that a push can change: the facts and the timeline."""
    calendar = selectors.calendars_for(province_ids=[ticket.province_id])
    return {
        "ticket": ticket,
        "place": _place(ticket, request.headers.get("User-Agent", "")),
        "sla": case_deadline(ticket, calendar[ticket.province_id], timezone.now()),
        "show_reporter": can_manage(scope=scope, ticket=ticket),
        "timeline": ticket_timeline(scope=scope, ticket=ticket),
        "voice_notes": voice_notes_shown(ticket_voice_notes(scope=scope, ticket=ticket)),
    }


# How far around the case the "cases near here" map opens, in degrees (about
# 1 km in Vietnam): a street or a hamlet, as an officer planning a visit wants.
NEARBY_DEGREES = 0.01


_APPLE = re.compile(r"iPhone|iPad|iPod|Macintosh")


def map_link(lat: float, lon: float, user_agent: str) -> str:
    """A link that opens the place in a maps app on the device that asks.

    A geo: link (RFC 5870, with ``q`` for the pin as Android reads it) opens
    the Android phone's chosen maps app, offline ones included; iPhones and
    desktop browsers do nothing with it. Apple's devices get Apple's map
    link, which opens Maps; the rest OpenStreetMap's page with a marker, the
    map the console's own tiles come from.
    """
    if "Android" in user_agent:
        return f"geo:{lat:.6f},{lon:.6f}?q={lat:.6f},{lon:.6f}"
    if _APPLE.search(user_agent):
        return f"https://maps.apple.com/?ll={lat:.6f},{lon:.6f}&q={lat:.6f},{lon:.6f}"
    return (
        f"https://www.openstreetmap.org/?mlat={lat:.6f}&mlon={lon:.6f}#map=18/{lat:.6f}/{lon:.6f}"
    )


def _place(ticket: Ticket, user_agent: str) -> dict[str, str] | None:
    """Where the case is, as an officer can use it on a phone: a link that
    opens a maps app with a pin (``map_link``), the console map around it,
    and the numbers themselves, shown small, for those who type them
    elsewhere. The raw numbers alone were all the page showed (a helper's
    walk)."""
    if ticket.location is None:
        return None
    lat, lon = ticket.location.y, ticket.location.x
    near = NEARBY_DEGREES
    west, east = max(lon - near, -180.0), min(lon + near, 180.0)
    south, north = max(lat - near, -90.0), min(lat + near, 90.0)
    return {
        "text": f"{lat:.5f}, {lon:.5f}",
        "map": map_link(lat, lon, user_agent),
        # west,south,east,north: what the console map reads (views/queue.py _bbox).
        "bbox": f"{west:.5f},{south:.5f},{east:.5f},{north:.5f}",
    }


@require_GET
@managed_case
def ticket_live(request: HttpRequest, scope: Scope, ticket: Ticket) -> HttpResponse:
    """The case page's live parts alone, for live.js to put in place after a push.

    Not the page itself: rendering it would also use up the flash messages
    (e.g. "Accepted") meant for the page the officer's own action leads to.
    """
    response = render(request, "console/_ticket_live.html", _live_parts(request, scope, ticket))
    patch_vary_headers(response, ["User-Agent"])  # the map link depends on it
    return response


@require_GET
@managed_case
def ticket_detail(request: HttpRequest, scope: Scope, ticket: Ticket) -> HttpResponse:
    return _ticket_page(request, scope, ticket)


def _case_gone(
    request: HttpRequest, chosen: Action, number: str, error: DomainError
) -> HttpResponse:
    """Case ``number`` is not, or no longer, the officer's: the error page, or,
    for the retry of their own transfer that took it away (a second tap, a
    resend, a twin that waited at the case's lock), the first one's answer on
    the queue (lifecycle.transfer_already_made); its page is not theirs now."""
    if chosen.form is TransferForm:
        try:
            department_id = int(request.POST.get("transfer-department", ""))
        except ValueError:
            department_id = None
        made = (
            lifecycle.transfer_already_made(
                number=number,
                by=officer(request),
                department_id=department_id,
                reason=request.POST.get("transfer-reason", ""),
            )
            if department_id is not None
            else None
        )
        if made is not None:
            return _transferred_away(request, made)
    return error_page(request, error.message, error.http_status)


def _transferred_away(request: HttpRequest, ticket: Ticket) -> HttpResponse:
    """The queue, after a transfer that took ``ticket`` out of the officer's
    scope: its page would say "not found" now. The message says where it went,
    named as the transfer list named it, and why it is not in the queue: "Case
    transferred." alone left the officer looking for it there."""
    place = department_with_commune(ticket.department) if ticket.department else "—"
    messages.success(
        request,
        gettext("Case %(number)s was transferred to %(place)s. It is no longer in your queue.")
        % {"number": ticket.number, "place": place},
    )
    return redirect("console:queue")


@posts_from("console:ticket-detail")
@staff_required
def ticket_action(request: HttpRequest, scope: Scope, number: str, action: str) -> HttpResponse:
    chosen = ACTIONS.get(action)
    if chosen is None:
        raise Http404
    try:
        ticket = managed_ticket(scope, number)
    except DomainError as exc:
        return _case_gone(request, chosen, number, exc)
    form = action_form(chosen, ticket, scope, request.POST, request.FILES)
    if not form.is_valid():
        errors_described(form)
        return _ticket_page(
            request, scope, ticket, failed=(action, form), errors=error_items(form), status=422
        )
    try:
        result = chosen.run(ticket, officer(request), scope, form.cleaned_data, client_ip(request))
    except DomainError as exc:
        # Read afresh as a new request would: if the case left their scope
        # while this waited, its page (facts, place, timeline) is not theirs.
        try:
            ticket = managed_ticket(scope, number)
        except DomainError as gone:
            return _case_gone(request, chosen, number, gone)
        key_renew_after(form, exc)
        if not action_available(chosen, ticket):
            # The case moved meanwhile (another tab, a colleague): the page
            # shows it as it is now, without the button that cannot work; it
            # offered the same button again, which failed again, and never
            # said what had happened (a helper's walk). The error says it
            # (helpdesk.errors.IllegalTransition names the status now).
            return _ticket_page(request, scope, ticket, error=exc.message, status=exc.http_status)
        return _ticket_page(
            request,
            scope,
            ticket,
            failed=(action, form),
            error=exc.message,
            status=exc.http_status,
        )
    moved = result if isinstance(result, Ticket) else ticket
    if not can_manage(scope=scope, ticket=moved):
        # Only a transfer moves a case out of the scope of those who act on it.
        return _transferred_away(request, moved)
    messages.success(request, str(chosen.done))
    return _at_result(ticket)


@require_POST
@managed_case
def photo_public(request: HttpRequest, scope: Scope, ticket: Ticket, photo_id: int) -> HttpResponse:
    """Show a photo on the public map, or hide it again."""
    photo = ticket.attachments.filter(pk=photo_id).first()
    if photo is None:
        raise Http404
    approve = request.POST.get("public") == "1"
    try:
        attachment_approve_public(
            attachment=photo, by=officer(request), approved=approve, ip=client_ip(request)
        )
    except DomainError as exc:
        return error_page(request, exc.message, exc.http_status)
    messages.success(
        request,
        gettext("The photo is now on the public map.")
        if approve
        else gettext("The photo is hidden from the public map."),
    )
    return _at_result(ticket)


def _at_result(ticket: Ticket) -> HttpResponse:
    """The case page after an action, opened at its result: the list of
    messages (templates/base.html, id "messages", tabindex -1), which the
    address's fragment scrolls to and gives the focus, without a script. The
    page opened at its top: a keyboard or screen-reader officer started again
    from the header, and on a phone scrolled back down to what they had done."""
    return redirect(reverse("console:ticket-detail", args=[ticket.number]) + "#messages")
