"""Who may open a console page, and the page that says no.

Who sees which case is decided in helpdesk.permissions; these decorators only
turn its answer into a page: strangers to the login form, people without a
staff role to a 403, a case outside the officer's scope to the case core's own
sentence with the status of its error family.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Concatenate

from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.functional import Promise, SimpleLazyObject
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from core.errors import DomainError
from helpdesk.errors import OutOfScope
from helpdesk.models import Ticket
from helpdesk.permissions import Scope, can_manage, request_scope
from helpdesk.selectors import ticket_get


def error_page(
    request: HttpRequest,
    message: str | Promise,
    status: int,
    *,
    title: str | Promise | None = None,
) -> HttpResponse:
    """The console's page that says no, or that a page is not there: in the
    console's layout, whatever said it (a console view, or Django's 404, its
    405 or a 413 under /console/, config/page_errors.py), with the header's
    links of every console page. ``title``: the heading, "Not available"
    without one."""
    context = {
        "message": message,
        "title": title,
        # The header's Dashboard link, as the console's pages offer it. Lazy:
        # read only for a header that shows staff links (base.html), from the
        # request's one read of the roles.
        "show_dashboard": SimpleLazyObject(lambda: can_see_dashboard(request_scope(request))),
    }
    return render(request, "console/error.html", context, status=status)


def staff_required[**P](
    view: Callable[Concatenate[HttpRequest, Scope, P], HttpResponse],
) -> Callable[Concatenate[HttpRequest, P], HttpResponse]:
    """Send strangers to the login page and turn away people without a staff role."""

    @wraps(view)
    def wrapped(request: HttpRequest, /, *args: P.args, **kwargs: P.kwargs) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path(), reverse("console:login"))
        # Roles read once for the request: the header reuses them (request_scope).
        scope = request_scope(request)
        if not scope.is_staff_member:
            return error_page(
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
            ticket = managed_ticket(scope, number)
        except DomainError as exc:
            return error_page(request, exc.message, exc.http_status)
        return view(request, scope, ticket, *args, **kwargs)

    return wraps(view)(staff_required(with_case))


def managed_ticket(scope: Scope, number: str) -> Ticket:
    """The case ``number`` if the staff member handles it; else a DomainError
    (the case core's "not found", whether it exists or not)."""
    ticket = ticket_get(scope=scope, number=number)
    # A staff member may also be the reporter of a case outside their scope.
    if not can_manage(scope=scope, ticket=ticket):
        raise OutOfScope()
    return ticket


def can_see_dashboard(scope: Scope) -> bool:
    return bool(scope.is_superuser or scope.leader_commune_ids or scope.admin_province_ids)


def officer(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)  # staff_required let only signed-in users through
    return user
