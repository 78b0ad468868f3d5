"""Line breaks count as one character, as the browser counts them.

A browser sends each line break of a ``<textarea>`` as CR LF (HTML's form
submission), while its ``maxlength`` and what the person sees count it once:
a 4,000-character note of many lines was refused as "4,098 characters" (a
helper's walk of the console). The forms' text boxes read the text with LF
line breaks, before any length is checked or anything is stored; the API's
multipart description (the pages' scripts send FormData, CR LF too) is read
the same way, and the case core counts a CR LF once.
"""

from __future__ import annotations

from typing import Any

from django import forms

# The attributes of a message box the browser must not fill again: after a
# send, Back showed the case page anew (a new idempotency key,
# helpdesk/idempotency_field.py) with the sent text put back in the box, and
# Send posted it again; the resident got the same SMS twice (a helper's walk
# of the console). With autocomplete off Chromium and Firefox leave it empty.
SENT_TEXT = {"autocomplete": "off"}


def lf_text(text: str) -> str:
    """``text`` with LF line breaks."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def counted_length(text: str) -> int:
    """The length of ``text`` as a message's limit counts it: each line break
    once (as the person's screen showed it), the ends trimmed. The case core
    refuses by it (helpdesk/lifecycle.py), and a form that says how much to
    cut before sending counts the same way."""
    return len(lf_text(text).strip())


def lf_lines(value: Any) -> Any:
    """``value`` with LF line breaks when it is text; anything else as it is
    (a validator's or a widget's input)."""
    return lf_text(value) if isinstance(value, str) else value


class Textarea(forms.Textarea):
    def value_from_datadict(self, data: Any, files: Any, name: str) -> Any:
        return lf_lines(super().value_from_datadict(data, files, name))
