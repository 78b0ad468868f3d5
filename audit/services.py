"""Writing the audit trail: the one function that inserts a row.

Callers record inside the transaction of the act itself (helpdesk/case_audit.py,
audit/admin_site.py): an act that rolls back leaves no row, and one that
commits always has its row. Nothing here updates or deletes; the database
would refuse it anyway (migration 0002_append_only).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping, Sequence
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.contenttypes.models import ContentType
from django.db.models import Model

from audit.models import AuditEntry
from core.masking import mask_text
from core.saving import saving_witness

LABEL_LENGTH = 200


def _address(ip: str | None) -> str | None:
    """The address as PostgreSQL's inet takes it, or None.

    core/client_ip.py answers with whatever the server reported when it cannot
    tell (an empty string for a Unix socket without trusted proxies).
    """
    if not ip:
        return None
    try:
        return str(ipaddress.ip_address(ip))
    except ValueError:
        return None


def target_label_of(obj: Model) -> str:
    """A record's name for the trail, with phone and ID numbers masked: a user's
    name is often their phone number (accounts.User.__str__). A person's name
    stays: the trail's readers must see whom a change was about."""
    return mask_text(str(obj), people=False)[:LABEL_LENGTH]


def audit_record(
    *,
    action: str,
    actor: AbstractBaseUser | None,
    ip: str | None,
    target: Model | None = None,
    target_label: str | None = None,
    province_id: int | None = None,
    changes: Mapping[str, Any] | None = None,
    actor_roles: Sequence[str] = (),
) -> AuditEntry:
    """Append one row to the trail (call inside the act's transaction).

    No ``full_clean()``: it would cost a query per foreign key on every officer
    action, and every value here comes from the code, not from a form; the
    address, the one value from outside, is checked above.
    """
    entry = AuditEntry.objects.create(
        action=action,
        # By id: the user model belongs to accounts, a layer above this app.
        actor_id=actor.pk if actor is not None and actor.is_authenticated else None,
        actor_roles=list(actor_roles),
        target_type=(
            ContentType.objects.get_for_model(target, for_concrete_model=False)
            if target is not None
            else None
        ),
        target_id=str(target.pk) if target is not None else "",
        target_label=(
            target_label
            if target_label is not None
            else (target_label_of(target) if target else "")
        )[:LABEL_LENGTH],
        changes=dict(changes or {}),
        ip=_address(ip),
        province_id=province_id,
    )
    # Proof that the act was saved if its COMMIT's answer is lost (core/saving.py).
    saving_witness(entry)
    return entry
