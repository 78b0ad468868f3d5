"""The photo worker's side of report intake: PhotoJob rows become served images.

A filing checks its photos from their headers only, stores the originals
privately and commits the case with one PhotoJob per photo
(helpdesk/filing.py); decoding, resizing and stripping (of CPU, about 35 ms a
1600 px JPEG and 85 ms a 12 MP one: bench/photo_pipeline.py) happen here, off
the request. A worker claims due jobs (FOR UPDATE SKIP
LOCKED, then a lease, as notifications/fanout.py claims fan-outs), writes the
display image and thumbnail under the names the attachment already holds, and
commits the attachment READY with the job done.

Exactly once: a worker killed mid-job leaves the job due again when its lease
ends; the next one writes the same two names again (photo_derive replaces
them) and commits, so one display image and one thumbnail exist whatever
happened. The commit only lands while the lease is the claimer's: a worker
whose lease ran out and was overtaken changes nothing.

A photo whose pixels turn out undecodable marks its attachment FAILED and
tells the reporter and the officers following the case; the case and its other
photos are untouched.

A bucket that is away (core/media_outage.py) is no fault of the photo: the job
and the rest of the batch wait MEDIA_RETRY and are tried again, the attempt
uncounted, for as long as the outage lasts; only other failures count towards
MAX_ATTEMPTS. Otherwise a ten-minute outage would mark every photo filed
meanwhile as damaged. That includes a bucket that is gone, which the storage
reports as a missing original: the bucket is asked before the attempt counts,
and an original lost from a bucket that answers is this job's own failure.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from django.conf import settings
from django.core.files.storage import Storage, default_storage
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from core.errors import MediaUnavailable
from core.leased_jobs import jobs_claim, jobs_hand_back
from core.media_outage import media_outage
from helpdesk.followers import case_followers
from helpdesk.links import resident_case_link, staff_case_link
from helpdesk.models import Attachment, PhotoJob
from helpdesk.photo_errors import PhotoRejected
from helpdesk.photos import photo_derive, photos_delete
from notifications.services import Message, notifications_send

logger = logging.getLogger(__name__)

# The photo worker LISTENs here; filings NOTIFY at commit (see photo_jobs_wake).
WAKE_CHANNEL = "xadesk_photos"
# A job that failed this many times for a reason other than its picture (the
# storage away, say) is given up: its photo is marked failed.
MAX_ATTEMPTS = 5
# How long jobs wait for a bucket that is away before it is asked again: one
# request (with its timeouts) per wait, not a loop of them.
MEDIA_RETRY = timedelta(seconds=30)


def lease() -> timedelta:
    """How long a claim keeps other workers off a job: longer than one photo may take."""
    return timedelta(seconds=int(getattr(settings, "PHOTO_JOB_LEASE_SECONDS", 120)))


def photo_jobs_wake() -> None:
    """Wake the photo worker when the surrounding transaction commits."""
    with connection.cursor() as cursor:
        cursor.execute(f"NOTIFY {WAKE_CHANNEL}")


def photo_jobs_claim(*, now: datetime, limit: int) -> tuple[list[int], datetime]:
    """Take up to ``limit`` due jobs; return their ids and the lease end written."""
    return jobs_claim(PhotoJob, now=now, limit=limit, lease=lease())


def photo_job_run(*, job_id: int, until: datetime, storage: Storage | None = None) -> str:
    """Make the served images of one claimed job; return the attachment's new state."""
    storage = storage or default_storage
    job = PhotoJob.objects.select_related("attachment").get(pk=job_id)
    attachment = job.attachment
    try:
        width, height = photo_derive(
            original_name=attachment.original,
            display_name=attachment.display,
            thumbnail_name=attachment.thumbnail,
            storage=storage,
        )
    except PhotoRejected as error:
        # The picture itself is bad (damaged pixel data): no retry can help.
        return _finish(job, until, state=Attachment.State.FAILED, error=error.code, storage=storage)
    except Exception as error:
        # A bucket that is gone is an outage too (core/media_outage.media_open),
        # not this job's missing original.
        if isinstance(error, MediaUnavailable) or media_outage(error):
            logger.warning("Photo job %s: the bucket is away (%r); retried later", job_id, error)
            jobs_hand_back(PhotoJob, ids=[job_id], until=until, now=timezone.now() + MEDIA_RETRY)
            raise MediaUnavailable() from error
        if job.attempts < MAX_ATTEMPTS:
            # Left claimed: due again when the lease ends, as after a crash.
            logger.warning("Photo job %s failed, retried later", job_id, exc_info=True)
            PhotoJob.objects.filter(pk=job_id, next_attempt_at=until).update(
                last_error=f"{type(error).__name__}: {error}"[:200]
            )
            return Attachment.State.PROCESSING
        logger.exception("Photo job %s failed %s times: given up", job_id, job.attempts)
        return _finish(job, until, state=Attachment.State.FAILED, error="gave_up", storage=storage)
    return _finish(job, until, state=Attachment.State.READY, size=(width, height), storage=storage)


