"""Receiving one SMS: record it once, read it, file or reply through the case core.

Order: the message is recorded first, in its own transaction, under the
unique constraints that make a resend from the gateway find the first row
(then nothing else happens: no second case, no second answer; a resend of a
message whose handling broke off takes it over: ``RESUME_AFTER``). Then the
flood limit per number, then the sender's account (made on first use, as a
one-time code does), then the one filing service (helpdesk/filing.py
``case_submit``, with the SMS row as its idempotency key) or the one reply
service (helpdesk/lifecycle.py ``ticket_reply``). The answer goes out last.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone, translation

from accounts.models import User
from accounts.phones import phone_normalize
from accounts.signup import account_for_phone
from core.errors import DomainError, Unavailable
from core.rate_limits import Charge, RateLimited, rate_limits_take
from core.sms import phone_mask
from geo.models import AdminUnit
from helpdesk.filing import CaseDraft, case_submit
from helpdesk.lifecycle import ticket_reply
from helpdesk.models import Ticket
from helpdesk.selectors import commune_last_used
from helpdesk.sms_bill import sms_province_id
from notifications.models import NotificationPreference
from scams.models import ScamCheck
from scams.selectors import province_for
from scams.services import check_message
from sms_intake.answers import (
    Answer,
    answer_ask_commune,
    answer_filed,
    answer_how_to,
    answer_no_case,
    answer_refused,
    answer_replied,
    answer_scam_check,
    answer_send,
)
from sms_intake.communes import CODE, commune_find
from sms_intake.models import InboundSms
from sms_intake.parsing import Kind, Parsed, sms_parse, text_clean

logger = logging.getLogger(__name__)

# How long a question about the commune waits for its answer.
ANSWER_WAIT = timedelta(hours=24)

# A message still "being handled" this long after its handling began had it
# broken off: a gateway's resend of it takes the handling over. Handling one SMS
# takes well under a second, up to ~10 s when the database is going away (its
# reconnects and core/saving.py's question); a resend sooner is answered 503
# "still being handled" so that the gateway keeps the message and tries again.
RESUME_AFTER = timedelta(seconds=15)


class SmsBeingHandled(Unavailable):
    """A resend of a message whose handling has not ended: try again later."""

    code = "sms_being_handled"

    def __init__(self, *, retry_after: int) -> None:
        super().__init__(details={"retry_after": max(1, retry_after)})


def _take_over(sms: InboundSms, *, now: datetime) -> bool:
    """Claim a broken-off handling for this resend; False if none to claim.

    One conditional UPDATE, so of two resends racing, one takes it over; a
    handling still running past it is fenced off by ``_settle``."""
    claimed = InboundSms.objects.filter(
        pk=sms.pk,
        outcome=InboundSms.Outcome.RECEIVED,
        handling_since__lte=now - RESUME_AFTER,
    ).update(handling_since=now)
    if claimed == 1:
        sms.handling_since = now
    return claimed == 1


class SmsFlood(RateLimited):
    code = "sms_flood"


@dataclass(frozen=True)
class Received:
    sms: InboundSms
    duplicate: bool = False


def _hash(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _record(*, gateway_id: str, phone: str, text: str, now: datetime) -> Received:
    cleaned = text_clean(text)
    minute = now.replace(second=0, microsecond=0)
    try:
        with transaction.atomic():
            sms = InboundSms.objects.create(
                gateway_id=gateway_id[:100],
                phone=phone,
                text=text[:2000],
                text_hash=_hash(cleaned),
                minute=minute,
                received_at=now,
                handling_since=now,
            )
    except IntegrityError:
        # A resend (or its racing twin, which committed first).
        first = InboundSms.objects.filter(phone=phone, text_hash=_hash(cleaned), minute=minute)
        if gateway_id:
            first = first | InboundSms.objects.filter(gateway_id=gateway_id[:100])
        original = first.order_by("pk").first()
        if original is None:  # the constraint named a row no query finds: never hidden
            raise
        return Received(sms=original, duplicate=True)
    return Received(sms=sms)


def _sender(phone: str) -> User:
    """The number's account, made on first use as accounts/otp.py does, told by SMS."""
    user, created = account_for_phone(phone)
    if created:
        logger.info("Signed up %s by SMS", phone_mask(phone))
        # No smartphone, no email: case news reaches them by SMS.
        NotificationPreference.objects.get_or_create(
            user=user, defaults={"sms_enabled": True, "email_enabled": False}
        )
    return user


