"""Which errors of the media bucket mean "the bucket is away", answered with a 503.

A bucket host that is down, silent or refusing breaks a filing, a reply with
a voice note or the photo worker's job through botocore's exceptions, raised
from wherever Django's storage API was called (``save``, ``open`` and reading
the file, ``delete``, ``exists``). Those calls all happen before the service's
transaction (helpdesk/filing.py) or outside it (helpdesk/photo_jobs.py), so
nothing was saved and sending again is safe: config/api.py and
config/db_outage.py answer ``MediaUnavailable`` (core/errors.py) with
Retry-After, the photo worker tries the job again later.

Only the errors of an outage count. A request the bucket refuses as malformed
(a 400 such as an ACL the bucket does not accept, a bad parameter) is a
mistake of ours or of the settings and stays a 500 that reaches the error log.
Presigning an address (core/media_storage.py) never calls the bucket.

A missing file is ambiguous: django-storages asks for a file with a HEAD,
whose 404 carries no body, so a bucket that is gone (deleted, or the
settings naming one that is not there) reads as "no such file" too.
``media_open`` settles it by asking the bucket itself (``media_bucket_away``)
when a file is reported missing: every reader of a stored file opens it there
(the photo worker, where an outage waits and a lost file counts towards giving
its photo up; publishing a photo; serving a private photo or voice note), so a
deleted bucket is a 503 to wait out everywhere, never "this file is gone".
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    ConnectionClosedError,
    ConnectTimeoutError,
    EndpointConnectionError,
    ReadTimeoutError,
    ResponseStreamingError,
)
from django.core.files import File
from django.core.files.storage import Storage

from core.errors import MediaUnavailable
from core.media_storage import MediaS3Storage

# The host cannot be reached, takes the connection and never answers, or
# drops it mid-answer (ResponseStreamingError: while reading an object's body,
# which the photo worker does).
CONNECTION_ERRORS = (
    EndpointConnectionError,
    ConnectTimeoutError,
    ReadTimeoutError,
    ConnectionClosedError,
    ResponseStreamingError,
)
# The bucket itself is gone. A HEAD (``exists``, ``open``) cannot say so: its
# 404 has no body, and django-storages turns it into "no such file"
# (media_bucket_away asks the bucket then).
_MISSING_BUCKET = "NoSuchBucket"


def media_outage(exc: BaseException) -> bool:
    """Whether ``exc``, raised by a call to the media storage, means the bucket is away."""
    if isinstance(exc, CONNECTION_ERRORS):
        return True
    if not isinstance(exc, ClientError):
        return False
    status = int(exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode") or 0)
    code = str(exc.response.get("Error", {}).get("Code", ""))
    # 5xx: the bucket's own trouble (InternalError, SlowDown, ServiceUnavailable).
    # 403: it refuses our credentials (rotated keys, a policy changed, a clock
    # skewed); an operator must act, and nothing a resident sent is at fault.
    return status >= 500 or status == 403 or code == _MISSING_BUCKET


@contextmanager
def media_outage_refused() -> Iterator[None]:
    """Raise an outage of the bucket met inside as ``MediaUnavailable``, a domain error.

    Used (also as a decorator) where the case core stores what a person sent,
    so that every front end answers it as it answers its other refusals: the
    resident's form is shown again with what was typed and the sentence, rather
    than a bare 503 page that loses it. Any other error passes unchanged.
    """
    try:
        yield
    except (BotoCoreError, ClientError) as exc:
        if not media_outage(exc):
            raise
        raise MediaUnavailable() from exc


def media_open(storage: Storage, name: str) -> File[bytes]:
    """``storage.open(name, "rb")``, telling a bucket that is gone from a file
    that is: the first raises ``MediaUnavailable`` (wait and send again), the
    second ``FileNotFoundError`` as before. Every reader of a stored file that
    says "missing" to a person or counts it as a failure opens it here."""
    try:
        return storage.open(name, "rb")
    except FileNotFoundError:
        if media_bucket_away(storage):
            raise MediaUnavailable() from None
        raise


def media_bucket_away(storage: Storage) -> bool:
    """Whether the bucket behind ``storage`` is gone or away, asked of the bucket
    itself (a HEAD of the bucket), after a file was reported missing.

    A folder has no bucket: its missing file is missing (False). So is one
    whose bucket answers, or refuses the HEAD for a reason of ours (a 400):
    that stays the caller's failure, as ``media_outage`` would have it.
    The HEAD needs the s3:ListBucket permission that /healthz needs too
    (config/health.py); without it S3 answers a missing object with a 403,
    an outage already.
    """
    if not isinstance(storage, MediaS3Storage):
        return False
    try:
        storage.bucket_head()
    except ClientError as exc:
        status = int(exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode") or 0)
        # A HEAD of the bucket has no body either, but its 404 can only mean the bucket.
        return status == 404 or media_outage(exc)
    except BotoCoreError as exc:
        return media_outage(exc)
    return False
