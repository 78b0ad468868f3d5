"""A department seat given, taken away or moved changes what an officer may see:
their open sockets reconnect and read it again (notifications/socket_ends.py).

helpdesk/permissions.py narrows an officer's scope to the departments they sit
in; a socket keeps the groups of the scope read at its handshake (the queue's
``queue.dept.N``, a case's staff view), so without this an officer taken out
of a department kept that department's cases and internal notes streaming.
"""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from helpdesk.models import Department, DepartmentMembership
from notifications.socket_ends import person_changed


@receiver(post_save, sender=DepartmentMembership)
@receiver(post_delete, sender=DepartmentMembership)
def _seat_changed(sender: Any, instance: DepartmentMembership, **kwargs: Any) -> None:
    person_changed(instance.user_id)


@receiver(post_save, sender=Department)
def _department_changed(sender: Any, instance: Department, created: bool, **kwargs: Any) -> None:
    # Moved to another commune, or closed: its members' scope changes with it.
    if created:
        return
    for user_id in instance.memberships.values_list("user_id", flat=True):
        person_changed(user_id)
