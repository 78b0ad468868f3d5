"""A person's role assignments, read once per request.

The console's access check (helpdesk.permissions.request_scope, through
console.views.access.staff_required) and the header's links
(accounts.context_processors.person) both need the roles of the person asking.
Each read them on its own: two queries where one answers both, ~0.3-0.9 ms of
every console page at 1,000,000 cases (bench/queue_scale.py).

The memo lives on the request object, so it dies with the request: a role
granted or revoked shows on the next request, never a cached copy. It is kept
with the id of the user it was read for, so a request whose user changes
(logging in or out) reads again.
"""

from __future__ import annotations

from django.http import HttpRequest

from accounts.models import RoleAssignment

RoleRows = tuple[tuple[str, int], ...]

_MEMO = "_xadesk_role_rows"


def role_rows(request: HttpRequest) -> RoleRows:
    """``(role, unit_id)`` of every role of ``request.user``; none when signed out."""
    user = request.user
    if not user.is_authenticated:
        return ()
    memo: tuple[object, RoleRows] | None = getattr(request, _MEMO, None)
    if memo is not None and memo[0] == user.pk:
        return memo[1]
    rows = roles_read(user_id=user.pk)
    setattr(request, _MEMO, (user.pk, rows))
    return rows


def roles_read(*, user_id: int) -> RoleRows:
    """``(role, unit_id)`` of every role of the person, read now (no memo)."""
    return tuple(RoleAssignment.objects.filter(user_id=user_id).values_list("role", "unit_id"))
