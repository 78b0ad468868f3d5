"""Tell every process's sockets when a log-in ends or a person's rights change.

The sockets side is core/socket_ends.py. Here, Django's own signals, so every
way in counts (a page's log-out, the API's, a key revoked or deleted in the
admin, a role granted or taken away, a person deactivated or given a new
password, made an administrator or no longer one), sent after the change
commits: a socket that reconnects at once must read the new state.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
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


_BEFORE = "_socket_ends_before"


def rights_watch(
    model: Any,
    *,
    fields: tuple[str, ...],
    people: Callable[[Any, tuple[Any, ...] | None], Iterable[int]],
    every_save: bool = False,
    unrelated_saves: frozenset[str] = frozenset(),
    on_delete: bool = True,
) -> None:
    """Tell ``people(instance, before)`` their sockets must ask again after a row of
    ``model`` is saved with ``fields`` changed (or, with ``every_save``, any save,
    creation included), and after it is deleted.

    ``before`` holds ``fields`` as the database had them, read in pre_save:
    rows are loaded far more often than saved, so nothing is kept on every
    row loaded. A save whose update_fields are all ``unrelated_saves`` reads
    nothing (a log-in's last_login).
    """

    def remember(sender: Any, instance: Any, update_fields: Any = None, **kwargs: Any) -> None:
        if instance.pk is None or (update_fields and set(update_fields) <= unrelated_saves):
            return
        rows = model._default_manager.filter(pk=instance.pk).values_list(*fields)
        instance.__dict__[_BEFORE] = rows.first()

    def saved(sender: Any, instance: Any, created: bool, **kwargs: Any) -> None:
        before = instance.__dict__.pop(_BEFORE, None)
        now = tuple(getattr(instance, name) for name in fields)
        if every_save or (not created and before is not None and before != now):
            people_changed(people(instance, before))

    def deleted(sender: Any, instance: Any, **kwargs: Any) -> None:
        people_changed(people(instance, None))

    uid = f"socket_ends.{model._meta.label}"
    pre_save.connect(remember, sender=model, weak=False, dispatch_uid=uid)
    post_save.connect(saved, sender=model, weak=False, dispatch_uid=uid)
    if on_delete:
        post_delete.connect(deleted, sender=model, weak=False, dispatch_uid=uid)


def held_right_watch(model: Any) -> None:
    """Rows that give their ``user`` a right (a role, a department seat): any change
    tells the holder, and the holder before when the admin hands the row on."""
    rights_watch(
        model,
        fields=("user_id",),
        people=lambda row, before: [row.user_id, *(before or ())],
        every_save=True,
    )


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


held_right_watch(RoleAssignment)

# What a socket's handshake and scope rely on (helpdesk/permissions.py reads
# is_superuser): the person may log in, with this password, with these powers.
# A save of only last_login (every log-in), the name or the language reads nothing.
rights_watch(
    User,
    fields=("password", "is_active", "is_superuser", "is_staff"),
    people=lambda person, before: [person.pk],
    unrelated_saves=frozenset({"last_login", "full_name", "language"}),
)
