"""Delete stored photo files that no attachment refers to, once they are old enough.

Photos are written before the transaction that records them commits
(helpdesk/attachments.py, helpdesk/photo_publishing.py), and deleted again when
it fails. A process killed in between (SIGKILL, out of memory, a lost machine)
runs no clean-up: its files stay with no row naming them, private photos that
nobody can reach and nothing would ever delete. The sweep lists the photo
folders, compares them with every name an Attachment holds (display,
thumbnail, original and both public copies) and deletes the unreferenced files
older than a grace period. Younger ones are kept: they may belong to a filing
whose transaction has not committed yet.

Only the storage API is used (listdir, get_modified_time, delete), so it works
the same on the filesystem and on an S3 bucket.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.files.storage import Storage, default_storage
from django.utils import timezone

from core.media_storage import PUBLIC_PREFIX
from helpdesk.selectors import attachment_file_names
from helpdesk.voice import VOICE_PREFIX

logger = logging.getLogger(__name__)

# Where helpdesk/photos.py, helpdesk/photo_publishing.py and helpdesk/voice.py
# write (voice notes are written before their transaction too); nothing else
# in storage is looked at.
PHOTO_PREFIXES = ("photos/", "originals/", PUBLIC_PREFIX, VOICE_PREFIX)


@dataclass
class SweepResult:
    scanned: int = 0
    referenced: int = 0
    deleted: int = 0
    kept_young: int = 0
    # True when the sweep refused to delete because no attachment exists.
    no_attachments: bool = False


def storage_files(*, storage: Storage, prefix: str) -> Iterator[str]:
    """Yield the name of every file under ``prefix`` (ending in "/"), depth first."""
    try:
        directories, files = storage.listdir(prefix)
    except FileNotFoundError:
        return
    for name in sorted(files):
        yield f"{prefix}{name}"
    for directory in sorted(directories):
        yield from storage_files(storage=storage, prefix=f"{prefix}{directory}/")


def orphan_files_sweep(
    *,
    grace: timedelta,
    commit: bool,
    storage: Storage | None = None,
    now: datetime | None = None,
) -> SweepResult:
    """Delete (or, without ``commit``, count) unreferenced photo files older than ``grace``."""
    storage = storage or default_storage
    cutoff = (now or timezone.now()) - grace
    # Listed before the references are read: a file whose row commits in
    # between is young (its filing just ran), so the grace period keeps it.
    names = [
        name for prefix in PHOTO_PREFIXES for name in storage_files(storage=storage, prefix=prefix)
    ]
    referenced = attachment_file_names()
    result = SweepResult(scanned=len(names))
    # With no attachment at all, every file would look orphaned: a database
    # not restored yet, or the wrong DATABASE_URL. Deleting then would wipe
    # every photo, so nothing is deleted.
    result.no_attachments = not referenced and bool(names)
    for name in names:
        if name in referenced:
            result.referenced += 1
            continue
        try:
            modified = storage.get_modified_time(name)
        except FileNotFoundError:
            continue  # deleted meanwhile (a withdrawn approval's copies)
        if modified > cutoff:
            result.kept_young += 1
            continue
        if commit and not result.no_attachments:
            try:
                storage.delete(name)
            except FileNotFoundError:
                continue
            logger.info("Deleted orphaned photo file %s (written %s)", name, modified.isoformat())
        result.deleted += 1
    return result
