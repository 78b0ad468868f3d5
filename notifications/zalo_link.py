"""Linking a person's Zalo: a one-time code shown to them, sent by them to our
Official Account (OA), and read back from Zalo's webhook event.

Zalo never shows a person the follower id our OA knows them by, so they cannot
type it (the settings page used to send them to the commune office, which had
no tool to find it). The OA does learn it when they message it: Zalo calls our
webhook with a ``user_send_text`` event whose ``sender.id`` is that id and
whose ``message.text`` is what they typed. A code only the person was shown
ties the two together.

The webhook's signature, as Zalo's OA webhook documentation describes it (and
Vietnamese write-ups of it, e.g. hainh.me "Zalo API PHP: Webhook & Callback
Official Account", which we followed, not having the official page at hand):
the header ``X-ZEvent-Signature`` is ``mac=`` followed by the hex SHA-256 of
app id + the raw JSON body + the event's ``timestamp`` field + the OA secret
key (the OA Secret Key, not the App Secret Key), concatenated in that order.
The prefix is accepted with or without ``mac=``; app id and key come from
settings (ZALO_APP_ID, ZALO_OA_SECRET_KEY), and without both every event is
refused.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import re
import secrets
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import override

from accounts.models import User
from core.errors import MalformedRequest, RequestTooLarge, Unavailable
from core.rate_limits import Charge, rate_limits_take
from notifications.errors import (
    ZaloLinkCodesTooMany,
    ZaloLinkTriesTooMany,
    ZaloSignatureInvalid,
)
from notifications.models import NotificationPreference, ZaloLinkCode
from notifications.services import Message, notifications_send

logger = logging.getLogger(__name__)

CODE_DIGITS = 6
# A live code with less time left than this is replaced when the page is
# opened, so the person is not shown a code that runs out while they type it.
CODE_MIN_LEFT = timedelta(minutes=5)
# Zalo's events are a few hundred bytes; anything near this is not one.
WEBHOOK_MAX_BYTES = 64 * 1024
# Only the start of a message is searched for a code: a long message is not
# a link attempt, and one message is one guess, not a list of them.
TEXT_SEARCHED = 100
# "482915", "482 915", "482-915", "482.915": as the page shows it, or typed plainly.
_CODE_IN_TEXT = re.compile(r"(?<![0-9])([0-9]{3})[ .\-]?([0-9]{3})(?![0-9])")
# Zalo's follower ids are long decimal numbers (sent as strings).
_FOLLOWER_ID = re.compile(r"[0-9]{1,64}")

# Zalo's clock and ours may differ by this much either way.
CLOCK_SKEW = timedelta(minutes=5)

Outcome = Literal["linked", "ignored", "stale", "unknown_code", "rate_limited"]


def _live(now: Any) -> Q:
    return Q(used_at__isnull=True, expires_at__gt=now)


def zalo_link_code_current(*, user: User) -> ZaloLinkCode | None:
    """The person's live code with enough time left to use it, if any."""
    now = timezone.now()
    return (
        ZaloLinkCode.objects.filter(_live(now + CODE_MIN_LEFT), user=user)
        .order_by("-created_at")
        .first()
    )


def zalo_link_code_issue(*, user: User, fresh: bool = False) -> ZaloLinkCode:
    """The code the person should send to the OA.

    Their live code is given back as long as it has a few minutes left, so
    reloading the page neither draws codes nor uses up the limit; ``fresh``
    (the page's "new code" button) always draws one. Drawing one replaces
    the person's earlier unused codes: one live code each keeps few codes to
    guess. Raises ZaloLinkCodesTooMany past settings.RATE_LIMITS
    ["zalo_link_code.person"].
    """
    with transaction.atomic():
        # One draw at a time per person: two taps or two tabs each found no
        # code and each drew one, two live codes (a second read).
        User.objects.select_for_update().filter(pk=user.pk).values_list("pk").first()
        if not fresh:
            current = zalo_link_code_current(user=user)
            if current is not None:
                return current
        rate_limits_take(
            charges=[Charge(action="zalo_link_code", cost=1, error=ZaloLinkCodesTooMany)],
            person_id=user.pk,
            ip=None,
        )
        now = timezone.now()
        expires_at = now + timedelta(minutes=settings.ZALO_LINK_CODE_MINUTES)
        # Expired unused codes free their number (the unique index covers
        # every unused code, live or not); the person's own are replaced.
        ZaloLinkCode.objects.filter(used_at__isnull=True).filter(
            Q(expires_at__lte=now) | Q(user=user)
        ).delete()
        # A million numbers and a code lives 30 minutes: a clash is rare, and
        # a few draws make a run of them all but impossible.
        for _attempt in range(10):
            code = f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"
            try:
                with transaction.atomic():
                    return ZaloLinkCode.objects.create(
                        user=user, code=code, created_at=now, expires_at=expires_at
                    )
            except IntegrityError:
                continue
    raise Unavailable()


