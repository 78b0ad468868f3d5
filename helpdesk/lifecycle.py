"""The one case lifecycle: every change to a ticket goes through here.

Each service locks the ticket row, checks the caller's scope and that the move
is allowed from the current state, writes the change and its timeline event in
one transaction. Two officers acting at once are serialised by the row lock;
the second sees the state the first left, and a move it does not allow is a
clear conflict. The same
person asking again for the move that brought the case where it is (a button
tapped twice, a retry after a lost answer) gets the case back as it is, with
no second event, notification or audit row (``_repeats_last_move``).

Transfer and the SLA clock: the resident waits from the moment of filing, so a
transfer does not restart the clock — ``due_at`` keeps its value and the
receiving department inherits the remaining time.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from django.core.files.storage import Storage, default_storage
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone

from accounts.models import User
from audit.models import AuditAction
from core.multiline import counted_length, lf_text
from core.rate_limits import Charge, rate_limits_charged
from core.saving import Saving, atomic_saving
from core.visible_text import is_blank
from helpdesk import errors, idempotency
from helpdesk.attachments import (
    attachments_create,
    media_undo,
    photos_process_all,
    voice_attachment_create,
)
from helpdesk.case_audit import case_audit_record, case_snapshot
from helpdesk.events import ticket_event_record
from helpdesk.models import Attachment, Department, Ticket, TicketEvent, TicketStatus
from helpdesk.permissions import Scope, can_manage, is_reporter, scope_for, works_in_department
from helpdesk.voice import ProcessedVoice, voice_process

S = TicketStatus
REOPEN_WINDOW = timedelta(days=7)
# Replies, notes and the reasons of a move; and a rating's comment. One rule
# for every channel (the pages' forms, the API, the console): the resident's
# forms had no limit at all, and a million-character reply made the case page
# 2 MB for every officer who opened it.
MAX_MESSAGE = 4000
MAX_COMMENT = 2000


def _within(text: str, max_length: int) -> str:
    """``text`` with LF line breaks (core/multiline.py), each counted once as the
    person's screen counted it, or TextTooLong. What every channel stores: an
    API's CR LF was counted once but kept."""
    if counted_length(text) > max_length:
        raise errors.TextTooLong(max_length=max_length)
    return lf_text(text)


# Allowed moves: status → the statuses an officer may move it to.
STAFF_MOVES: dict[str, tuple[str, ...]] = {
    S.NEW: (S.ACCEPTED, S.REJECTED, S.DUPLICATE, S.TRANSFERRED),
    S.TRANSFERRED: (S.ACCEPTED, S.REJECTED, S.DUPLICATE, S.TRANSFERRED),
    S.ACCEPTED: (S.IN_PROGRESS, S.RESOLVED, S.REJECTED, S.DUPLICATE, S.TRANSFERRED),
    S.IN_PROGRESS: (S.RESOLVED, S.TRANSFERRED),
    S.RESOLVED: (S.CLOSED,),
    S.CLOSED: (),
    S.REJECTED: (),
    S.DUPLICATE: (),
}
# Statuses in which the resident and officers may still talk on the case.
CONVERSATION_OPEN = (S.NEW, S.TRANSFERRED, S.ACCEPTED, S.IN_PROGRESS, S.RESOLVED)


class ResidentAction(StrEnum):
    """What the reporter may do on their own case."""

    REPLY = "reply"
    REOPEN = "reopen"
    RATE = "rate"


def resident_actions(*, ticket: Ticket, now: datetime | None = None) -> frozenset[ResidentAction]:
    """The reporter's possible actions in the case's state, the reopen window included.

    The one rule: the services below refuse what is not in it, and the pages
    offer what is in it.
    """
    actions: set[ResidentAction] = set()
    if ticket.status in CONVERSATION_OPEN:
        actions.add(ResidentAction.REPLY)
    if ticket.status in (S.RESOLVED, S.CLOSED):
        actions.add(ResidentAction.RATE)
    moment = now or timezone.now()
    if (
        ticket.status == S.RESOLVED
        and ticket.resolved_at is not None
        and moment - ticket.resolved_at <= REOPEN_WINDOW
    ):
        actions.add(ResidentAction.REOPEN)
    return frozenset(actions)


