"""Template context about the person looking at the page."""

from __future__ import annotations

from functools import cache

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from accounts.models import Role, RoleAssignment

STAFF_ROLES = (Role.OFFICER, Role.LEADER, Role.PROVINCE_ADMIN)


def person(request: HttpRequest) -> dict[str, object]:
    """``is_staff_member``: does the header offer the officer console?
    ``is_audit_reader``: and the audit trail (province administrators and
    superusers, as helpdesk.permissions.can_read_audit decides)?

    Lazy, so pages that never show the header's links cost no query, and both
    read the person's staff roles from one query.
    """

    @cache
    def staff_roles() -> frozenset[str]:
        user = request.user
        if not user.is_authenticated or user.is_superuser:
            return frozenset()
        return frozenset(
            RoleAssignment.objects.filter(user_id=user.pk, role__in=STAFF_ROLES).values_list(
                "role", flat=True
            )
        )

    def staff() -> bool:
        return request.user.is_superuser or bool(staff_roles())

    def audit_reader() -> bool:
        return request.user.is_superuser or Role.PROVINCE_ADMIN in staff_roles()

    return {
        "is_staff_member": SimpleLazyObject(staff),
        "is_audit_reader": SimpleLazyObject(audit_reader),
    }
