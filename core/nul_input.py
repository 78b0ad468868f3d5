"""Views that take a NUL character in their input and deal with it themselves.

config/storable_input.py refuses a NUL in any path, query or form value with
a 422, because PostgreSQL cannot store one. One caller must not be refused:
the SMS gateway, which passes a GSM-7 "@" (byte 0x00) through as a NUL and
retries every answer but a 200 (sms_intake/views.py), so a refusal would lose
the resident's message. Such a view is marked here; its service maps the
character itself.
"""

from __future__ import annotations

from collections.abc import Callable

MARK = "takes_nul"


def takes_nul[View: Callable[..., object]](view: View) -> View:
    """Mark ``view`` as handling a NUL in its input (config/storable_input.py reads it)."""
    setattr(view, MARK, True)
    return view