def transfer_targets(*, ticket: Ticket) -> QuerySet[Department]:
    """The departments an officer may send the case to: active ones of the case's
    province other than its own. A case never leaves its province by transfer:
    each province runs its own communes. An unrouted case outside every
    province (an old one: filing no longer makes them) may go anywhere."""
    departments = Department.objects.filter(is_active=True).select_related("commune__parent")
    if ticket.province_id is not None:
        departments = departments.filter(commune__parent_id=ticket.province_id)
    if ticket.department_id is not None:
        departments = departments.exclude(pk=ticket.department_id)
    return departments.order_by("commune__name", "name")


def _locked(ticket: Ticket) -> Ticket:
    # The rows the API's answer shows (helpdesk.case_rows.case_row) are read here, in
    # the transaction: read lazily after the commit, a database restarting in
    # between turned a saved change into an error page. Only the ticket's row
    # is locked (``of``).
    return _answer_rows().select_for_update(of=("self",)).get(pk=ticket.pk)


def _answer_rows() -> QuerySet[Ticket]:
    return Ticket.objects.select_related("service", "commune", "department", "assignee")


class _AlreadyDone(Exception):
    """Raised inside a move that repeats the case's last one, so the way out
    undoes what the retry began (its transaction, the photos it stored, the
    counts it charged); ``_answers_repeats`` turns it into the answer."""

    def __init__(self, ticket: Ticket) -> None:
        super().__init__(ticket.number)
        self.ticket = ticket


def _answers_repeats[**P](service: Callable[P, Ticket]) -> Callable[P, Ticket]:
    @functools.wraps(service)
    def answering(*args: P.args, **kwargs: P.kwargs) -> Ticket:
        try:
            return service(*args, **kwargs)
        except _AlreadyDone as done:
            return done.ticket

    return answering


def _repeats_last_move(
    ticket: Ticket,
    *,
    by: User,
    to: str,
    body: str = "",
    data: dict[str, Any] | None = None,
    photos: Sequence[str] = (),
    same: Sequence[str] | None = None,
) -> bool:
    """Whether this move is the one that brought the case where it is: the same
    person, status, words, data (or only its keys in ``same``) and "after"
    photos (``photos``: the uploads' SHA-256) as its last status event, with
    no hand-over since. Answered as done rather than 409 illegal_transition,
    which told an officer who tapped "Accept" twice that their own act had failed.

    It cannot swallow a new act: no move leads from a status back into it but
    a transfer, and a transfer's retry names the department the case is now
    in, which ``transfer_targets`` leaves out. A case handed to someone else
    since is not where the retry left it: that retry is a conflict. Read
    under the row lock, so of two presses at once the second waits and finds
    the first's event.
    """
    if ticket.status != to:
        return False
    last = (
        TicketEvent.objects.filter(
            ticket=ticket, kind__in=(TicketEvent.Kind.STATUS, TicketEvent.Kind.ASSIGNED)
        )
        .order_by("-id")
        .values_list("pk", "kind", "actor_id", "body", "data")
        .first()
    )
    if last is None or last[1:4] != (TicketEvent.Kind.STATUS, by.pk, body):
        return False
    asked, done = data or {}, last[4]
    if same is not None:
        asked, done = (
            {key: asked.get(key) for key in same},
            {key: done.get(key) for key in same},
        )
    if asked != done:
        return False
    stored = Attachment.objects.filter(event_id=last[0], role=Attachment.Role.AFTER)
    return sorted(stored.values_list("sha256", flat=True)) == sorted(photos)


