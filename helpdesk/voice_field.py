"""The form field of a voice note: one file, refused by size before it is read.

The console's reply form and the resident's reply form take a voice note;
the API does the same check in helpdesk/voice_views.py (voice_upload). What
the recording decodes to is checked by the case core (helpdesk/voice.py).
"""

from __future__ import annotations

from typing import Any

from django import forms

from helpdesk.voice import max_bytes
from helpdesk.voice_errors import AudioTooLarge


class VoiceNoteField(forms.FileField):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        # capture: a phone without MediaRecorder opens its own sound recorder.
        kwargs.setdefault(
            "widget", forms.ClearableFileInput({"accept": "audio/*", "capture": "user"})
        )
        super().__init__(**kwargs)

    def validate(self, value: Any) -> None:
        super().validate(value)
        if value and value.size is not None and value.size > max_bytes():
            raise forms.ValidationError(
                str(AudioTooLarge(max_bytes=max_bytes(), size=value.size).message),
                code="audio_too_large",
            )
