"""Idempotency keys of filings and replies: a retried submission returns the first one.

The key is the client's (a phone that lost its signal after sending retries
with the same key, an SMS gateway sending a message again); the content hash
tells a retry from a different report or message sent by mistake under an old
key. Filings and replies share one key space per person: a key used for one
is refused for the other.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _

from accounts.models import User
from core.api_fields import IDEMPOTENCY_KEY_PATTERN
from helpdesk.filing_errors import IdempotencyKeyReused, InvalidIdempotencyKey
from helpdesk.models import IdempotencyRecord, Ticket, TicketEvent


def content_hash(draft: Any) -> str:
    """Hash what the filer sent (a dataclass), photos and voice by their bytes, in a stable form."""
    body = asdict(draft)
    body["photos"] = [hashlib.sha256(photo).hexdigest() for photo in getattr(draft, "photos", ())]
    voice = getattr(draft, "voice", None)
    body["voice"] = hashlib.sha256(voice).hexdigest() if voice else None
    canonical = json.dumps(body, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


@dataclass(frozen=True)
class _ReplyContent:
    ticket: str
    body: str
    internal: bool
    photos: tuple[bytes, ...]
    voice: bytes | None


def reply_hash(
    *, ticket: Ticket, body: str, internal: bool, photos: Sequence[bytes], voice: bytes | None
) -> str:
    """Hash a reply or note as ``content_hash`` hashes a filing; the case is part of it."""
    return content_hash(
        _ReplyContent(
            ticket=ticket.number, body=body, internal=internal, photos=tuple(photos), voice=voice
        )
    )


def key_check(key: str) -> None:
    # ASCII only, as the schema says (str.isalnum took any script's letters).
    if not re.fullmatch(IDEMPOTENCY_KEY_PATTERN, key):
        raise InvalidIdempotencyKey()


def _first_with(
    *, user: User, key: str, request_hash: str, refusal: Any
) -> IdempotencyRecord | None:
    """The record of the first submission with this key, or None; a different
    content is a conflict, told with ``refusal`` (it names the case)."""
    record = (
        IdempotencyRecord.objects.select_related("ticket", "event")
        .filter(user=user, key=key)
        .first()
    )
    if record is None:
        return None
    if record.request_hash != request_hash:
        # Nothing is lost: the first submission with this key was saved.
        number = record.ticket.number
        raise IdempotencyKeyReused(refusal % {"number": number}, details={"number": number})
    return record


def ticket_for_key(*, user: User, key: str, request_hash: str) -> Ticket | None:
    """The case first filed with this key, or None; a different content is a conflict."""
    refusal = _(
        "This submission was already received as case %(number)s. "
        "To send something else, start a new report."
    )
    record = _first_with(user=user, key=key, request_hash=request_hash, refusal=refusal)
    return record.ticket if record is not None else None


def event_for_key(*, user: User, key: str, request_hash: str) -> TicketEvent | None:
    """The reply or note first posted with this key, or None; a different content is a conflict."""
    refusal = _(
        "This was already received on case %(number)s. To send another message, write it again."
    )
    record = _first_with(user=user, key=key, request_hash=request_hash, refusal=refusal)
    # A filing's hash never equals a reply's, so a record found here is a reply's.
    return record.event if record is not None else None


def key_record(
    *,
    user: User,
    key: str,
    request_hash: str,
    ticket: Ticket,
    event: TicketEvent | None = None,
) -> None:
    """Remember the key, inside the filing's or reply's transaction: a racing twin collides here."""
    IdempotencyRecord.objects.create(
        user=user, key=key, request_hash=request_hash, ticket=ticket, event=event
    )