# How long an officer's retry of their own transfer is still answered as done
# once the case has left their scope (transfer_already_made): long enough for
# a second tap or a resend over a slow line.
TRANSFER_RETRY_WINDOW = timedelta(minutes=30)


def transfer_already_made(
    *, number: str, by: User, department_id: int, reason: str, now: datetime | None = None
) -> Ticket | None:
    """Case ``number`` as ``by``'s own transfer of it to ``department_id`` with
    ``reason`` left it, when that is their latest transfer of it and less than
    TRANSFER_RETRY_WINDOW old; None otherwise.

    A transfer to another department takes the case out of the sender's
    scope, so its retry (a second tap, a resend after the answer was lost, a
    twin that waited at the row lock) no longer finds the case, and "not
    found" told the officer that their transfer had failed. Callers ask this
    only once the scoped lookup or the move's scope check has failed, and
    answer with it as with a repeated move (``_repeats_last_move``).

    Decided from the caller's own event alone, and answered with what that
    event made of the case, never the case as it is now: the same answer
    whatever has happened since (accepted, moved on, talked about), so a
    retry tells the sender nothing their first answer did not, and only to
    someone still staff. A number that does not exist costs the same queries
    as one the caller never transferred: no answer tells them apart.
    """
    if not scope_for(user=by).is_staff_member:
        return None
    event = (
        TicketEvent.objects.filter(
            ticket__number=number,
            kind=TicketEvent.Kind.STATUS,
            to_status=S.TRANSFERRED,
            actor=by,
            created_at__gte=(now or timezone.now()) - TRANSFER_RETRY_WINDOW,
        )
        .order_by("-id")
        .first()
    )
    if (
        event is None
        or event.body != lf_text(reason).strip()
        or event.data.get("to_department") != department_id
    ):
        return None
    ticket = _answer_rows().get(pk=event.ticket_id)
    department = Department.objects.select_related("commune").filter(pk=department_id).first()
    if department is None:
        return None
    # What ticket_transfer set; the rest of an answer's row (service, words,
    # place, dates) no move changes. A transfer starts from an open status,
    # where nothing is resolved or rated (ticket_reopen clears both). Not to
    # be saved: it is an answer, not the case.
    ticket.status = S.TRANSFERRED
    ticket.department = department
    ticket.commune = department.commune
    ticket.province_id = department.commune.parent_id
    ticket.assignee = None
    ticket.resolved_at = None
    ticket.rating = None
    return ticket


def _require_staff(scope: Scope, ticket: Ticket) -> None:
    if not can_manage(scope=scope, ticket=ticket):
        raise errors.OutOfScope()


def _require_move(ticket: Ticket, to: str) -> None:
    allowed = STAFF_MOVES[ticket.status]
    if to not in allowed:
        raise errors.IllegalTransition(status=ticket.status, allowed=allowed)


def _move(
    ticket: Ticket,
    *,
    by: User,
    to: str,
    action: AuditAction,
    ip: str | None,
    body: str = "",
    update: Callable[[Ticket], None] | None = None,
    data: dict[str, Any] | None = None,
    then: Callable[[Ticket, TicketEvent], None] | None = None,
    saving: Saving | None = None,
    photos: Sequence[str] = (),
    same: Sequence[str] | None = None,
) -> Ticket:
    """Lock, check scope and move, apply extra field changes, record the event,
    run ``then`` (e.g. attach the photos to the event) and write the audit
    row, all in the same transaction (``saving``: how far it got,
    atomic_saving). A repeat of the last move (``photos`` and ``same``:
    _repeats_last_move) raises _AlreadyDone."""
    with atomic_saving(saving):
        locked = _locked(ticket)
        _require_staff(scope_for(user=by), locked)
        if _repeats_last_move(locked, by=by, to=to, body=body, data=data, photos=photos, same=same):
            raise _AlreadyDone(locked)
        _require_move(locked, to)
        before = case_snapshot(locked)
        previous = locked.status
        locked.status = to
        if update is not None:
            update(locked)
        event = ticket_event_record(
            locked,
            kind=TicketEvent.Kind.STATUS,
            actor=by,
            from_status=previous,
            body=body,
            data=data,
        )
        locked.save()
        if then is not None:
            then(locked, event)
        case_audit_record(
            ticket=locked, by=by, action=action, ip=ip, before=before, extra={"event": event.pk}
        )
    return locked


