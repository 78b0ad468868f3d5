"""Prepared answers in the console: read them before choosing one, and, for a
commune's leader or a province administrator, write them
(helpdesk/prepared_answers.py says who may do which)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST

from console.answer_forms import AnswerForm, PlaceChoice, place_asked
from console.answer_places import answer_places_choose
from console.views.access import can_see_dashboard, error_page, officer, staff_required
from core.client_ip import client_ip
from core.errors import DomainError
from core.form_errors import error_items, form_refused
from helpdesk.models import CannedResponse
from helpdesk.permissions import Scope
from helpdesk.prepared_answers import (
    AnswerNotFound,
    answer_add,
    answer_change,
    answer_delete,
    answer_departments_managed,
    answer_get,
)


def _list_url(department_id: int) -> str:
    return f"{reverse('console:answers')}?department={department_id}"


@require_http_methods(["GET", "POST"])
@staff_required
def answer_list(request: HttpRequest, scope: Scope) -> HttpResponse:
    """A department's answers, each in full; and the form to add one where
    the person may write them. The department: the one asked for, else one
    the person works in (console/answer_places.py), chosen by its province
    and commune first."""
    asked = place_asked(request.GET)
    places = answer_places_choose(scope=scope, asked=asked)
    if places is None:
        return error_page(
            request, _("There is no department whose prepared answers you can read."), 404
        )
    department = places.department
    if request.method == "POST" and department.pk != asked.department:
        # A new answer is for the department its form names: one not theirs
        # (or none) was saved into their first department, "saved" (a walk).
        return error_page(request, AnswerNotFound.default_message, AnswerNotFound.http_status)
    writes = answer_departments_managed(scope=scope).filter(pk=department.pk).exists()
    form = AnswerForm(request.POST or None) if writes else None
    status = 200
    if request.method == "POST":
        if form is None:
            return error_page(
                request, _("Prepared answers are written by the commune's leaders."), 403
            )
        if form.is_valid():
            try:
                answer = answer_add(
                    scope=scope,
                    by=officer(request),
                    department=department,
                    title=form.cleaned_data["title"],
                    body=form.cleaned_data["body"],
                    ip=client_ip(request),
                )
            except DomainError as exc:
                form_refused(form, exc)
            else:
                messages.success(request, _("Saved “%(title)s”.") % {"title": answer.title})
                return redirect(_list_url(department.pk))
        status = 422
    return render(
        request,
        "console/answers.html",
        {
            "chooser": PlaceChoice(places),
            "department": department,
            "answers": CannedResponse.objects.filter(department=department).order_by("title"),
            "form": form,
            "errors": error_items(form) if form is not None and form.errors else (),
            "show_dashboard": can_see_dashboard(scope),
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
@staff_required
def answer_edit(request: HttpRequest, scope: Scope, answer_id: int) -> HttpResponse:
    try:
        answer = answer_get(scope=scope, answer_id=answer_id)
    except DomainError as exc:
        return error_page(request, exc.message, exc.http_status)
    initial = {"title": answer.title, "body": answer.body}
    form = AnswerForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            answer_change(
                scope=scope,
                by=officer(request),
                answer_id=answer.pk,
                title=form.cleaned_data["title"],
                body=form.cleaned_data["body"],
                ip=client_ip(request),
            )
        except DomainError as exc:
            form_refused(form, exc)
        else:
            messages.success(
                request, _("Saved “%(title)s”.") % {"title": form.cleaned_data["title"]}
            )
            return redirect(_list_url(answer.department_id))
    context: dict[str, Any] = {
        "answer": answer,
        "form": form,
        "errors": error_items(form) if form.errors else (),
        "show_dashboard": can_see_dashboard(scope),
    }
    return render(request, "console/answer_edit.html", context, status=422 if form.errors else 200)


@require_POST
@staff_required
def answer_remove(request: HttpRequest, scope: Scope, answer_id: int) -> HttpResponse:
    try:
        deleted = answer_delete(
            scope=scope, by=officer(request), answer_id=answer_id, ip=client_ip(request)
        )
    except DomainError as exc:
        return error_page(request, exc.message, exc.http_status)
    messages.success(request, _("Deleted “%(title)s”.") % {"title": deleted.title})
    return redirect(_list_url(deleted.department_id))
