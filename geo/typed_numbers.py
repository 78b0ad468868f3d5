"""A coordinate as a person types it, read the same way by every form and the API.

A probe typed a latitude in full-width digits (a phone's Japanese or Chinese
keyboard, or a number copied from such a text): the report form took it,
because Python's ``float`` reads any Unicode digit, and the API refused it with
a 422, because pydantic reads ASCII only. One rule now, applied before either
reads the number: every decimal digit becomes its ASCII digit, full-width signs
and points become ASCII (NFKC), the minus sign U+2212 becomes "-", and a lone
decimal comma becomes a point: a Vietnamese keypad opened by
``inputmode="decimal"`` offers a comma, and "21,594" is how the country writes it.
"""

from __future__ import annotations

import unicodedata
from typing import Any

from django import forms

# No coordinate a person types is longer: a longer text is left to the parser
# to refuse. NFKC may make 18 characters of one (U+FDFA), and a form field of
# 2.5 MB of those took 3.2 s of CPU here (a second read).
MAX_TYPED = 40


def coordinate_text(value: str) -> str:
    """``value`` with the digits, signs and decimal mark a parser reads."""
    if len(value) > MAX_TYPED:
        return value
    text = unicodedata.normalize("NFKC", value).replace("\u2212", "-")
    text = "".join(str(unicodedata.decimal(ch)) if ch.isdecimal() else ch for ch in text)
    if text.count(",") == 1 and "." not in text:
        text = text.replace(",", ".")
    return text


def coordinate_typed(value: Any) -> Any:
    """For a validator that runs before a number is read: text is normalised, the rest kept."""
    return coordinate_text(value) if isinstance(value, str) else value


class CoordinateField(forms.FloatField):
    """A latitude or longitude typed into a form: read as the API reads it."""

    def to_python(self, value: Any) -> Any:
        return super().to_python(coordinate_typed(value))