def _finish(
    job: PhotoJob,
    until: datetime,
    *,
    state: str,
    storage: Storage,
    size: tuple[int, int] | None = None,
    error: str = "",
) -> str:
    """Commit the outcome if the lease is still ours; the original goes unless kept."""
    attachment = job.attachment
    keep = bool(getattr(settings, "REPORTS_KEEP_ORIGINALS", False))
    with transaction.atomic():
        done = PhotoJob.objects.filter(pk=job.pk, next_attempt_at=until, done_at__isnull=True)
        if not done.update(done_at=timezone.now(), last_error=error):
            # Overtaken after the lease ran out: the other worker wrote the
            # same files and commits the outcome.
            logger.warning("Photo job %s: lease lost", job.pk)
            return Attachment.State.PROCESSING
        fields: dict[str, object] = {"state": state}
        if size is not None:
            fields["width"], fields["height"] = size
        if not keep:
            fields["original"] = ""
        Attachment.objects.filter(pk=attachment.pk).update(**fields)
        if state == Attachment.State.FAILED:
            _tell_failed(attachment)
        if not keep and attachment.original:
            # After the commit: a rollback must find its original still there.
            name = attachment.original
            transaction.on_commit(lambda: photos_delete(names=[name], storage=storage), robust=True)
    return state


def _tell_failed(attachment: Attachment) -> None:
    """Tell the reporter and the officers following the case that a photo was lost."""
    ticket = attachment.ticket
    followers = case_followers(ticket, supporters=False)
    staff = followers.staff
    owners = followers.owners - staff
    for audience, link in (
        (owners, resident_case_link(number=ticket.number)),
        (staff, staff_case_link(number=ticket.number)),
    ):
        if not audience:
            continue
        texts: dict[str, tuple[str, str]] = {}
        for language, _name in settings.LANGUAGES:
            with override(language):
                texts[language] = (
                    _("A photo of #%(number)s could not be read") % {"number": ticket.number},
                    _(
                        "The file arrived damaged and cannot be shown. The report itself is "
                        "saved; please send the photo again as a reply."
                    ),
                )
        notifications_send(
            recipient_ids=audience,
            message=Message(
                texts=texts,
                dedupe_key=f"photo-failed:{attachment.pk}",
                link=link,
                essential=False,
                province_id=ticket.province_id,
            ),
        )


def photo_jobs_process(
    *, now: datetime | None = None, limit: int = 10, should_stop: Callable[[], bool] = lambda: False
) -> int:
    """Claim and run one batch of jobs; return how many were run."""
    now = now or timezone.now()
    ids, until = photo_jobs_claim(now=now, limit=limit)
    for position, job_id in enumerate(ids):
        rest = ids[position + 1 :]
        try:
            photo_job_run(job_id=job_id, until=until)
        except MediaUnavailable:
            # The other photos need the same bucket: they wait with this one.
            jobs_hand_back(PhotoJob, ids=rest, until=until, now=timezone.now() + MEDIA_RETRY)
            return position
        if rest and should_stop():
            jobs_hand_back(PhotoJob, ids=rest, until=until, now=now)
            return position + 1
    return len(ids)