class HandlingTakenOver(Exception):
    """The message changed under this handling: it ran past RESUME_AFTER and a
    resend took it over, or another message settled it. It stops here and
    answers nothing; what it already did (a case filed under the message's
    key, a reply posted, a scam check recorded) stays."""


def _settle(sms: InboundSms, **fields: object) -> None:
    # Only while this handling still holds the message (_take_over) and no one
    # else settled it since this handling read it (a report another answer filed).
    held = InboundSms.objects.filter(
        pk=sms.pk, handling_since=sms.handling_since, outcome=sms.outcome
    )
    if held.update(**fields) != 1:
        raise HandlingTakenOver()
    for name, value in fields.items():
        setattr(sms, name, value)


def _file(*, sms: InboundSms, user: User, commune: AdminUnit) -> Answer:
    """File the SMS's case in the commune; the SMS row's id is the idempotency key."""
    service = (
        settings.SMS_REPORT_SERVICE
        if sms.kind == InboundSms.Kind.REPORT
        else settings.SMS_QUESTION_SERVICE
    )
    draft = CaseDraft(service_code=service, description=sms.description, commune_code=commune.code)
    try:
        submission = case_submit(
            reporter=user, draft=draft, idempotency_key=f"sms-inbound-{sms.pk}"
        )
    except Unavailable:
        # Not a refusal: an outage (one that may have saved it included). The
        # webhook answers 503 and the resend finds the case by the same key.
        raise
    except DomainError as exc:
        _settle(sms, outcome=InboundSms.Outcome.REFUSED)
        return answer_refused(reason=str(exc.message), language=user.language)
    ticket = submission.ticket
    _settle(sms, outcome=InboundSms.Outcome.FILED, ticket=ticket)
    return answer_filed(ticket=ticket, language=user.language)


def _new_case(*, sms: InboundSms, user: User, parsed: Parsed) -> Answer:
    words = parsed.body.split()
    commune = None
    unknown_code = False
    if parsed.kind == Kind.REPORT:
        match = commune_find(words)
        if match is not None:
            commune, words = match.commune, words[match.words :]
        elif words and CODE.match(words[0]):
            # A code no current commune has (a typo, an old pre-2025 code): ask,
            # rather than file it under the commune the number used last.
            unknown_code, words = True, words[1:]
    description = " ".join(words)
    if not description:
        _settle(sms, kind=sms.kind, outcome=InboundSms.Outcome.HELPED)
        return answer_how_to(language=user.language)
    if commune is None and not unknown_code:
        commune = commune_last_used(user)
    if commune is None:
        _settle(sms, description=description, outcome=InboundSms.Outcome.ASKED_COMMUNE)
        return answer_ask_commune(language=user.language, again=unknown_code)
    _settle(sms, description=description)
    return _file(sms=sms, user=user, commune=commune)


def _waiting(*, phone: str, now: datetime, before: datetime) -> InboundSms | None:
    return (
        InboundSms.objects.filter(
            phone=phone,
            outcome=InboundSms.Outcome.ASKED_COMMUNE,
            received_at__gte=now - ANSWER_WAIT,
            received_at__lt=before,
        )
        .order_by("-received_at")
        .first()
    )


