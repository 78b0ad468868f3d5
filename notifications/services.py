"""Telling people things: the inbox rows, their outbox deliveries, read marks.

Other apps say *who* and *what* (recipient ids, a short text per language, a
link, a dedupe key); this module decides *how* from each person's
preferences. Call ``notifications_send`` inside the transaction of the change
it reports: the inbox rows and the outbox commit or roll back with it, so a
committed change is never left without its messages (a transactional outbox).
A message for more than NOTIFICATIONS_INLINE_MAX people commits as one FanOut
row instead, which the worker turns into the same rows (notifications/fanout.py):
the person making the change does not wait for thousands of followers.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, time
from typing import Any

from django.conf import settings
from django.contrib.postgres.expressions import ArraySubquery
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import F, Func, IntegerField, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.services import user_language_set
from core.errors import InvalidInput
from core.group_socket import group_message
from notifications.models import (
    Channel,
    Delivery,
    DeliveryStatus,
    FanOut,
    Notification,
    NotificationPreference,
)
from notifications.push import groups_send, inbox_group
from notifications.selectors import (
    notifications_unread_count,
    notifications_unread_counts,
    person_is_staff,
)


@dataclass(frozen=True)
class Message:
    """One message for several people; ``texts`` maps a language to (title, body)."""

    texts: Mapping[str, tuple[str, str]]
    dedupe_key: str
    link: str = ""
    # SMS copies: False for messages withheld once the province's monthly SMS
    # cap is reached (notifications/sms_budget.py); the province pays.
    essential: bool = True
    province_id: int | None = None
    # External copies ignore quiet hours (disaster alerts only).
    urgent: bool = False

    def language_for(self, language: str) -> str:
        """The language the person reads it in: theirs, else the site's, else any."""
        if language in self.texts:
            return language
        return (
            settings.LANGUAGE_CODE
            if settings.LANGUAGE_CODE in self.texts
            else next(iter(self.texts))
        )

    def text_for(self, language: str) -> tuple[str, str]:
        return self.texts[self.language_for(language)]


def notification_payload(notification: Notification) -> dict[str, Any]:
    return {
        "id": notification.pk,
        "title": notification.title,
        "body": notification.body,
        "link": notification.link,
        "read": notification.read_at is not None,
        "created_at": notification.created_at.isoformat(),
    }


def _external_channels(user: User, preference: NotificationPreference) -> list[tuple[str, str]]:
    """Return (channel, initial status) for each external copy the person gets."""
    channels: list[tuple[str, str]] = []
    if preference.email_enabled and user.email:
        status = DeliveryStatus.DIGEST if preference.daily_digest else DeliveryStatus.PENDING
        channels.append((Channel.EMAIL, status))
    if preference.sms_enabled and user.phone:
        channels.append((Channel.SMS, DeliveryStatus.PENDING))
    if preference.zalo_enabled and preference.zalo_user_id:
        channels.append((Channel.ZALO, DeliveryStatus.PENDING))
    return channels


# The channel the delivery worker listens on (LISTEN/NOTIFY): PostgreSQL
# delivers a NOTIFY only when its transaction commits, so the worker wakes for
# committed work and a rolled-back change wakes nobody.
WAKE_CHANNEL = "xadesk_outbox"


def inline_max() -> int:
    """Above this many recipients a message goes through the worker (FanOut)."""
    return int(getattr(settings, "NOTIFICATIONS_INLINE_MAX", 50))


def worker_wake() -> None:
    """Wake the delivery worker when the surrounding transaction commits."""
    with connection.cursor() as cursor:
        cursor.execute(f"NOTIFY {WAKE_CHANNEL}")


def notifications_send(
    *, recipient_ids: Iterable[int], message: Message, now: datetime | None = None
) -> list[Notification]:
    """Write one inbox row per person (once per dedupe key) and queue its deliveries.

    Returns the rows created now; a person who already has this message gets
    nothing new. The in-app push happens after the surrounding commit. For
    more than ``inline_max()`` people nothing is created now: one FanOut row
    commits with the change and the worker tells them (returns []).
    """
    now = now or timezone.now()
    ids = sorted(set(recipient_ids))
    if len(ids) > inline_max():
        _fanout_create(recipient_ids=ids, message=message, now=now)
        return []
    return notifications_write(recipient_ids=ids, message=message, now=now)