def zalo_unlink(*, user: User) -> None:
    """Forget the person's Zalo: no more messages there, until they link again."""
    with transaction.atomic():
        preference = NotificationPreference.objects.select_for_update().filter(user=user).first()
        if preference is not None:
            preference.zalo_user_id = ""
            preference.zalo_enabled = False
            preference.save(update_fields=["zalo_user_id", "zalo_enabled"])
        ZaloLinkCode.objects.filter(user=user, used_at__isnull=True).delete()


def zalo_signature_valid(*, raw_body: bytes, timestamp: str, signature_header: str) -> bool:
    """Whether ``signature_header`` is our OA's signature of the event (module docstring)."""
    app_id, secret = settings.ZALO_APP_ID, settings.ZALO_OA_SECRET_KEY
    if not app_id or not secret:
        return False
    given = signature_header.strip()
    if given.lower().startswith("mac="):
        given = given[len("mac=") :]
    expected = hashlib.sha256(
        app_id.encode() + raw_body + timestamp.encode() + secret.encode()
    ).hexdigest()
    return bool(given) and hmac.compare_digest(given.lower().encode(), expected.encode())


def webhook_size_check(size: int) -> None:
    """Refuse an event of ``size`` bytes past WEBHOOK_MAX_BYTES: by the request's
    Content-Length before its body is read (notifications/api.py), and by the
    body itself, which a length header need not tell the truth about."""
    if size > WEBHOOK_MAX_BYTES:
        raise RequestTooLarge(_("The event is too large."))


def _event(raw_body: bytes) -> dict[str, Any]:
    webhook_size_check(len(raw_body))
    try:
        event = json.loads(raw_body)
    except (ValueError, RecursionError) as exc:  # not UTF-8, not JSON, nested past the stack
        raise MalformedRequest() from exc
    if not isinstance(event, dict):
        raise MalformedRequest()
    return event


def _text_of(event: dict[str, Any], *path: str) -> str:
    value: Any = event
    for name in path:
        value = value.get(name) if isinstance(value, dict) else None
    return value if isinstance(value, str) else ""


def _linked_notice(link_code: ZaloLinkCode) -> None:
    """Tell the person their Zalo was linked, in the inbox and by SMS too.

    A code is six digits: a stranger who guessed a live one (past the limits
    on tries) would get this person's updates on their Zalo. The person hears
    of every link at once, with the way to undo it; written before their
    Zalo is turned on, so it goes to the inbox and by SMS, not to the Zalo
    just linked."""
    texts: dict[str, tuple[str, str]] = {}
    for language, _name in settings.LANGUAGES:
        with override(language):
            texts[language] = (
                str(_("Your Zalo is linked")),
                str(
                    _(
                        "Updates on your cases can now come to you on Zalo. If you did not "
                        "link it, open your notification settings and tap “Unlink Zalo”."
                    )
                ),
            )
    notifications_send(
        recipient_ids=[link_code.user_id],
        message=Message(
            texts=texts,
            dedupe_key=f"zalo-linked:{link_code.pk}",
            link=reverse("notifications:preference-edit"),
        ),
    )


def _event_time(timestamp: str) -> datetime | None:
    """The moment Zalo says the event happened (milliseconds since 1970)."""
    # Thirteen digits reach the year 2286; more is no time of Zalo's (and
    # past 9999 no datetime: a 500, found by a second read).
    if not timestamp.isascii() or not timestamp.isdigit() or len(timestamp) > 13:
        return None
    return datetime.fromtimestamp(int(timestamp) / 1000, tz=UTC)


