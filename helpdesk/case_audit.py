"""The audit trail of officers' acts on cases (issue 11): one row per act.

Called by the lifecycle services (helpdesk/lifecycle.py) and the photo
approval (helpdesk/attachments.py) inside the transaction that locks the
ticket, after the change is written: the act and its row commit or roll back
together.

The client's address arrives as the services' ``ip`` argument, the way the
abuse limits already receive it, rather than through a request-scoped
context variable set by a middleware: the handler that has the request says
where it came from, a service called from a command or a test says "unknown"
(None) in plain sight, and nothing depends on a middleware having run in the
same thread or task. The handlers pass ``client_ip(request)``
(core/client_ip.py), which honours DJANGO_TRUSTED_PROXIES.

What changed is written as ids and status codes; a note's or reason's text
is not copied (the timeline event it names holds it, and the trail must not
become a second store of what residents wrote).
"""

from __future__ import annotations

from typing import Any

from accounts.audit_trail import role_labels
from accounts.models import User
from audit.services import audit_record
from helpdesk.models import Ticket

# Ticket fields an officer's act may change: trail name → attribute.
TRACKED = {
    "status": "status",
    "assignee": "assignee_id",
    "department": "department_id",
    "commune": "commune_id",
    "province": "province_id",
    "duplicate_of": "duplicate_of_id",
}


def case_snapshot(ticket: Ticket) -> dict[str, Any]:
    """The tracked fields before an act, for ``case_audit_record`` to compare."""
    return {name: getattr(ticket, attribute) for name, attribute in TRACKED.items()}


def case_audit_record(
    *,
    ticket: Ticket,
    by: User,
    action: str,
    ip: str | None,
    before: dict[str, Any] | None = None,
    extra: dict[str, Any] | None = None,
) -> None:
    """Record an officer's act on ``ticket`` (call inside the act's transaction)."""
    changes: dict[str, Any] = {}
    for name, old in (before or {}).items():
        new = getattr(ticket, TRACKED[name])
        if new != old:
            changes[name] = [old, new]
    changes.update(extra or {})
    audit_record(
        action=action,
        actor=by,
        actor_roles=role_labels(user=by),
        ip=ip,
        target=ticket,
        target_label=ticket.number,
        province_id=ticket.province_id,
        changes=changes,
    )