def fanout_queue(
    *, recipients: QuerySet[Any, int], message: Message, now: datetime | None = None
) -> int:
    """Queue ``message`` for every person ``recipients`` (a query of user ids) names;
    return how many they are.

    One INSERT ... SELECT: the ids are gathered into the FanOut row inside the
    database, so a caller reaching 100,000 people (a commune alert) neither
    sends their ids nor writes a row per person; the worker does both
    (notifications/fanout.py). Empty when nobody matches: the worker finds no
    one to tell and marks the row done. How many they are is read from the
    row (``cardinality``), so a caller need not ask for the same recipients
    again to know whether anyone is reached; the ids themselves stay in the
    database (save() would read a field given an expression back, RETURNING
    every id: a province's alert sent 400,000 of them to this process).
    """
    now = now or timezone.now()
    ids = Func(
        ArraySubquery(recipients.distinct().order_by()),
        function="COALESCE",
        template="COALESCE(%(expressions)s, '{}'::bigint[])",
    )
    row = _fanout_create(recipient_ids=ids, message=message, now=now)
    count = Func(F("recipient_ids"), function="cardinality", output_field=IntegerField())
    return int(FanOut.objects.filter(pk=row.pk).values_list(count, flat=True).get())


def _fanout_create(*, recipient_ids: list[int] | Func, message: Message, now: datetime) -> FanOut:
    """One FanOut row for the worker (notifications/fanout.py), woken at commit.
    Inserted by bulk_create, which reads back the id alone."""
    (row,) = FanOut.objects.bulk_create(
        [
            FanOut(
                recipient_ids=recipient_ids,
                texts={language: list(text) for language, text in message.texts.items()},
                link=message.link,
                dedupe_key=message.dedupe_key,
                created_at=now,
                next_attempt_at=now,
                essential=message.essential,
                province_id=message.province_id,
                urgent=message.urgent,
            )
        ]
    )
    worker_wake()
    return row


def notifications_write(
    *, recipient_ids: list[int], message: Message, now: datetime
) -> list[Notification]:
    """The inbox rows and deliveries of ``notifications_send``, written now."""
    ids = recipient_ids
    # In id order, as every writer does: two writers of one message then wait
    # on each other's rows in the same order and cannot deadlock.
    users = list(
        User.objects.filter(pk__in=ids, is_active=True)
        .only("pk", "language", "email", "phone")
        .order_by("pk")
    )
    by_id = {user.pk: user for user in users}
    preferences = {p.user_id: p for p in NotificationPreference.objects.filter(user_id__in=ids)}
    with transaction.atomic():
        created = _inbox_rows_insert(users, message, now)
        rows: list[Delivery] = []
        for notification in created:
            user = by_id[notification.recipient_id]
            preference = preferences.get(user.pk) or NotificationPreference(user=user)
            # The inbox row is the in-app delivery: written, hence delivered.
            rows.append(
                Delivery(
                    notification=notification,
                    channel=Channel.IN_APP,
                    status=DeliveryStatus.SENT,
                    sent_at=now,
                    created_at=now,
                    next_attempt_at=now,
                )
            )
            rows += [
                Delivery(
                    notification=notification,
                    channel=channel,
                    status=status,
                    created_at=now,
                    next_attempt_at=now,
                    essential=message.essential,
                    province_id=message.province_id,
                    urgent=message.urgent,
                )
                for channel, status in _external_channels(user, preference)
            ]
        Delivery.objects.bulk_create(rows, batch_size=INSERT_BATCH)
        if any(row.channel != Channel.IN_APP for row in rows):
            worker_wake()
        if created:
            # robust: a failed push is logged; the change itself has committed.
            transaction.on_commit(functools.partial(inbox_pushes_send, created), robust=True)
    return created


def inbox_pushes_send(created: list[Notification]) -> None:
    """Push each new message with its person's unread count, counted after the commit.

    One query for all recipients: a case with thousands of followers must not
    make every one of their sockets query the database. Counted after the
    commit, so a message committed at the same moment, or a "mark all read",
    is in the count too.
    """
    unread = notifications_unread_counts(user_ids=[n.recipient_id for n in created])
    groups_send(
        [
            (inbox_group(n.recipient_id), _inbox_push(n, unread.get(n.recipient_id, 0)))
            for n in created
        ]
    )


INSERT_BATCH = 1000


def _inbox_rows_insert(users: list[User], message: Message, now: datetime) -> list[Notification]:
    """Insert each person's inbox row unless they have this message; return the new rows.

    One INSERT ... ON CONFLICT DO NOTHING RETURNING per thousand people: a case
    with thousands of supporters is told in a few statements, not a query per
    person (1,000 supporters: 2.4 s before), and two writers of the same
    message (a retried job, a concurrent change) cannot both create a person's
    row, so nobody is told twice. The ORM's bulk_create does not say which
    rows a conflict skipped, hence the SQL.
    """
    table = Notification._meta.db_table
    sql = (
        f"INSERT INTO {table} (recipient_id, title, body, language, link, dedupe_key, created_at) "  # noqa: S608 - names from the model
        "SELECT r, t, b, l, %s, %s, %s "
        "FROM unnest(%s::bigint[], %s::text[], %s::text[], %s::text[]) AS u(r, t, b, l) "
        f"ON CONFLICT (recipient_id, dedupe_key) DO NOTHING RETURNING {', '.join(RETURNED)}"
    )
    created: list[Notification] = []
    for start in range(0, len(users), INSERT_BATCH):
        chunk = users[start : start + INSERT_BATCH]
        languages = [message.language_for(user.language) for user in chunk]
        texts = [message.texts[language] for language in languages]
        params: list[Any] = [
            message.link,
            message.dedupe_key,
            now,
            [user.pk for user in chunk],
            [title for title, _body in texts],
            [body for _title, body in texts],
            languages,
        ]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            created += [Notification.from_db(connection.alias, RETURNED, row) for row in cursor]
    created.sort(key=lambda n: n.recipient_id)
    return created