@_answers_repeats
def ticket_accept(
    *, ticket: Ticket, by: User, assignee: User | None = None, ip: str | None = None
) -> Ticket:
    """Accept a new or transferred case, assigning it to an officer (default: the caller).

    ``ip``, here and in every officer act below: the client's address for the
    audit trail (helpdesk/case_audit.py), None when there is no request."""
    officer = assignee or by

    def update(t: Ticket) -> None:
        # On the locked row, after _move checked the caller's right: who may be
        # given the case is told only to those who may give it, and a transfer
        # committed since the request read the case is seen.
        if officer.pk != by.pk and not works_in_department(
            user=officer, department_id=t.department_id
        ):
            raise errors.InvalidAssignee()
        t.assignee = officer
        t.accepted_at = timezone.now()

    return _move(
        ticket,
        by=by,
        to=S.ACCEPTED,
        action=AuditAction.CASE_ACCEPT,
        ip=ip,
        update=update,
        data={"assignee": officer.pk},
    )


# The statuses a case may be handed to another officer in (the console offers
# its button in them: console/actions.py).
ASSIGNABLE = (S.ACCEPTED, S.IN_PROGRESS)


def ticket_assign(*, ticket: Ticket, by: User, assignee: User, ip: str | None = None) -> Ticket:
    """Hand an accepted case to another officer of the same department."""
    with atomic_saving():
        locked = _locked(ticket)
        _require_staff(scope_for(user=by), locked)
        before = case_snapshot(locked)
        if locked.status not in ASSIGNABLE:
            raise errors.IllegalTransition(status=locked.status, allowed=ASSIGNABLE)
        if not works_in_department(user=assignee, department_id=locked.department_id):
            raise errors.InvalidAssignee()
        if locked.assignee_id == assignee.pk:
            # Already theirs (a second tap, a retry): nothing to hand over, and
            # a second "assigned to you" would only be noise.
            return locked
        locked.assignee = assignee
        event = ticket_event_record(
            locked, kind=TicketEvent.Kind.ASSIGNED, actor=by, data={"assignee": assignee.pk}
        )
        locked.save()
        case_audit_record(
            ticket=locked,
            by=by,
            action=AuditAction.CASE_ASSIGN,
            ip=ip,
            before=before,
            extra={"event": event.pk},
        )
    return locked


@_answers_repeats
def ticket_start(*, ticket: Ticket, by: User, ip: str | None = None) -> Ticket:
    def update(t: Ticket) -> None:
        t.started_at = timezone.now()

    return _move(
        ticket, by=by, to=S.IN_PROGRESS, action=AuditAction.CASE_START, ip=ip, update=update
    )


