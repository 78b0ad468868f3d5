"""What every resident page shares: the error page, the signed-in person, their case."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Concatenate

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.functional import Promise

from accounts.models import Role, User
from accounts.request_roles import role_rows
from core.errors import DomainError
from helpdesk.models import Ticket
from helpdesk.permissions import Scope, request_scope
from helpdesk.selectors import ticket_get


def error_page(request: HttpRequest, message: str | Promise, status: int) -> HttpResponse:
    return render(request, "reports/error.html", {"message": message}, status=status)


def person(request: HttpRequest) -> User:
    """The signed-in person (the views that call this are behind login_required)."""
    user = request.user
    assert isinstance(user, User)
    return user


def wants_json(request: HttpRequest) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def team_communes(request: HttpRequest) -> list[int]:
    """The communes of the person's digital-technology team roles (none for a
    resident), from the request's one read of their roles
    (accounts/request_roles.py), which the header and the page's scope use too."""
    return [unit for role, unit in role_rows(request) if role == Role.DIGITAL_TEAM]


def files_for_others(request: HttpRequest) -> bool:
    """Show the "file for a resident" parts; the case core decides who may."""
    return bool(team_communes(request))


def case_page[**P](
    view: Callable[Concatenate[HttpRequest, Scope, Ticket, P], HttpResponse],
) -> Callable[..., HttpResponse]:  # Django passes ``number`` by keyword
    """A page about one case the signed-in person may see (``number`` in the URL).

    Strangers go to the login page; a case they may not see is the error page
    with the case core's own sentence (404 to residents: they cannot tell a case
    that is not theirs from one that does not exist).
    """

    @login_required
    @wraps(view)
    def wrapper(
        request: HttpRequest, number: str, *args: P.args, **kwargs: P.kwargs
    ) -> HttpResponse:
        scope = request_scope(request)  # roles read once: the header reuses them
        try:
            ticket = ticket_get(scope=scope, number=number)
        except DomainError as exc:
            return error_page(request, exc.message, exc.http_status)
        return view(request, scope, ticket, *args, **kwargs)

    return wrapper
