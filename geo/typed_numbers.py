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


def coordinate_text(value: str) -> str:
    """``value`` with the digits, signs and decimal mark a parser reads."""
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