@_answers_repeats
def ticket_resolve(
    *,
    ticket: Ticket,
    by: User,
    note: str,
    photos: Sequence[bytes] = (),
    ip: str | None = None,
    storage: Storage | None = None,
) -> Ticket:
    """Resolve with a public note telling the resident what was done, and the
    "after" photos the service asks for (processed before the transaction).
    The photos count against the abuse limits (``ip``: the client's address)."""
    if is_blank(note):
        raise errors.ReasonRequired()
    note = _within(note, MAX_MESSAGE)
    # Refuse early, before spending time on photos; checked again under the lock.
    current = Ticket.objects.select_related("service").get(pk=ticket.pk)
    _require_staff(scope_for(user=by), current)
    uploads = [hashlib.sha256(photo).hexdigest() for photo in photos]
    if _repeats_last_move(current, by=by, to=S.RESOLVED, body=note.strip(), photos=uploads):
        raise _AlreadyDone(_answer_rows().get(pk=current.pk))
    _require_move(current, S.RESOLVED)
    if current.service.after_photo_required and not photos:
        raise errors.AfterPhotoRequired()
    # A bucket or database outage below gives the charges back (core/rate_limits.py).
    with rate_limits_charged(
        charges=(Charge(action="photo", cost=len(photos), error=errors.PhotoRateLimited),),
        person_id=by.pk,
        ip=ip,
    ) as charged:
        storage = storage or default_storage
        processed = photos_process_all(photos=photos, storage=storage)

        def update(t: Ticket) -> None:
            t.resolved_at = timezone.now()

        def attach(t: Ticket, event: TicketEvent) -> None:
            attachments_create(
                ticket=t, photos=processed, role=Attachment.Role.AFTER, uploaded_by=by, event=event
            )

        saving = Saving()
        try:
            return _move(
                ticket,
                by=by,
                to=S.RESOLVED,
                action=AuditAction.CASE_RESOLVE,
                ip=ip,
                body=note.strip(),
                update=update,
                then=attach,
                saving=saving,
                photos=[photo.sha256 for photo in processed],
            )
        except BaseException as failed:
            media_undo(saving, photos=processed, storage=storage)
            if isinstance(failed, _AlreadyDone):
                charged.give_back()  # the twin that got there first was counted
            raise


@_answers_repeats
def ticket_reject(*, ticket: Ticket, by: User, reason: str, ip: str | None = None) -> Ticket:
    if is_blank(reason):
        raise errors.ReasonRequired()
    reason = _within(reason, MAX_MESSAGE)

    def update(t: Ticket) -> None:
        t.closed_at = timezone.now()

    return _move(
        ticket,
        by=by,
        to=S.REJECTED,
        action=AuditAction.CASE_REJECT,
        ip=ip,
        body=reason.strip(),
        update=update,
    )


@_answers_repeats
def ticket_mark_duplicate(
    *, ticket: Ticket, by: User, original: Ticket, ip: str | None = None
) -> Ticket:
    if original.pk == ticket.pk or original.duplicate_of_id == ticket.pk:
        raise errors.DuplicateOfItself(status=ticket.status)
    if not can_manage(scope=scope_for(user=by), ticket=original):
        raise errors.OutOfScope()

    def update(t: Ticket) -> None:
        t.duplicate_of = original
        t.closed_at = timezone.now()

    return _move(
        ticket,
        by=by,
        to=S.DUPLICATE,
        action=AuditAction.CASE_DUPLICATE,
        ip=ip,
        update=update,
        # The original's public id too: a "me too" follower is told of it by
        # that, never by a case number (helpdesk/notify.py).
        data={"original": original.number, "original_public_id": original.public_id},
    )


@_answers_repeats
def ticket_transfer(
    *, ticket: Ticket, by: User, department: Department, reason: str, ip: str | None = None
) -> Ticket:
    """Send the case to another department (of this or another commune), with a reason."""
    if is_blank(reason):
        raise errors.ReasonRequired()
    reason = _within(reason, MAX_MESSAGE)
    data: dict[str, Any] = {"from_department": None, "to_department": department.pk}

    def update(t: Ticket) -> None:
        # Checked on the locked row: another transfer may have just moved it.
        if not transfer_targets(ticket=t).filter(pk=department.pk).exists():
            raise errors.InvalidTransferTarget()
        data["from_department"] = t.department_id  # written into the event next
        t.department = department
        t.commune = department.commune
        t.province = department.commune.parent
        t.assignee = None

    return _move(
        ticket,
        by=by,
        to=S.TRANSFERRED,
        action=AuditAction.CASE_TRANSFER,
        ip=ip,
        body=reason.strip(),
        update=update,
        data=data,
        # A retry comes from the department the first one left: only the
        # destination says it is the same transfer.
        same=("to_department",),
    )


