"""Prepared answers in the console: read them before choosing one, and, for a
commune's leader or a province administrator, write them
(helpdesk/prepared_answers.py says who may do which)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db.models import Count, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST

from console.answer_forms import AnswerForm, DepartmentChoice
from console.views.access import can_see_dashboard, error_page, officer, staff_required
from core.client_ip import client_ip
from core.errors import DomainError
from core.form_errors import error_items, form_refused
from helpdesk.models import CannedResponse, Department
from helpdesk.permissions import Scope
from helpdesk.prepared_answers import (
    AnswerNotFound,
    answer_add,
    answer_change,
    answer_delete,
    answer_departments_managed,
    answer_departments_read,
    answer_get,
)


def _most_answered(departments: QuerySet[Department]) -> int | None:
    """The department of these with the most prepared answers: where a
    leader or an administrator, who works in none, most likely comes to read
    or write them. The first by name was the police liaison's, and a walk's
    two answers went there unnoticed."""
    busiest = (
        CannedResponse.objects.filter(department__in=departments)
        .values("department_id")
        .annotate(answers=Count("id"))
        .order_by("-answers", "department_id")
        .values_list("department_id", flat=True)
        .first()
    )
    return int(busiest) if busiest is not None else None


def _list_url(department_id: int) -> str:
    return f"{reverse('console:answers')}?department={department_id}"


@require_http_methods(["GET", "POST"])
@staff_required
def answer_list(request: HttpRequest, scope: Scope) -> HttpResponse:
    """A department's answers, each in full; and the form to add one where
    the person may write them. The department: the one asked for, else the
    first the person works in."""
    readable = answer_departments_read(scope=scope)
    chooser = DepartmentChoice(request.GET or None, departments=readable)
    choices = chooser.department_ids
    if not choices:
        return error_page(
            request, _("There is no department whose prepared answers you can read."), 404
        )
    department_id = chooser.cleaned_data["department"] if chooser.is_valid() else None
    if department_id is None and request.method == "POST":
        # A new answer is for the department its form names: one not theirs
        # (or none) was saved into their first department, "saved" (a walk).
        return error_page(request, AnswerNotFound.default_message, AnswerNotFound.http_status)
    if department_id is None:
        own = [pk for pk in choices if pk in scope.department_ids]
        department_id = own[0] if own else _most_answered(readable) or choices[0]
        # Shown as chosen; its list is kept, not read and sorted a second time.
        chooser = DepartmentChoice(initial={"department": department_id}, listed=chooser)
    department = readable.select_related("commune").get(pk=department_id)
    writes = answer_departments_managed(scope=scope).filter(pk=department_id).exists()
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
                return redirect(_list_url(department_id))
        status = 422
    return render(
        request,
        "console/answers.html",
        {
            "chooser": chooser,
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