def _answer_question(*, sms: InboundSms, user: User, parsed: Parsed, now: datetime) -> Answer:
    """A message without keyword: the commune we asked for, or an unreadable one."""
    # A handling taken over goes on with the report it began with: recorded
    # before that report was filed, after which it is no longer waiting.
    waiting = (
        sms.answers
        if sms.answers_id is not None
        else _waiting(phone=sms.phone, now=now, before=sms.received_at)
    )
    if waiting is None:
        _settle(sms, kind=InboundSms.Kind.UNREADABLE, outcome=InboundSms.Outcome.HELPED)
        return answer_how_to(language=user.language)
    sms.kind = InboundSms.Kind.ANSWER
    match = commune_find(parsed.body.split(), whole=True)
    if match is None:
        _settle(sms, kind=sms.kind, answers=waiting, outcome=InboundSms.Outcome.HELPED)
        return answer_ask_commune(language=user.language, again=True)
    _settle(sms, kind=sms.kind, answers=waiting)
    if waiting.outcome == InboundSms.Outcome.FILED and waiting.ticket is not None:
        # Taken over after the report was filed (by this answer's first try,
        # or a later answer's): its case, not a second filing.
        answer = answer_filed(ticket=waiting.ticket, language=user.language)
    else:
        answer = _file(sms=waiting, user=user, commune=match.commune)
    _settle(sms, outcome=waiting.outcome, ticket=waiting.ticket)
    return answer


def _reply(*, sms: InboundSms, user: User, parsed: Parsed) -> Answer:
    ticket = (
        Ticket.objects.select_related("commune").filter(number=parsed.number, reporter=user).first()
    )
    if ticket is None:
        _settle(sms, outcome=InboundSms.Outcome.REFUSED)
        return answer_no_case(number=parsed.number, language=user.language)
    if not parsed.body:
        _settle(sms, outcome=InboundSms.Outcome.HELPED, ticket=ticket)
        return answer_how_to(language=user.language)
    try:
        # Under the SMS row's key: a handling taken over after this one saved
        # the reply (or could not tell) finds it, rather than posting it twice.
        ticket_reply(
            ticket=ticket, by=user, body=parsed.body, idempotency_key=f"sms-inbound-{sms.pk}"
        )
    except Unavailable:
        raise  # as in _file: an outage, not a refusal
    except DomainError as exc:
        _settle(sms, outcome=InboundSms.Outcome.REFUSED, ticket=ticket)
        # In the resident's language: the sentence is lazy (and names the
        # case's status by its label), and this request's is the gateway's.
        with translation.override(user.language):
            reason = str(exc.message)
        return answer_refused(reason=reason, language=user.language, province_id=ticket.province_id)
    _settle(sms, outcome=InboundSms.Outcome.REPLIED, ticket=ticket)
    return answer_replied(ticket=ticket, language=user.language)


def _scam_check(*, sms: InboundSms, user: User, parsed: Parsed) -> Answer:
    """ "KT <message>": the verdict at once, by the one check service (scams/services.py).

    A resend never reaches here (the SMS row is unique), so a message is
    checked, and answered, once.
    """
    if not parsed.body:
        _settle(sms, outcome=InboundSms.Outcome.HELPED)
        return answer_how_to(language=user.language)
    province = province_for(user=user)
    with translation.override(user.language):
        result = check_message(
            text=parsed.body, province=province, checker=user, channel=ScamCheck.Channel.SMS
        )
    _settle(sms, outcome=InboundSms.Outcome.CHECKED)
    return answer_scam_check(
        verdict=result.verdict,
        language=user.language,
        province_id=province.pk if province is not None else None,
    )


_KINDS = {
    Kind.REPORT: InboundSms.Kind.REPORT,
    Kind.QUESTION: InboundSms.Kind.QUESTION,
    Kind.REPLY: InboundSms.Kind.REPLY,
    Kind.SCAM_CHECK: InboundSms.Kind.SCAM_CHECK,
}