def _require_conversation(*, scope: Scope, ticket: Ticket, internal: bool) -> None:
    staff = can_manage(scope=scope, ticket=ticket)
    if not staff and (internal or not is_reporter(scope=scope, ticket=ticket)):
        raise errors.OutOfScope()
    if ticket.status not in CONVERSATION_OPEN:
        raise errors.IllegalTransition(status=ticket.status, allowed=CONVERSATION_OPEN)


def ticket_reply(
    *,
    ticket: Ticket,
    by: User,
    body: str,
    internal: bool = False,
    photos: Sequence[bytes] = (),
    voice: bytes | None = None,
    ip: str | None = None,
    storage: Storage | None = None,
    idempotency_key: str | None = None,
) -> TicketEvent:
    """Post a public reply (the resident sees it) or an internal note (officers only),
    with pictures if any (a screenshot, a photo of the place) and a voice note if
    any (an answer a resident who reads little can listen to).

    ``ip`` is the client's address for the per-IP abuse limits and, when staff
    write, the audit trail; None if unknown. With ``idempotency_key`` a retry
    of the same message (a phone that lost its signal, a form sent twice, the
    SMS gateway sending again) gets the first one back: it is posted, counted
    and told once."""
    if is_blank(body) and not photos and not voice:
        raise errors.ReasonRequired()
    body = _within(body, MAX_MESSAGE)
    request_hash = ""
    if idempotency_key is not None:
        idempotency.key_check(idempotency_key)
        request_hash = idempotency.reply_hash(
            ticket=ticket, body=body, internal=internal, photos=photos, voice=voice
        )
        first = idempotency.event_for_key(user=by, key=idempotency_key, request_hash=request_hash)
        if first is not None:
            return first
    scope = scope_for(user=by)
    # Refuse early, before spending time on photos; checked again under the lock.
    _require_conversation(scope=scope, ticket=Ticket.objects.get(pk=ticket.pk), internal=internal)
    # Counted once allowed, before the photos are processed; a bucket or
    # database outage below gives the charges back (core/rate_limits.py).
    with rate_limits_charged(
        charges=(
            Charge(action="reply", cost=1, error=errors.ReplyRateLimited),
            Charge(
                action="photo",
                cost=len(photos) + (1 if voice else 0),
                error=errors.PhotoRateLimited,
            ),
        ),
        person_id=by.pk,
        ip=ip,
    ) as charge:
        storage = storage or default_storage
        processed = photos_process_all(photos=photos, storage=storage)
        recording: ProcessedVoice | None = None
        saving = Saving()
        try:
            recording = voice_process(data=voice, storage=storage) if voice else None
            with atomic_saving(saving):
                locked = _locked(ticket)
                _require_conversation(scope=scope, ticket=locked, internal=internal)
                kind = TicketEvent.Kind.NOTE if internal else TicketEvent.Kind.REPLY
                event = ticket_event_record(
                    locked, kind=kind, actor=by, body=body.strip(), is_public=not internal
                )
                attachments_create(
                    ticket=locked,
                    photos=processed,
                    role=Attachment.Role.MESSAGE,
                    uploaded_by=by,
                    event=event,
                )
                voice_attachment_create(ticket=locked, voice=recording, uploaded_by=by, event=event)
                if idempotency_key is not None:
                    idempotency.key_record(
                        user=by,
                        key=idempotency_key,
                        request_hash=request_hash,
                        ticket=locked,
                        event=event,
                    )
                locked.save(update_fields=["updated_at"])
                if can_manage(scope=scope, ticket=locked):
                    # The resident's own words are on the timeline; officers' are
                    # officer acts, on the trail too.
                    case_audit_record(
                        ticket=locked,
                        by=by,
                        action=AuditAction.CASE_NOTE if internal else AuditAction.CASE_REPLY,
                        ip=ip,
                        extra={
                            "event": event.pk,
                            "photos": len(processed),
                            "voice": recording is not None,
                        },
                    )
        except IntegrityError:
            # A retry with the same key won the race and committed first.
            media_undo(saving, photos=processed, voice=recording, storage=storage)
            if idempotency_key is not None:
                first = idempotency.event_for_key(
                    user=by, key=idempotency_key, request_hash=request_hash
                )
                if first is not None:
                    charge.give_back()  # counted once, by the twin that saved it
                    return first
            raise
        except BaseException:
            media_undo(saving, photos=processed, voice=recording, storage=storage)
            raise
        return event


