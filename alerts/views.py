"""The alerts' public page per commune and the relay's page.

The public page shows only what the commune published (no author, no
recipients), so anyone may open it and a phone may keep it for offline
reading (config/pwa.py OFFLINE_PAGES).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.models import User
from alerts.selectors import alerts_current_for, public_unit_get, relay_alerts, relay_of
from alerts.services import relay_mark_told
from core.errors import DomainError
from helpdesk.names import unit_name


@require_GET
def alerts_public(request: HttpRequest, code: str) -> HttpResponse:
    unit = public_unit_get(code=code)
    if unit is None:
        raise Http404
    alerts = alerts_current_for(unit=unit).select_related("commune", "province")
    # A relay arrives here from the alert in their inbox: show the way to their list.
    user = request.user
    is_relay = isinstance(user, User) and relay_of(user=user) is not None
    return render(
        request,
        "alerts/public.html",
        {"unit": unit, "name": unit_name(unit), "alerts": alerts, "is_relay": is_relay},
    )


def _person(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)  # behind login_required
    return user


@login_required
@require_GET
def relay_page(request: HttpRequest) -> HttpResponse:
    relay = relay_of(user=_person(request))
    if relay is None:
        return render(request, "alerts/not_relay.html", status=403)
    return render(
        request, "alerts/relay.html", {"relay": relay, "items": relay_alerts(relay=relay)}
    )


@login_required
@require_POST
def relay_told(request: HttpRequest, alert_id: int, household_id: int) -> HttpResponse:
    user = _person(request)
    relay = relay_of(user=user)
    if relay is None:
        return render(request, "alerts/not_relay.html", status=403)
    try:
        relay_mark_told(relay=relay, alert_id=alert_id, household_id=household_id, by=user)
    except DomainError as exc:
        return render(request, "alerts/not_relay.html", {"message": exc.message}, status=404)
    messages.success(request, _("Marked as told."))
    return redirect("alerts:relay")
