"""Media in an S3-API bucket (XADESK_MEDIA_STORAGE=s3), and how a stored file is handed out.

Every object is written private: a report's photos, their originals (GPS,
device) and voice notes are read only through presigned URLs that the views of
helpdesk/photo_views.py and helpdesk/voice_views.py give to people who passed
their access check, and that stop working after XADESK_S3_SIGNED_SECONDS.
Approved public copies (``public/``) are either signed the same way
(``signed``) or written with ACL public-read and given by their plain address
(``public-read``), so a CDN may cache them.

AWS buckets made since April 2023 enforce "bucket owner" object ownership and
refuse every upload that carries an ACL. With ``object_acl="none"``
(XADESK_S3_OBJECT_ACL) no ACL is sent: objects are as private as the bucket,
and in ``public-read`` mode a bucket policy grants reading ``public/*`` (README).

The client waits and retries within the bounds of XADESK_S3_CONNECT_TIMEOUT,
XADESK_S3_READ_TIMEOUT and XADESK_S3_MAX_ATTEMPTS (config/media_settings.py
says why those values); what happens when they run out is in
core/media_outage.py.

The rest of the code only uses Django's storage API, so it runs the same on a
local folder: ``media_signed_url`` is the one question it asks of the storage.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from botocore.config import Config
from django.core.files.storage import Storage, default_storage
from storages.backends.s3 import S3Storage

# Where approved copies go (helpdesk/photo_publishing.py); the only objects
# that may be public-read.
PUBLIC_PREFIX = "public/"


class MediaS3Storage(S3Storage):  # type: ignore[misc]
    """django-storages' S3 backend, private by default, public-read only under ``public/``."""

    def get_default_settings(self) -> dict[str, Any]:
        values: dict[str, Any] = super().get_default_settings()
        # An explicit private ACL rather than the bucket's default: a bucket
        # made public by mistake must not publish originals.
        values["default_acl"] = "private"
        values["public_mode"] = "signed"
        values["public_base_url"] = ""
        values["object_acl"] = "per-object"
        # None: botocore's own (60 s, 60 s, legacy retries), as before.
        values["connect_timeout"] = None
        values["read_timeout"] = None
        values["max_attempts"] = None
        return values

    def __init__(self, **settings: Any) -> None:
        super().__init__(**settings)
        if self.object_acl == "none":
            self.default_acl = None
        # django-storages builds its Config from addressing_style,
        # signature_version and proxies; the waits are added on top of it,
        # so those settings keep working.
        waits: dict[str, Any] = {}
        if self.connect_timeout is not None:
            waits["connect_timeout"] = self.connect_timeout
        if self.read_timeout is not None:
            waits["read_timeout"] = self.read_timeout
        if self.max_attempts is not None:
            waits["retries"] = {"mode": "standard", "total_max_attempts": self.max_attempts}
        if waits:
            built: Config = getattr(self, "client_config")  # noqa: B009 - set by S3Storage
            self.client_config = built.merge(Config(**waits))

    def bucket_head(self) -> None:
        """Ask the bucket itself whether it is there (a HEAD of the bucket, which
        needs s3:ListBucket); raises botocore's error when it is not."""
        self.connection.meta.client.head_bucket(Bucket=self.bucket_name)

    def public_read(self, name: str) -> bool:
        return bool(self.public_mode == "public-read" and name.startswith(PUBLIC_PREFIX))

    def get_object_parameters(self, name: str) -> dict[str, Any]:
        parameters: dict[str, Any] = super().get_object_parameters(name)
        if self.object_acl == "none":
            parameters.pop("ACL", None)
        else:
            parameters["ACL"] = "public-read" if self.public_read(name) else "private"
        if name.startswith(PUBLIC_PREFIX):
            # Withdrawing a public photo deletes it, and its address must stop
            # working at once (helpdesk/photo_publishing.py): no cache or CDN
            # may serve it without asking the bucket first, as nginx's
            # `no-cache` made sure for the filesystem.
            parameters["CacheControl"] = "public, no-cache"
        return parameters

    def url(
        self,
        name: str,
        parameters: dict[str, Any] | None = None,
        expire: int | None = None,
        http_method: str | None = None,
    ) -> str:
        """A presigned address, or the plain one of a public-read copy."""
        if not self.public_read(name):
            return str(super().url(name, parameters, expire, http_method))
        if self.public_base_url:
            return f"{self.public_base_url.rstrip('/')}/{quote(name)}"
        # The unsigned client builds the bucket's own address, with no query.
        client = self.unsigned_connection.meta.client
        return str(
            client.generate_presigned_url(
                "get_object", Params={"Bucket": self.bucket_name, "Key": self._normalize_name(name)}
            )
        )


def media_signed_only(name: str, storage: Storage | None = None) -> bool:
    """Whether ``name`` is reached only by a signed address: a bucket's object
    that is not a public-read copy. On a folder the app or nginx sends files."""
    storage = storage or default_storage
    return isinstance(storage, MediaS3Storage) and not storage.public_read(name)


def media_signed_url(
    *, name: str, content_type: str | None = None, storage: Storage | None = None
) -> str | None:
    """A short-lived address that serves ``name`` itself, or None on a local folder.

    On a folder the views send the file (or let nginx send it); a bucket
    serves it to whoever holds the signed address.
    """
    storage = storage or default_storage
    if media_signed_only(name, storage):
        assert isinstance(storage, MediaS3Storage)  # for the type checker
        # The bucket then answers with the type the app would have sent.
        parameters = {"ResponseContentType": content_type} if content_type else None
        return str(storage.url(name, parameters=parameters))
    return None