def ticket_reopen(*, ticket: Ticket, by: User, reason: str) -> Ticket:
    """The resident says the problem is not fixed: back to in progress, rating cleared."""
    reason = _within(reason, MAX_MESSAGE)
    with atomic_saving():
        locked = _locked(ticket)
        if not is_reporter(scope=scope_for(user=by), ticket=locked):
            raise errors.OutOfScope()
        if _repeats_last_move(locked, by=by, to=S.IN_PROGRESS, body=reason.strip()):
            return locked
        if ResidentAction.REOPEN not in resident_actions(ticket=locked):
            if locked.status == S.RESOLVED:
                raise errors.ReopenWindowClosed()
            raise errors.IllegalTransition(status=locked.status)
        locked.status = S.IN_PROGRESS
        locked.resolved_at = None
        locked.rating = None
        locked.rating_comment = ""
        locked.rated_at = None
        ticket_event_record(
            locked,
            kind=TicketEvent.Kind.STATUS,
            actor=by,
            from_status=S.RESOLVED,
            body=reason.strip(),
        )
        locked.save()
    return locked


def ticket_rate(*, ticket: Ticket, by: User, rating: int, comment: str = "") -> Ticket:
    """The resident rates the outcome of a resolved or closed case, 1 to 5."""
    if not 1 <= rating <= 5:
        raise errors.InvalidRating()
    comment = _within(comment, MAX_COMMENT)
    with atomic_saving():
        locked = _locked(ticket)
        if not is_reporter(scope=scope_for(user=by), ticket=locked):
            raise errors.OutOfScope()
        if ResidentAction.RATE not in resident_actions(ticket=locked):
            raise errors.IllegalTransition(status=locked.status, allowed=(S.RESOLVED, S.CLOSED))
        if locked.rating == rating and locked.rating_comment == comment.strip():
            # The same stars and words again (a second tap, a resend): nothing
            # changes, so no second "rated" line on the timeline.
            return locked
        locked.rating = rating
        locked.rating_comment = comment.strip()
        locked.rated_at = timezone.now()
        ticket_event_record(
            locked,
            kind=TicketEvent.Kind.RATED,
            actor=by,
            body=locked.rating_comment,
            data={"rating": rating},
        )
        locked.save()
    return locked


def tickets_close_resolved(*, now: Any = None) -> int:
    """Close cases resolved more than 7 days ago; safe to run from several workers.

    Each candidate is claimed with SKIP LOCKED so two runs never close the same case
    twice, and a case a resident is reopening right now is simply skipped.
    """
    cutoff = (now or timezone.now()) - REOPEN_WINDOW
    closed = 0
    while True:
        with transaction.atomic():
            batch = list(
                Ticket.objects.select_for_update(skip_locked=True)
                .filter(status=S.RESOLVED, resolved_at__lt=cutoff)
                .order_by("pk")[:200]
            )
            if not batch:
                return closed
            for ticket in batch:
                ticket.status = S.CLOSED
                ticket.closed_at = timezone.now()
                ticket_event_record(
                    ticket, kind=TicketEvent.Kind.STATUS, actor=None, from_status=S.RESOLVED
                )
                ticket.save(update_fields=["status", "closed_at", "updated_at"])
            closed += len(batch)
