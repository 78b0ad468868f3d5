"""Tell every process's sockets when a log-in ends or a person's rights change.

The sockets side is core/socket_ends.py. Here, Django's own signals, so every
way in counts (a page's log-out, the API's, a key revoked or deleted in the
admin, a role granted or taken away, a person deactivated or given a new
password), sent after the change commits: a socket that reconnects at once
must read the new state.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_out
from django.db import transaction
from django.db.models.signals import post_delete, post_init, post_save
from django.dispatch import receiver
from django.http import HttpRequest

from accounts.models import ApiToken, RoleAssignment, User
from core.socket_ends import (
    ENDED_GROUP,
    credential_ended_message,
    person_changed_message,
    session_credential,
    token_credential,
)
from notifications.push import groups_send


def _send_after_commit(message: dict[str, Any]) -> None:
    transaction.on_commit(lambda: groups_send([(ENDED_GROUP, message)]), robust=True)


@receiver(user_logged_out)
def _session_ended(sender: Any, request: HttpRequest, **kwargs: Any) -> None:
    # Sent by django.contrib.auth.logout before it empties the session: the key is still there.
    session_key = request.session.session_key
    if session_key:
        _send_after_commit(credential_ended_message(session_credential(session_key)))


@receiver(post_delete, sender=ApiToken)
def _token_ended(sender: Any, instance: ApiToken, **kwargs: Any) -> None:
    _send_after_commit(credential_ended_message(token_credential(instance.key_hash)))


@receiver(post_save, sender=RoleAssignment)
@receiver(post_delete, sender=RoleAssignment)
def _roles_changed(sender: Any, instance: RoleAssignment, **kwargs: Any) -> None:
    _send_after_commit(person_changed_message(instance.user_id))


# What a socket's handshake relied on: the person may log in, with this password.
# Read from __dict__: a field left out by .only() is not there, and reading it
# as an attribute would cost a query for every person loaded so.
def _log_in_facts(user: User) -> tuple[object, object]:
    return (user.__dict__.get("password"), user.__dict__.get("is_active"))


@receiver(post_init, sender=User)
def _remember_log_in_facts(sender: Any, instance: User, **kwargs: Any) -> None:
    instance._socket_log_in_facts = _log_in_facts(instance)  # type: ignore[attr-defined]


@receiver(post_save, sender=User)
def _person_changed(sender: Any, instance: User, created: bool, **kwargs: Any) -> None:
    before = getattr(instance, "_socket_log_in_facts", None)
    now = _log_in_facts(instance)
    instance._socket_log_in_facts = now  # type: ignore[attr-defined]
    if not created and before != now:
        _send_after_commit(person_changed_message(instance.pk))


@receiver(post_delete, sender=User)
def _person_gone(sender: Any, instance: User, **kwargs: Any) -> None:
    _send_after_commit(person_changed_message(instance.pk))
