"""What the audit trail (audit/) needs from accounts: the roles a person acts
with, staff log-ins, and the province a role belongs to.

Log-ins are recorded for staff only (a superuser, an admin user, or anyone
with an officer, leader or province-administrator role): residents log in
with a one-time code many times a day, and their trail is their cases'
timelines. A failed log-in is recorded only when the phone number typed is a
staff account's, with that account as the target and no actor (whoever typed
the password is not known); numbers that match no staff account are not
written down anywhere.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.http import HttpRequest

from accounts.context_processors import STAFF_ROLES
from accounts.models import RoleAssignment, User
from accounts.phones import phone_normalize
from audit.models import AuditAction
from audit.provinces import province_rule_register
from audit.services import audit_record
from core.client_ip import client_ip
from core.errors import DomainError
from geo.models import AdminUnit


def role_label_parts(label: object) -> tuple[str, str]:
    """A label of ``role_labels`` as (role, unit code): ("officer", "05443"),
    ("superuser", "")."""
    role, _sep, code = str(label).partition(" ")
    return role, code


def role_labels(*, user: User) -> list[str]:
    """The person's roles as the trail keeps them: "superuser", "officer 05443"."""
    labels = ["superuser"] if user.is_superuser else []
    labels += [
        f"{role} {code}"  # read back by role_label_parts
        for role, code in RoleAssignment.objects.filter(user=user)
        .order_by("role", "unit__code")
        .values_list("role", "unit__code")
    ]
    return labels


def _unit_province(unit: AdminUnit) -> int | None:
    if unit.level == AdminUnit.Level.PROVINCE:
        return unit.pk
    return unit.parent_id


def _staff_province(user: User) -> tuple[bool, int | None]:
    """Whether ``user`` is staff, and the province of their first staff role."""
    assignment = (
        RoleAssignment.objects.filter(user=user, role__in=STAFF_ROLES)
        .select_related("unit")
        .order_by("pk")
        .first()
    )
    if assignment is None:
        return user.is_staff or user.is_superuser, None
    return True, _unit_province(assignment.unit)


def _logged_in(sender: Any, request: HttpRequest | None, user: User, **kwargs: Any) -> None:
    staff, province_id = _staff_province(user)
    if not staff or request is None:
        return
    audit_record(
        action=AuditAction.LOGIN,
        actor=user,
        actor_roles=role_labels(user=user),
        ip=client_ip(request),
        target=user,
        province_id=province_id,
    )


def _login_failed(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    try:
        phone = phone_normalize(str(credentials.get("username") or credentials.get("phone") or ""))
    except DomainError:
        return
    user = User.objects.filter(phone=phone).first()
    if user is None or request is None:
        return
    staff, province_id = _staff_province(user)
    if not staff:
        return
    audit_record(
        action=AuditAction.LOGIN_FAILED,
        actor=None,
        ip=client_ip(request),
        target=user,
        province_id=province_id,
    )


def audit_trail_connect() -> None:
    """Hook log-ins and the province of a role into the trail (accounts/apps.py)."""
    user_logged_in.connect(_logged_in, dispatch_uid="accounts.audit.logged_in")
    user_login_failed.connect(_login_failed, dispatch_uid="accounts.audit.login_failed")
    province_rule_register(RoleAssignment, lambda role: _unit_province(role.unit))
