"""``{{ phone|phone_national }}``: a stored E.164 number as people write it
("0911 222 333"), as the queue's search already says it; the case page wrote
"+84911222333" beside it (a walk)."""

from __future__ import annotations

import phonenumbers
from django import template

from accounts.phones import phone_display

register = template.Library()


@register.filter
def phone_national(value: str | None) -> str:
    """The national form; a value that is no phone number, as it is."""
    if not value:
        return ""
    try:
        return phone_display(value)
    except phonenumbers.NumberParseException:
        return value
