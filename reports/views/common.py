"""What every resident page shares: the error page, the signed-in person."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.functional import Promise

from accounts.models import Role, RoleAssignment, User


def error_page(request: HttpRequest, message: str | Promise, status: int) -> HttpResponse:
    return render(request, "reports/error.html", {"message": message}, status=status)


def person(request: HttpRequest) -> User:
    """The signed-in person (the views that call this are behind login_required)."""
    user = request.user
    assert isinstance(user, User)
    return user


def wants_json(request: HttpRequest) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def files_for_others(request: HttpRequest) -> bool:
    """Show the "file for a resident" parts; the case core decides who may."""
    return RoleAssignment.objects.filter(user=person(request), role=Role.DIGITAL_TEAM).exists()
