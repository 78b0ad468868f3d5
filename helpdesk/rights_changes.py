"""A department seat given, taken away or handed on, or its department moved,
changes what an
officer may see: their open sockets reconnect and read it again
(notifications/socket_ends.py).

helpdesk/permissions.py narrows an officer's scope to the departments they sit
in; a socket keeps the groups of the scope read at its handshake (the queue's
``queue.dept.N``, a case's staff view), so without this an officer taken out
of a department kept that department's cases and internal notes streaming.
"""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import receiver

from helpdesk.models import Department, DepartmentMembership
from notifications.socket_ends import holder_remember, holders_changed, people_changed

# What a department's members' scope depends on (helpdesk/permissions.py
# keeps seats in the officer's communes).
_SCOPE_FIELDS = ("commune_id",)


@receiver(pre_save, sender=DepartmentMembership)
def _seat_holder_before(sender: Any, instance: DepartmentMembership, **kwargs: Any) -> None:
    holder_remember(instance)


@receiver(post_save, sender=DepartmentMembership)
@receiver(post_delete, sender=DepartmentMembership)
def _seat_changed(sender: Any, instance: DepartmentMembership, **kwargs: Any) -> None:
    holders_changed(instance)


@receiver(pre_save, sender=Department)
def _department_before(sender: Any, instance: Department, **kwargs: Any) -> None:
    if instance.pk is not None:
        rows = Department.objects.filter(pk=instance.pk).values_list(*_SCOPE_FIELDS)
        instance._socket_scope_before = rows.first()  # type: ignore[attr-defined]


@receiver(post_save, sender=Department)
def _department_changed(sender: Any, instance: Department, **kwargs: Any) -> None:
    # Moved to another commune: its members' scope changes with it. A new
    # name changes nothing they may see.
    before = instance.__dict__.pop("_socket_scope_before", None)
    if before is None or before == tuple(getattr(instance, f) for f in _SCOPE_FIELDS):
        return
    people_changed(instance.memberships.values_list("user_id", flat=True))
