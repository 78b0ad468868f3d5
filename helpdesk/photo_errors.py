"""Domain errors of field reports.

Each error has a stable ``code`` that clients branch on, and a ``message`` in
plain English (a msgid) written for the person who sent the report; it is
translated when shown. Messages that name a limit are formatted lazily, so the
translation is still chosen when the error is rendered, not when it is raised.
"""

from __future__ import annotations

from typing import Any

from django.utils.functional import Promise, lazy
from django.utils.translation import gettext_lazy as _

from core.errors import InvalidInput


def lazy_format(message: Promise, params: dict[str, Any]) -> str:
    """Return ``message % params``, translated only when rendered."""

    def render() -> str:
        return str(message) % params

    return lazy(render, str)()


# --- Photos ---------------------------------------------------------------


class PhotoRejected(InvalidInput):
    """An uploaded photo cannot be used."""

    code = "photo_rejected"
    field = "photos"
    default_message = _("This photo cannot be used. Please take the photo again and send it.")


class PhotoTooLarge(PhotoRejected):
    """The file is bigger than the upload limit."""

    code = "photo_too_large"

    def __init__(self, *, max_bytes: int, size: int | None = None) -> None:
        message = lazy_format(
            _("This photo is too big. Please send a photo smaller than %(megabytes)d MB."),
            {"megabytes": max_bytes // (1024 * 1024)},
        )
        super().__init__(message, details={"max_bytes": max_bytes, "size": size})


class PhotoTooManyPixels(PhotoRejected):
    """The picture has more pixels than the pipeline will decode.

    Either more than ``max_pixels``, or, when ``format`` is given, more than
    decoding a file of that format fits in the memory budget: a JPEG is decoded
    at reduced scale, so the same picture sent as a JPEG may well go through.
    """

    code = "photo_too_many_pixels"

    def __init__(
        self,
        *,
        max_pixels: int,
        width: int | None = None,
        height: int | None = None,
        format: str | None = None,
    ) -> None:
        message: str | Promise
        if format is None:
            message = lazy_format(
                _(
                    "This photo has too many pixels (more than %(megapixels)d million). "
                    "Please set the camera to a lower resolution and take the photo again."
                ),
                {"megapixels": max_pixels // 1_000_000},
            )
        elif format == "JPEG":
            message = _(
                "This photo has too many pixels to be processed. "
                "Please set the camera to a lower resolution and take the photo again."
            )
        else:
            message = lazy_format(
                _(
                    "This %(format)s photo has too many pixels to be processed. Please send "
                    "it as a JPEG, or set the camera to a lower resolution and take it again."
                ),
                {"format": format},
            )
        details = {"max_pixels": max_pixels, "width": width, "height": height, "format": format}
        super().__init__(message, details=details)


class PhotoNotAnImage(PhotoRejected):
    """The file is not a picture, or it is damaged or cut short."""

    code = "photo_not_an_image"
    default_message = _(
        "This file is not a photo, or it is damaged. Please take the photo again and send it."
    )


class PhotoFormatNotAllowed(PhotoRejected):
    """The file is a picture, but of a kind the pipeline does not accept."""

    code = "photo_format_not_allowed"

    def __init__(self, *, found: str, allowed: tuple[str, ...]) -> None:
        message = lazy_format(
            _("This kind of picture cannot be used. Please send a photo in %(formats)s format."),
            {"formats": ", ".join(allowed)},
        )
        super().__init__(message, details={"format": found, "allowed": list(allowed)})
