"""Alerts in the console: the list with each alert's reach, and the form to publish one.

Officers and leaders send to their commune (or villages of it), province
administrators to their province or any commune of it; alerts.services
checks the area again, so a forged form value is refused there.
"""

from __future__ import annotations

import json

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods

from alerts.models import Alert
from alerts.selectors import (
    alert_areas_for,
    alert_reaches_anyone,
    alerts_reach,
    alerts_visible_to,
    can_send_alerts,
)
from alerts.services import alert_publish, alert_sms_size
from console.alert_forms import AlertForm
from console.views.access import can_see_dashboard, error_page, officer, staff_required
from core.errors import DomainError
from core.form_errors import error_items, form_refused
from core.sms import sms_rule
from helpdesk.idempotency_field import key_renew_after
from helpdesk.names import unit_name
from helpdesk.permissions import Scope

LIST_SIZE = 50
# The SMS counter's rule (static/console/sms-count.js), the server's own (core/sms.py).
SMS_RULE = json.dumps(sms_rule())


def _refused(request: HttpRequest) -> HttpResponse:
    return error_page(
        request, _("Alerts are sent by commune officers and province administrators."), 403
    )


def _area_name(alert: Alert) -> str:
    name = unit_name(alert.commune or alert.province)
    return f"{name}: {', '.join(alert.villages)}" if alert.villages else name


@require_GET
@staff_required
def alert_list(request: HttpRequest, scope: Scope) -> HttpResponse:
    if not can_send_alerts(scope=scope):
        return _refused(request)
    alerts = list(alerts_visible_to(scope=scope)[:LIST_SIZE])
    reach = alerts_reach(alerts=alerts)
    return render(
        request,
        "console/alerts.html",
        {
            "rows": [(alert, _area_name(alert), reach[alert.pk]) for alert in alerts],
            "show_dashboard": can_see_dashboard(scope),
        },
    )


@require_http_methods(["GET", "POST"])
@staff_required
def alert_new(request: HttpRequest, scope: Scope) -> HttpResponse:
    if not can_send_alerts(scope=scope):
        return _refused(request)
    areas = alert_areas_for(scope=scope)
    if request.method == "POST":
        form = AlertForm(request.POST, areas=areas)
        if form.is_valid():
            try:
                published = alert_publish(
                    author=officer(request),
                    scope=scope,
                    draft=form.draft(),
                    idempotency_key=form.cleaned_data["idempotency_key"] or None,
                )
            except DomainError as exc:
                key_renew_after(form, exc)
                form_refused(form, exc)
            else:
                alert = published.alert
                messages.success(request, _("The alert is published and being sent."))
                if alert.villages and not alert_reaches_anyone(
                    alert=alert, recipients=published.recipients
                ):
                    # A village no case, relay or household names (a typing
                    # slip, a name written another way) reaches no one, and the
                    # page said "being sent" all the same (a helper's walk).
                    messages.warning(
                        request,
                        _(
                            "No one can be reached in %(villages)s yet: no case or village "
                            "relay names it. Check how it is written; the alert stays on the "
                            "commune's alerts page."
                        )
                        % {"villages": ", ".join(alert.villages)},
                    )
                return redirect("console:alerts")
        status = 422
    else:
        form = AlertForm(initial=AlertForm.initial_from(request.GET), areas=areas)
        status = 200
    # The SMS text's count as the page was made (and as it was sent, after a
    # refusal): the counter's line without JavaScript; the script keeps it
    # up to date as the officer types.
    sms = alert_sms_size(str(form["short_text"].value() or ""))
    return render(
        request,
        "console/alert_new.html",
        {
            "form": form,
            "sms": sms,
            "sms_rule": SMS_RULE,
            # The line at the top of a refused form (templates/_error_summary.html),
            # which takes the focus: the refusal sat mid-page (a walk).
            "errors": error_items(form) if form.errors else (),
        },
        status=status,
    )