# The inbox row's columns, as _inbox_rows_insert reads them back (Model.from_db).
RETURNED = [
    "id",
    "recipient_id",
    "title",
    "body",
    "language",
    "link",
    "dedupe_key",
    "read_at",
    "created_at",
]


def notification_mark_read(*, user_id: int, notification_id: int) -> bool:
    """Mark one of the person's messages read; False when it is not theirs."""
    found = Notification.objects.filter(pk=notification_id, recipient_id=user_id).exists()
    if found:
        Notification.objects.filter(
            pk=notification_id, recipient_id=user_id, read_at__isnull=True
        ).update(read_at=timezone.now())
        _push_unread_changed(user_id)
    return found


def notifications_mark_all_read(*, user_id: int) -> int:
    count = Notification.objects.filter(recipient_id=user_id, read_at__isnull=True).update(
        read_at=timezone.now()
    )
    if count:
        _push_unread_changed(user_id)
    return count


def _inbox_push(notification: Notification, unread: int) -> dict[str, Any]:
    payload = notification_payload(notification)
    return group_message(
        "inbox.notification",
        {"type": "notification", "notification": payload, "unread": unread},
        unread=unread,
    )


def _push_unread_changed(user_id: int) -> None:
    # The person's other open tabs refresh their badge.
    transaction.on_commit(functools.partial(_unread_push, user_id), robust=True)


def _unread_push(user_id: int) -> None:
    count = notifications_unread_count(user_id=user_id)  # once, after the commit
    message = group_message("inbox.unread", {"type": "unread", "count": count})
    groups_send([(inbox_group(user_id), message)])


@dataclass(frozen=True)
class PreferencesSaved:
    """What saving the settings did. ``language_changed``: the account's
    language is a new one, so the page or API answer that saved it sets the
    language cookie (accounts/language_cookie.py) and the site follows; a save
    that kept it must not switch a site shown in another language."""

    preference: NotificationPreference
    language_changed: bool


def notification_preferences_update(
    *,
    user: User,
    email_enabled: bool,
    sms_enabled: bool,
    zalo_enabled: bool,
    zalo_user_id: str,
    quiet_start: time,
    quiet_end: time,
    daily_digest: bool = False,
    language: str | None = None,
) -> PreferencesSaved:
    """Save how the person wants to be told; raise InvalidInput with a sentence.

    The error's ``field`` names the input at fault (``details.fields`` in the
    API's answer), so a form can show the message next to it. ``language``
    (None: as saved) is the account's (accounts/services.py): the messages
    written from now on are in it; those already written stay as they are.
    """
    zalo_user_id = zalo_user_id.strip()
    staff = person_is_staff(user=user)
    if quiet_start == quiet_end:
        raise InvalidInput(
            _("Quiet hours must start and end at different times."),
            field="quiet_end",
        )
    # Offered to people who work cases; a resident gets each update as it happens.
    if daily_digest and not staff:
        raise InvalidInput(
            _("The daily digest is only available to officers."),
            field="daily_digest",
        )
    with transaction.atomic():
        preference, _created = NotificationPreference.objects.select_for_update().get_or_create(
            user=user
        )
        if not staff:
            # A resident's Zalo id comes only from linking (zalo_link.py): the
            # settings page never asks for it, and an id typed into the API
            # skipped the proof that the Zalo is theirs, while an app that
            # left it out unlinked them (a second read). Staff type theirs.
            zalo_user_id = preference.zalo_user_id
        if zalo_enabled and not zalo_user_id:
            if staff:
                raise InvalidInput(
                    _("To receive messages on Zalo, enter your Zalo follower id."),
                    field="zalo_user_id",
                )
            raise InvalidInput(
                _("To receive messages on Zalo, link your Zalo first, on your settings page."),
                field="zalo_enabled",
            )
        preference.email_enabled = email_enabled
        preference.sms_enabled = sms_enabled
        preference.zalo_enabled = zalo_enabled
        preference.zalo_user_id = zalo_user_id
        preference.quiet_start = quiet_start
        preference.quiet_end = quiet_end
        preference.daily_digest = daily_digest
        try:
            preference.full_clean()
        except ValidationError as exc:
            field = next(iter(exc.message_dict), "")
            raise InvalidInput(" ".join(exc.messages), field=field or None) from exc
        # In the same transaction: a refused language saves nothing else.
        changed = language is not None and user_language_set(user=user, language=language)
        preference.save()
    return PreferencesSaved(preference=preference, language_changed=changed)
