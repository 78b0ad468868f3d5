"""Tell every process's sockets when a log-in ends or a person's rights change.

The sockets side is core/socket_ends.py. Here, Django's own signals, so every
way in counts (a page's log-out, the API's, a key revoked or deleted in the
admin, a role granted or taken away, a person deactivated or given a new
password, made an administrator or no longer one), sent after the change
commits: a socket that reconnects at once must read the new state.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib.auth.signals import user_logged_out
from django.db import transaction
from django.db.models.signals import post_delete, post_save, pre_save
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


def people_changed(user_ids: Iterable[int]) -> None:
    """These people's sockets reconnect after this commits: what they may see changed.

    One batch of messages for all of them. For the apps above this one that
    hold rights of their own too (helpdesk's department seats,
    helpdesk/rights_changes.py).
    """
    messages = [(ENDED_GROUP, person_changed_message(pk)) for pk in sorted(set(user_ids))]
    if messages:
        transaction.on_commit(lambda: groups_send(messages), robust=True)


def person_changed(user_id: int) -> None:
    people_changed([user_id])


def holder_remember(instance: Any) -> None:
    """Keep who held a right (a role, a seat) before a save that may hand it to another."""
    if instance.pk is not None:
        before = type(instance).objects.filter(pk=instance.pk).values_list("user_id", flat=True)
        instance._socket_holder_before = before.first()


def holders_changed(instance: Any) -> None:
    """The right's holder now, and the one before if it was handed on."""
    before = instance.__dict__.pop("_socket_holder_before", None)
    people_changed([instance.user_id] + ([before] if before is not None else []))


@receiver(user_logged_out)
def _session_ended(sender: Any, request: HttpRequest, **kwargs: Any) -> None:
    # Sent by django.contrib.auth.logout before it empties the session. The
    # session is deleted here, before the message can go: a handshake that
    # reads it after the message arrived must find nobody (logout then
    # deletes nothing more). Every log-out path comes through here, the
    # admin's included.
    # (With signed-cookie sessions there is no session to delete: such a
    # cookie cannot be revoked, and this project keeps sessions in the
    # database, Django's default.)
    session_key = request.session.session_key
    if session_key:
        request.session.delete()
        _send_after_commit(credential_ended_message(session_credential(session_key)))


@receiver(post_delete, sender=ApiToken)
def _token_ended(sender: Any, instance: ApiToken, **kwargs: Any) -> None:
    _send_after_commit(credential_ended_message(token_credential(instance.key_hash)))


@receiver(pre_save, sender=RoleAssignment)
def _role_holder_before(sender: Any, instance: RoleAssignment, **kwargs: Any) -> None:
    # The admin may hand a role to another person: the former holder's
    # sockets must hear of it too.
    holder_remember(instance)


@receiver(post_save, sender=RoleAssignment)
@receiver(post_delete, sender=RoleAssignment)
def _roles_changed(sender: Any, instance: RoleAssignment, **kwargs: Any) -> None:
    holders_changed(instance)


# What a socket's handshake and scope rely on (helpdesk/permissions.py reads
# is_superuser): the person may log in, with this password, with these powers.
LOG_IN_FACTS = ("password", "is_active", "is_superuser", "is_staff")
# Saves that touch none of them: the one at every log-in, above all.
_UNRELATED = frozenset({"last_login", "full_name", "language"})


@receiver(pre_save, sender=User)
def _remember_log_in_facts(
    sender: Any, instance: User, update_fields: Any = None, **kwargs: Any
) -> None:
    # Read before the save, from the database: people are loaded far more
    # often than saved, so nothing is kept on every User loaded.
    if instance.pk is None or (update_fields and set(update_fields) <= _UNRELATED):
        return
    instance._socket_log_in_facts = (  # type: ignore[attr-defined]
        User.objects.filter(pk=instance.pk).values_list(*LOG_IN_FACTS).first()
    )


@receiver(post_save, sender=User)
def _person_changed(sender: Any, instance: User, created: bool, **kwargs: Any) -> None:
    before = instance.__dict__.pop("_socket_log_in_facts", None)
    if created or before is None:
        return
    if before != tuple(getattr(instance, name) for name in LOG_IN_FACTS):
        person_changed(instance.pk)


@receiver(post_delete, sender=User)
def _person_gone(sender: Any, instance: User, **kwargs: Any) -> None:
    person_changed(instance.pk)
