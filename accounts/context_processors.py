"""Template context about the person looking at the page."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from accounts.models import Role, RoleAssignment

STAFF_ROLES = (Role.OFFICER, Role.LEADER, Role.PROVINCE_ADMIN)


def person(request: HttpRequest) -> dict[str, object]:
    """``is_staff_member``: does the header offer the officer console?
    ``is_audit_reader``: and the audit trail (province administrators and
    superusers, as helpdesk.permissions.can_read_audit decides)?

    Lazy, so pages that never show the header's links cost no query.
    """

    def staff() -> bool:
        user = request.user
        if not user.is_authenticated:
            return False
        if user.is_superuser:
            return True
        return RoleAssignment.objects.filter(user_id=user.pk, role__in=STAFF_ROLES).exists()

    def audit_reader() -> bool:
        user = request.user
        if not user.is_authenticated:
            return False
        if user.is_superuser:
            return True
        return RoleAssignment.objects.filter(user_id=user.pk, role=Role.PROVINCE_ADMIN).exists()

    return {
        "is_staff_member": SimpleLazyObject(staff),
        "is_audit_reader": SimpleLazyObject(audit_reader),
    }
