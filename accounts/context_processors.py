"""Template context about the person looking at the page."""

from __future__ import annotations

from functools import cache

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from accounts.models import Role
from accounts.request_roles import role_rows

STAFF_ROLES = (Role.OFFICER, Role.LEADER, Role.PROVINCE_ADMIN)


def person(request: HttpRequest) -> dict[str, object]:
    """``is_staff_member``: does the header offer the officer console?
    ``is_audit_reader``: and the audit trail (province administrators and
    superusers, as helpdesk.permissions.can_read_audit decides)?

    Lazy, so pages that never show the header's links cost no query, and both
    read the person's roles from the request's one read of them
    (accounts/request_roles.py): on a console page the access check has made
    it already, so the header costs no query of its own.
    """

    @cache
    def staff_roles() -> frozenset[str]:
        if request.user.is_superuser:
            return frozenset()
        return frozenset(role for role, _unit in role_rows(request) if role in STAFF_ROLES)

    def staff() -> bool:
        return request.user.is_superuser or bool(staff_roles())

    def audit_reader() -> bool:
        return request.user.is_superuser or Role.PROVINCE_ADMIN in staff_roles()

    return {
        "is_staff_member": SimpleLazyObject(staff),
        "is_audit_reader": SimpleLazyObject(audit_reader),
    }
