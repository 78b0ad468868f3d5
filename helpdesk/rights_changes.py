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

from helpdesk.models import Department, DepartmentMembership
from notifications.socket_ends import held_right_watch, rights_watch

held_right_watch(DepartmentMembership)
# Moved to another commune, its members' scope moves with it
# (helpdesk/permissions.py keeps seats in the officer's communes); a new name
# changes nothing they may see. Deleting it deletes the seats, which tell.
rights_watch(
    Department,
    fields=("commune_id",),
    people=lambda department, before: department.memberships.values_list("user_id", flat=True),
    on_delete=False,
)