def _event_fresh(sent_at: datetime, now: datetime) -> bool:
    """Whether an event is recent enough to link anyone.

    Six digits recur: a code drawn today may be one a stranger's old event
    held. An event older than a code's whole life cannot carry a code live
    now, so it is answered and dropped, whoever replays it.
    """
    oldest = now - timedelta(minutes=settings.ZALO_LINK_CODE_MINUTES) - CLOCK_SKEW
    return oldest <= sent_at <= now + CLOCK_SKEW


def zalo_link_event_handle(*, raw_body: bytes, signature_header: str) -> Outcome:
    """Handle one event of Zalo's webhook; link the sender if it carries a live code.

    Raises RequestTooLarge or MalformedRequest for a body that is no event,
    and ZaloSignatureInvalid for one not signed with our OA's key. Anything
    else signed by Zalo is answered (200) whatever it holds: Zalo resends
    what is not, and a stranger's "hello" to the OA is no error. The same
    event twice links once: the code is used up by the first. An event
    links only a code that was already drawn when it was sent (the clock's
    skew allowed), and only if it is younger than a code's life.
    """
    event = _event(raw_body)
    # Zalo sends the timestamp as a string of milliseconds; a number is
    # read as written, so the signed text is the same either way.
    timestamp = event.get("timestamp")
    timestamp_text = str(timestamp) if isinstance(timestamp, (str, int)) else ""
    if not zalo_signature_valid(
        raw_body=raw_body, timestamp=timestamp_text, signature_header=signature_header
    ):
        raise ZaloSignatureInvalid()
    if event.get("event_name") != "user_send_text":
        return "ignored"
    sender_id = _text_of(event, "sender", "id")
    found = _CODE_IN_TEXT.search(_text_of(event, "message", "text")[:TEXT_SEARCHED])
    if not _FOLLOWER_ID.fullmatch(sender_id) or found is None:
        return "ignored"
    now = timezone.now()
    sent_at = _event_time(timestamp_text)
    if sent_at is None or not _event_fresh(sent_at, now):
        logger.warning(
            "Zalo event from outside the last %s minutes; ignored", settings.ZALO_LINK_CODE_MINUTES
        )
        return "stale"
    code = found.group(1) + found.group(2)
    try:
        # A follower id is who sent it, as a phone number is for an SMS;
        # action "zalo_link_try" keeps its keys apart from real numbers'.
        # Then all followers together: many Zalo accounts are many followers.
        rate_limits_take(
            charges=[Charge(action="zalo_link_try", cost=1, error=ZaloLinkTriesTooMany)],
            person_id=None,
            ip=None,
            phone=f"zalo-{sender_id}",
        )
        rate_limits_take(
            charges=[Charge(action="zalo_link_try_all", cost=1, error=ZaloLinkTriesTooMany)],
            person_id=None,
            ip=None,
            phone="zalo-all",
        )
    except ZaloLinkTriesTooMany:
        logger.warning("Zalo link codes over the limit; ignored")
        return "rate_limited"
    with transaction.atomic():
        link_code = (
            ZaloLinkCode.objects.select_for_update()
            .filter(_live(now), code=code, created_at__lte=sent_at + CLOCK_SKEW)
            .first()
        )
        if link_code is None:
            return "unknown_code"
        link_code.used_at = now
        link_code.zalo_user_id = sender_id
        link_code.save(update_fields=["used_at", "zalo_user_id"])
        # Told before Zalo is on: by the inbox and SMS, not on the Zalo just
        # linked, which may be a guesser's (a second read).
        _linked_notice(link_code)
        preference, _created = NotificationPreference.objects.select_for_update().get_or_create(
            user_id=link_code.user_id
        )
        preference.zalo_user_id = sender_id
        preference.zalo_enabled = True
        preference.save(update_fields=["zalo_user_id", "zalo_enabled"])
        # Any other unused code of theirs is pointless now.
        ZaloLinkCode.objects.filter(user_id=link_code.user_id, used_at__isnull=True).delete()
    logger.info("Zalo linked for person %s", link_code.user_id)
    return "linked"
