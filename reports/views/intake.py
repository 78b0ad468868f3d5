"""Filing pages: a field report and a help request, the twin of reports/api.py.

Plain forms that work without JavaScript: one multipart POST files the case,
with a submission key put in the form when it was shown, so a double tap or a
browser retry gets the same case back. The script (static/reports/intake.js)
only adds downscaled photos, a progress bar, the map and the offline queue.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.validators import slug_re
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language, gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.client_ip import client_ip
from core.errors import DomainError
from helpdesk.attachments import MAX_PHOTOS, TooManyPhotos
from helpdesk.filing import case_submit, service_get_active
from helpdesk.idempotency_field import key_renew_after
from helpdesk.models import ServiceKind, Ticket, TicketEvent
from helpdesk.names import service_name, unit_name
from helpdesk.permissions import Scope
from helpdesk.selectors import ticket_timeline
from helpdesk.support import case_support_add
from helpdesk.voice_views import voice_upload
from knowledge.selectors import ArticleHit, article_get, article_suggest
from reports import presenters
from reports.forms import (
    HelpForm,
    ReportForm,
    communes_choices,
    place_initial,
    services_of_kind,
)
from reports.selectors import OpenReportsCheck, report_get_supportable, reports_open_check
from reports.views.common import (
    case_page,
    error_page,
    files_for_others,
    person,
    team_communes,
    wants_json,
)
from reports.views.refusal import PLACE_FIELDS, Refusal, refusal_place

FIX_FORM = gettext_lazy("Please check what you entered: some of it could not be read.")


def _photos(request: HttpRequest) -> tuple[bytes, ...]:
    uploads = request.FILES.getlist("photos")
    # Refuse before reading six files into memory, as the API does.
    if len(uploads) > MAX_PHOTOS:
        raise TooManyPhotos()
    return tuple(upload.read() for upload in uploads)


def _submit(request: HttpRequest, form: ReportForm | HelpForm, service_code: str) -> HttpResponse:
    submission = case_submit(
        reporter=person(request),
        draft=form.draft(
            service_code=service_code, photos=_photos(request), voice=voice_upload(request)
        ),
        idempotency_key=form.cleaned_data["idempotency_key"] or None,
        ip=client_ip(request),
    )
    return redirect("reports:case-submitted", number=submission.ticket.number)


def _team_form[F: (ReportForm, HelpForm)](
    form_class: type[F], request: HttpRequest, initial: dict[str, Any]
) -> F:
    """A fresh form, starting in the team's place for a team member. The
    commune it starts with is marked as the page's (data-team-commune), not
    one the person chose: the script then still sends the first photo whole,
    for its GPS (static/reports/intake.js; a commune shown again after a
    refusal is the person's own)."""
    place = _team_place(request)
    form = form_class(initial={**initial, **place}, for_others=files_for_others(request))
    if "commune" in place:
        form.fields["commune"].widget.attrs["data-team-commune"] = place["commune"]
    return form


def _team_place(request: HttpRequest) -> dict[str, str]:
    """The province and commune a team member's form starts with: their
    team's commune, as their role records it (RoleAssignment.unit). They
    file standing in a village of it, mostly for a resident of it; a plain
    resident's form starts empty (no query: they hold no such role)."""
    return place_initial(commune_ids=team_communes(request))


def _error_context(error: str | None, refusal: Refusal | None) -> dict[str, Any]:
    """The line at the top of a filing form, and a refusal's sentence at its field."""
    if refusal is not None:
        error = refusal.message
    return {
        "error": error,
        "error_anchor": refusal.anchor if refusal else "",
        # Every refused part, in the page's order (templates/_error_summary.html).
        "error_items": refusal.items if refusal else (),
        "refused_at": refusal.at if refusal else {},
        "place_fields": " ".join(PLACE_FIELDS),  # for the script (static/reports/intake.js)
    }


# --- Field report ------------------------------------------------------------


def _report_page(
    request: HttpRequest,
    *,
    form: ReportForm,
    service_code: str,
    error: str | None = None,
    refusal: Refusal | None = None,
    check: OpenReportsCheck | None = None,
    status: int = 200,
) -> HttpResponse:
    try:
        service = service_get_active(code=service_code)
    except DomainError as exc:
        return _services_page(request, error=str(exc.message), status=exc.http_status)
    if service.kind != ServiceKind.FIELD_REPORT:
        return redirect("reports:help-new")
    context = {
        "form": form,
        "service": service,
        "service_label": service_name(service),
        **_error_context(error, refusal),
        "nearby": check.reports if check else None,
        "checked": check is not None,
        "checked_near": check.where if check else "",  # "point", "commune", or nowhere
        "checked_in": unit_name(check.commune) if check and check.commune else "",
        "proxy_allowed": files_for_others(request),
        "for_resident": files_for_others(request) and form.for_resident(),
        "sent_photos": bool(request.FILES.getlist("photos")),
        "sent_voice": bool(request.FILES.getlist("voice")),
    }
    return render(request, "reports/report_form.html", context, status=status)


def _services_page(
    request: HttpRequest, *, error: str | None = None, status: int = 200
) -> HttpResponse:
    services = [(s, service_name(s)) for s in services_of_kind(ServiceKind.FIELD_REPORT)]
    context = {"services": services, "error": error}
    return render(request, "reports/report_services.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def report_new(request: HttpRequest) -> HttpResponse:
    """Choose a service, then one form: place, nearby reports, description, photos."""
    if request.method == "GET":
        code = request.GET.get("service", "")
        if not code:
            return _services_page(request)
        form = _team_form(ReportForm, request, {"service": code})
        return _report_page(request, form=form, service_code=code)

    form = ReportForm(request.POST, for_others=files_for_others(request))
    code = str(form["service"].value() or "")
    if not form.is_valid():
        return _report_page(request, form=form, service_code=code, error=str(FIX_FORM), status=422)
    action = request.POST.get("action", "submit")
    try:
        if action == "check":
            check = reports_open_check(
                service_code=code,
                lat=form.cleaned_data["lat"],
                lon=form.cleaned_data["lon"],
                commune_code=form.cleaned_data["commune"],
            )
            return _report_page(request, form=form, service_code=code, check=check)
        if action == "province":
            return _report_page(request, form=form, service_code=code)
        return _submit(request, form, code)
    except DomainError as exc:
        key_renew_after(form, exc)  # what was typed stays
        return _report_page(
            request,
            form=form,
            service_code=code,
            refusal=refusal_place(form, exc),
            status=exc.http_status,
        )


@login_required
@require_POST
def report_support(request: HttpRequest, public_id: str) -> HttpResponse:
    """ "Me too" on an open report near the resident, instead of filing it again.

    By the report's public id: a supporter follows the public view of the case
    (reports:public-case), never the reporter's."""
    try:
        ticket = report_get_supportable(public_id=public_id)
        supporters = case_support_add(ticket=ticket, user=person(request), ip=client_ip(request))
    except DomainError as exc:
        if wants_json(request):
            return JsonResponse({"message": str(exc.message)}, status=exc.http_status)
        return error_page(request, exc.message, exc.http_status)
    if wants_json(request):
        return JsonResponse({"public_id": public_id, "supporters": supporters})
    return render(
        request, "reports/supported.html", {"public_id": public_id, "supporters": supporters}
    )


@require_GET
def communes_json(request: HttpRequest) -> JsonResponse:
    """The communes of a province, for the commune list the script fills in."""
    rows = communes_choices(province_code=request.GET.get("province", ""))
    return JsonResponse({"communes": rows[1:]})


# --- Help request --------------------------------------------------------------


def _help_page(
    request: HttpRequest,
    *,
    form: HelpForm,
    error: str | None = None,
    refusal: Refusal | None = None,
    suggestions: list[ArticleHit] | None = None,
    status: int = 200,
) -> HttpResponse:
    context = {
        "form": form,
        **_error_context(error, refusal),
        "suggestions": suggestions,
        "searched": suggestions is not None,
        "proxy_allowed": files_for_others(request),
        "for_resident": files_for_others(request) and form.for_resident(),
        "sent_photos": bool(request.FILES.getlist("photos")),
        "sent_voice": bool(request.FILES.getlist("voice")),
    }
    return render(request, "reports/help_form.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def help_new(request: HttpRequest) -> HttpResponse:
    """Ask a question; matching help articles are offered before filing."""
    if request.method == "GET":
        form = _team_form(HelpForm, request, {"service": request.GET.get("topic")})
        return _help_page(request, form=form)
    form = HelpForm(request.POST, for_others=files_for_others(request))
    if not form.is_valid():
        return _help_page(request, form=form, error=str(FIX_FORM), status=422)
    action = request.POST.get("action", "submit")
    try:
        if action == "suggest":
            hits = article_suggest(
                text=form.cleaned_data["description"],
                topic_code=form.cleaned_data["service"] or None,
                language=get_language() or "vi",
            )
            return _help_page(request, form=form, suggestions=hits)
        if action == "province":
            return _help_page(request, form=form)
        return _submit(request, form, form.cleaned_data["service"])
    except DomainError as exc:
        key_renew_after(form, exc)
        return _help_page(
            request, form=form, refusal=refusal_place(form, exc), status=exc.http_status
        )


@require_GET
def help_answered(request: HttpRequest) -> HttpResponse:
    """The article answered the question: nothing is filed and nothing recorded."""
    slug = request.GET.get("article", "")
    # Only a slug makes a link back; anything else (it comes from the query)
    # would fail to reverse the article's address: it was a 500.
    return render(
        request, "reports/help_answered.html", {"slug": slug if slug_re.match(slug) else ""}
    )


@require_GET
def article_detail(request: HttpRequest, slug: str) -> HttpResponse:
    try:
        article = article_get(slug=slug, language=get_language() or "vi")
    except DomainError as exc:
        return error_page(request, exc.message, exc.http_status)
    return render(request, "reports/article.html", {"article": article})


# --- After filing --------------------------------------------------------------


@require_GET
@case_page
def case_submitted(request: HttpRequest, scope: Scope, ticket: Ticket) -> HttpResponse:
    """The case number, where it went and when to expect an answer."""
    created = (
        ticket_timeline(scope=scope, ticket=ticket, public_only=True)
        .filter(kind=TicketEvent.Kind.CREATED)
        .first()
    )
    context: dict[str, Any] = {
        "ticket": ticket,
        "service_label": service_name(ticket.service),
        "commune": presenters.commune_name(ticket),
        "department": presenters.department_name(ticket),
        "expected": presenters.expected_response_text(ticket),
        "routing_message": created.body if created is not None else "",
    }
    return render(request, "reports/submitted.html", context)
