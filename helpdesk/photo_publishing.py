"""Public copies of approved photos, and the names photos are fetched by.

Every processed photo (``photos/…``) is private: it is served only through
the photo view (helpdesk/photo_views.py), which asks the same selector as the
case pages whether the person may see it (issue 18, finding 3). A photo an
officer approves for the public gets *copies* under ``public/`` with fresh
random names, one for the display image and one for the thumbnail, so neither
public name says anything of the other or of the private ones. Withdrawing the
approval deletes the copies after the commit, so a published address stops
working at once (the web server serves ``public/`` with a short cache time).
In an S3 bucket (core/media_storage.py) only these copies may be written
public-read; every other object stays private.
"""

from __future__ import annotations

import logging
import uuid

from django.core.files.storage import Storage, default_storage
from django.db import transaction
from django.urls import reverse

from core.media_outage import media_open, media_outage_refused
from core.media_storage import PUBLIC_PREFIX, media_signed_only
from helpdesk import errors
from helpdesk.models import Attachment
from helpdesk.photos import photos_delete

logger = logging.getLogger(__name__)

VARIANTS = ("display", "thumbnail")


def photo_url(*, attachment: Attachment, variant: str) -> str:
    """The address of a photo for people who may see it (checked on each fetch)."""
    return reverse("photos:file", args=[attachment.pk, variant])


def photo_public_url(*, attachment: Attachment, variant: str = "thumbnail") -> str | None:
    """The address anyone may fetch, or None while the photo is not public.

    In a bucket's ``signed`` mode a signed address dies within minutes, yet
    public pages are kept offline and Open311 clients store ``media_url``:
    they get the app's own lasting address, which signs afresh on each fetch
    (helpdesk/photo_views.py, public_photo_file).
    """
    name = attachment.public_thumbnail if variant == "thumbnail" else attachment.public_display
    if not name:
        return None
    if media_signed_only(name):
        return reverse("photos:public", args=[attachment.pk, variant])
    return str(default_storage.url(name))


@media_outage_refused()
def photo_publish(*, attachment: Attachment, storage: Storage | None = None) -> list[str]:
    """Write the public copies and set their names on ``attachment`` (unsaved).

    Returns the names written, for the caller to delete if its transaction
    fails. A photo that already has its copies keeps them.
    """
    if storage is None:
        storage = default_storage
    if attachment.public_display and attachment.public_thumbnail:
        return []
    if attachment.state != Attachment.State.READY:
        # Until the worker has made them, the only file is the original, with
        # its GPS and device: nothing may be copied to public/.
        raise errors.PhotoNotReady()
    written: list[str] = []
    try:
        for source, field in (
            (attachment.display, "public_display"),
            (attachment.thumbnail, "public_thumbnail"),
        ):
            try:
                data = media_open(storage, source)
            except FileNotFoundError:
                # A row whose file went (a restore without media, a manual
                # clean-up): the officer is told, nothing is half-published.
                raise errors.PhotoFileMissing() from None
            with data:
                name = storage.save(f"{PUBLIC_PREFIX}{uuid.uuid4().hex}.jpg", data)
            written.append(name)
            setattr(attachment, field, name)
    except BaseException:
        photos_delete(names=written, storage=storage)
        raise
    return written


def photo_unpublish(*, attachment: Attachment, storage: Storage | None = None) -> None:
    """Clear the public names on ``attachment`` (unsaved); the files go after commit.

    After the commit, not before: if the caller's transaction rolls back, the
    photo is still public and its copies must still be there.
    """
    if storage is None:
        storage = default_storage
    names = [name for name in (attachment.public_display, attachment.public_thumbnail) if name]
    attachment.public_display = ""
    attachment.public_thumbnail = ""
    if names:
        transaction.on_commit(lambda: photos_delete(names=names, storage=storage), robust=True)
