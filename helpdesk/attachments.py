"""Photos on a case: process uploads, attach them, and approve them for the public map.

Processing (≈200 ms a photo) happens before the database transaction that
attaches the photos; if anything later fails, the caller discards the files
so nothing is left behind. Report intake may instead only accept the photos
(header checks, the original stored privately) and leave the processing to
the photo worker (helpdesk/photo_jobs.py), with a job committed beside each.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from django.conf import settings
from django.contrib.gis.geos import Point
from django.core.files.storage import Storage
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from audit.models import AuditAction
from core.errors import InvalidInput
from core.media_outage import media_outage_refused
from core.saving import Saving, atomic_saving
from helpdesk import errors
from helpdesk.case_audit import case_audit_record
from helpdesk.models import Attachment, PhotoJob, Ticket, TicketEvent
from helpdesk.permissions import can_manage, scope_for
from helpdesk.photo_jobs import photo_jobs_wake
from helpdesk.photo_publishing import photo_publish, photo_unpublish
from helpdesk.photos import ProcessedPhoto, photo_accept, photo_process, photos_delete
from helpdesk.voice import ProcessedVoice
from helpdesk.voice_errors import VoiceNeverPublic

logger = logging.getLogger(__name__)

MAX_PHOTOS = 5


class TooManyPhotos(InvalidInput):
    code = "too_many_photos"
    field = "photos"
    default_message = _("You can send at most 5 photos at a time.")


@media_outage_refused()
def photos_process_all(*, photos: Sequence[bytes], storage: Storage) -> list[ProcessedPhoto]:
    """Process every upload, or none: a bad photo deletes the files of the good ones."""
    if len(photos) > MAX_PHOTOS:
        raise TooManyPhotos()
    processed: list[ProcessedPhoto] = []
    try:
        for data in photos:
            processed.append(photo_process(data=data, storage=storage))
    except BaseException:
        photos_discard(photos=processed, storage=storage)
        raise
    return processed


@media_outage_refused()
def photos_accept_all(*, photos: Sequence[bytes], storage: Storage) -> list[ProcessedPhoto]:
    """Accept every upload for the photo worker, or none (see photo_accept)."""
    if len(photos) > MAX_PHOTOS:
        raise TooManyPhotos()
    accepted: list[ProcessedPhoto] = []
    try:
        for data in photos:
            accepted.append(photo_accept(data=data, storage=storage))
    except BaseException:
        photos_discard(photos=accepted, storage=storage)
        raise
    return accepted


def photos_deferred() -> bool:
    """Whether report photos are processed by the worker rather than in the request."""
    return str(getattr(settings, "PHOTO_PROCESSING", "request")) == "worker"


def photos_discard(*, photos: Sequence[ProcessedPhoto], storage: Storage) -> None:
    photos_delete(names=_photo_names(photos), storage=storage)


def _photo_names(photos: Sequence[ProcessedPhoto]) -> list[str]:
    return [
        name
        for photo in photos
        for name in (photo.display_name, photo.thumbnail_name, photo.original_name)
        if name
    ]


def media_undo(
    saving: Saving,
    *,
    photos: Sequence[ProcessedPhoto],
    storage: Storage,
    voice: ProcessedVoice | None = None,
) -> None:
    """files_undo for the photos and voice note written for a change."""
    names = _photo_names(photos) + ([voice.name] if voice else [])
    files_undo(saving, names=names, storage=storage)


def files_undo(saving: Saving, *, names: Sequence[str], storage: Storage | None) -> None:
    """Delete the files written for a change whose transaction failed (call from
    its ``except`` block), unless it failed at its COMMIT and the database could
    not say how that ended (core/saving.py; a COMMIT it knows was saved raises
    nothing, one it knows was not clears ``at_commit``): then the change may
    have been saved, and deleting would take the files of a saved case. Those
    are left to the orphan sweep (helpdesk/photo_sweep.py), which deletes them
    after its grace period if no attachment names them."""
    if not saving.at_commit:
        photos_delete(names=names, storage=storage)
    elif names:
        logger.warning(
            "Kept %d file(s) of a change whose COMMIT may have landed; the "
            "orphan sweep deletes them later if no attachment names them: %s",
            len(names),
            ", ".join(names),
        )


def attachments_create(
    *,
    ticket: Ticket,
    photos: Sequence[ProcessedPhoto],
    role: str,
    uploaded_by: User,
    event: TicketEvent | None = None,
) -> None:
    """Record processed (or accepted) photos on the ticket (call inside its transaction).

    An accepted photo (``pending``) is recorded PROCESSING with its job, and
    the photo worker is woken at the commit.
    """
    created = Attachment.objects.bulk_create(
        Attachment(
            ticket=ticket,
            event=event,
            role=role,
            position=position,
            display=photo.display_name,
            thumbnail=photo.thumbnail_name,
            original=photo.original_name or "",
            width=photo.width,
            height=photo.height,
            sha256=photo.sha256,
            taken_at=photo.info.taken_at,
            location=Point(photo.info.gps.lon, photo.info.gps.lat, srid=4326)
            if photo.info.gps
            else None,
            uploaded_by=uploaded_by,
            state=Attachment.State.PROCESSING if photo.pending else Attachment.State.READY,
        )
        for position, photo in enumerate(photos)
    )
    jobs = [
        PhotoJob(attachment=attachment)
        for attachment, photo in zip(created, photos, strict=True)
        if photo.pending
    ]
    if jobs:
        PhotoJob.objects.bulk_create(jobs)
        photo_jobs_wake()


def voice_attachment_create(
    *,
    ticket: Ticket,
    voice: ProcessedVoice | None,
    uploaded_by: User,
    event: TicketEvent | None = None,
) -> None:
    """Record a processed voice note on the ticket (call inside its transaction)."""
    if voice is None:
        return
    Attachment.objects.create(
        ticket=ticket,
        event=event,
        role=Attachment.Role.VOICE,
        display=voice.name,
        thumbnail="",
        width=0,
        height=0,
        sha256=voice.sha256,
        duration_ms=voice.duration_ms,
        uploaded_by=uploaded_by,
    )


def attachment_approve_public(
    *,
    attachment: Attachment,
    by: User,
    approved: bool = True,
    ip: str | None = None,
    storage: Storage | None = None,
) -> None:
    """Let (or stop letting) the public map show a photo; staff in scope only.

    Residents' photos may show faces or number plates, so none is public until
    an officer has looked at it. Approval writes the public copies
    (helpdesk/photo_publishing.py); withdrawal deletes them after the commit.
    ``ip``: the client's address for the audit trail, None if unknown.
    """
    if not can_manage(scope=scope_for(user=by), ticket=attachment.ticket):
        raise errors.OutOfScope()
    if attachment.role == Attachment.Role.VOICE:
        # A voice is a person: it is never shown to the public.
        raise VoiceNeverPublic()
    written: list[str] = []
    saving = Saving()
    try:
        with atomic_saving(saving):
            locked = Attachment.objects.select_for_update().get(pk=attachment.pk)
            was_public = locked.public_approved_at is not None
            if approved:
                written = photo_publish(attachment=locked, storage=storage)
                locked.public_approved_at = locked.public_approved_at or timezone.now()
                locked.approved_by = locked.approved_by or by
            else:
                photo_unpublish(attachment=locked, storage=storage)
                locked.public_approved_at = None
                locked.approved_by = None
            locked.save(
                update_fields=[
                    "public_approved_at",
                    "approved_by",
                    "public_display",
                    "public_thumbnail",
                ]
            )
            case_audit_record(
                ticket=attachment.ticket,
                by=by,
                action=AuditAction.PHOTO_APPROVE if approved else AuditAction.PHOTO_WITHDRAW,
                ip=ip,
                extra={"photo": locked.pk, "public": [was_public, approved]},
            )
    except BaseException:
        # No copy may outlive a failed approval: it would be public with no row
        # to say so. Unless the COMMIT may have landed: deleting would then leave
        # an approved photo without its files, which approving again cannot repair.
        files_undo(saving, names=written, storage=storage)
        raise
    for field in ("public_approved_at", "approved_by", "public_display", "public_thumbnail"):
        setattr(attachment, field, getattr(locked, field))
