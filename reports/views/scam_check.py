"""The resident page "Is this message a scam?", and the one tap that sends it to the commune.

Open to everyone: a worried person should not need an account to ask. The
answer is rendered straight after the check (nothing to refresh into a second
check by accident is lost: a repeated check is harmless). Sending it on needs
a login and goes through the case core's one filing service
(scams.services.check_send_to_commune → helpdesk case_submit), keyed by the
check, so a double tap files one help request.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from accounts.models import User
from core.client_ip import client_ip
from core.errors import DomainError
from helpdesk.selectors import commune_last_used
from reports.forms import ScamCheckForm
from reports.views.common import error_page, person
from scams.models import ScamCheck
from scams.selectors import check_get, province_for
from scams.services import check_message, check_send_to_commune


def _checker(request: HttpRequest) -> User | None:
    user = request.user
    return user if isinstance(user, User) and user.is_authenticated else None


@require_http_methods(["GET", "POST"])
def scam_check(request: HttpRequest) -> HttpResponse:
    checker = _checker(request)
    initial = {}
    if checker is not None and (commune := commune_last_used(checker)) is not None:
        initial = {
            "province": commune.parent.code if commune.parent else "",
            "commune": commune.code,
        }
    form = ScamCheckForm(request.POST or None, initial=initial)
    context: dict[str, object] = {"form": form}
    if request.method == "POST" and form.is_valid() and request.POST.get("action") != "province":
        data = form.cleaned_data
        province = province_for(
            user=checker, commune_code=data["commune"], province_code=data["province"]
        )
        try:
            result = check_message(
                text=data["text"],
                province=province,
                checker=checker,
                channel=ScamCheck.Channel.WEB,
                ip=client_ip(request),
            )
        except DomainError as exc:
            form.add_error("text", str(exc.message))
        else:
            context.update(result=result, commune=data["commune"])
    status = 422 if form.errors else 200
    return render(request, "reports/scam_check.html", context, status=status)


@login_required
@require_POST
def scam_check_send(request: HttpRequest, check_id: str) -> HttpResponse:
    try:
        check = check_get(public_id=check_id)
        ticket = check_send_to_commune(
            check=check,
            by=person(request),
            commune_code=request.POST.get("commune", "").strip(),
            ip=client_ip(request),
        )
    except DomainError as exc:
        return error_page(request, exc.message, exc.http_status)
    return redirect("reports:case-submitted", number=ticket.number)
