"""Domain errors of voice notes: a stable ``code`` for clients, a message for the person.

All are 4xx answers: the recording is the sender's to fix (record again, or
send a shorter one), never a server fault.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from core.errors import InvalidInput
from helpdesk.photo_errors import lazy_format


class AudioRejected(InvalidInput):
    """An uploaded recording cannot be used."""

    code = "audio_invalid"
    field = "voice"
    default_message = _(
        "This recording cannot be played: it is not a sound file, or it is damaged. "
        "Please record it again."
    )


class AudioTooLarge(AudioRejected):
    code = "audio_too_large"
    http_status = 413

    def __init__(self, *, max_bytes: int, size: int | None = None) -> None:
        message = lazy_format(
            _("This recording is too big. Please send one smaller than %(megabytes)d MB."),
            {"megabytes": max(1, max_bytes // (1024 * 1024))},
        )
        super().__init__(message, details={"max_bytes": max_bytes, "size": size})


class AudioTooLong(AudioRejected):
    code = "audio_too_long"

    def __init__(self, *, max_seconds: int, seconds: float | None = None) -> None:
        message = lazy_format(
            _("This recording is too long. Please keep it under %(minutes)d minutes."),
            {"minutes": max(1, max_seconds // 60)},
        )
        details = {"max_seconds": max_seconds, "seconds": round(seconds or 0, 1)}
        super().__init__(message, details=details)


class AudioTooShort(AudioRejected):
    code = "audio_too_short"
    default_message = _("This recording is too short to hear anything. Please record it again.")


class TooManyVoiceNotes(AudioRejected):
    code = "too_many_voice_notes"
    default_message = _("You can send only one voice note at a time.")


class VoiceNeverPublic(InvalidInput):
    code = "voice_never_public"
    default_message = _("Voice notes are never shown to the public.")