def sms_receive(
    *, gateway_id: str, phone_raw: str, text: str, now: datetime | None = None
) -> Received:
    """Handle one SMS from the gateway; a resend returns the first one's row, untouched.

    Raises accounts.phones.InvalidPhoneNumber for a sender that is no
    Vietnamese mobile number (nothing is recorded; no SMS can answer it).
    """
    # GSM-7 writes "@" as byte 0x00, and a gateway that passes the bytes
    # through sends it as a NUL, which PostgreSQL cannot store.
    text = text.replace("\x00", "@")
    gateway_id = gateway_id.replace("\x00", "")
    phone = phone_normalize(phone_raw)
    now = now or timezone.now()
    received = _record(gateway_id=gateway_id, phone=phone, text=text, now=now)
    sms = received.sms
    taken_over = received.duplicate
    if received.duplicate:
        if sms.outcome != InboundSms.Outcome.RECEIVED:
            logger.info("SMS from %s is a resend; ignored", phone_mask(phone))
            return received
        if not _take_over(sms, now=now):
            sms.refresh_from_db(fields=["outcome", "handling_since", "ticket"])
            if sms.outcome != InboundSms.Outcome.RECEIVED:
                return received  # handled in the meantime
            # Being handled by another request: keep it and try again, or it
            # is lost if that handling breaks off.
            left = sms.handling_since + RESUME_AFTER - now
            raise SmsBeingHandled(retry_after=int(left.total_seconds()) + 1)
        # Its handling broke off (the database went away, or could not say
        # whether the case was saved): handled again, already counted.
        logger.warning("SMS %s from %s: handled again after a break", sms.pk, phone_mask(phone))
        received = Received(sms=sms)
    try:
        # A handling taken over was counted by the first.
        if not taken_over and _flooded(sms, phone=phone):
            return received
        _handle(sms=sms, phone=phone, text=text, now=now)
    except HandlingTakenOver:
        logger.warning("SMS %s: taken over by a resend while still handled; stopped", sms.pk)
        return Received(sms=sms, duplicate=True)
    return received


def _flooded(sms: InboundSms, *, phone: str) -> bool:
    try:
        rate_limits_take(
            charges=(Charge(action="sms_in", cost=1, error=SmsFlood),),
            person_id=None,
            ip=None,
            phone=phone,
        )
    except SmsFlood:
        # No case and no answer: a flood costs the commune nothing.
        _settle(sms, outcome=InboundSms.Outcome.LIMITED)
        logger.info("SMS from %s dropped: too many from this number", phone_mask(phone))
        return True
    return False


def _handle(*, sms: InboundSms, phone: str, text: str, now: datetime) -> None:
    user = _sender(phone)
    parsed = sms_parse(text)
    _settle(sms, sender=user, kind=_KINDS.get(parsed.kind, ""))
    if not user.is_active:
        _settle(sms, outcome=InboundSms.Outcome.REFUSED)
        return
    if parsed.kind in (Kind.EMPTY, Kind.TOO_LONG):
        _settle(sms, kind=InboundSms.Kind.UNREADABLE, outcome=InboundSms.Outcome.HELPED)
        answer = answer_how_to(language=user.language, too_long=parsed.kind == Kind.TOO_LONG)
    elif parsed.kind == Kind.REPLY:
        answer = _reply(sms=sms, user=user, parsed=parsed)
    elif parsed.kind == Kind.SCAM_CHECK:
        answer = _scam_check(sms=sms, user=user, parsed=parsed)
    elif parsed.kind == Kind.OTHER:
        answer = _answer_question(sms=sms, user=user, parsed=parsed, now=now)
    else:
        answer = _new_case(sms=sms, user=user, parsed=parsed)
    if answer.province_id is None:
        # An answer about no case goes on the bill as a login code does.
        answer = replace(answer, province_id=sms_province_id(user_id=user.pk))
    answer_send(phone=phone, answer=answer)
