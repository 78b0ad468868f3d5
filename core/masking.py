"""Hide what identifies a person in text shown to the public.

Residents write their phone number, their citizen ID (CCCD, 12 digits) or their
house number into a report ("gọi 0981 234 567, nhà số 12"). In a village that
is enough to find them, so every text the public, "me too" followers or other
residents read passes through ``mask_text``; the reporter and officers in scope
read the original.
"""

from __future__ import annotations

import re

MASK = "•"

# Seven or more digits, optionally led by "+" and split by single spaces, dots
# or dashes: phone numbers (10 digits, +84…), CCCD (12) and old ID cards (9),
# bank accounts. Shorter runs (a hamlet number, a date "12/3", "5 người") stay.
_LONG_NUMBER = re.compile(r"\+?\d(?:[ .\-]?\d){6,}")
_EMAIL = re.compile(r"[\w.+\-]+@[\w\-]+(?:\.[\w\-]+)+")
# A number after a word that introduces a house, alley or lane number:
# "số nhà 12/3", "nhà 12", "sn 5", "ngõ 34", "ngách 2", "hẻm 45", "kiệt 7",
# "house 9", "no. 4". Hamlet ("thôn 3", "xóm 2") and road numbers stay: they
# name a place many families share.
_HOUSE_NUMBER = re.compile(
    r"(?P<word>\b(?:số\s+nhà|nhà\s+số|nhà|số|sn|ngõ|ngách|hẻm|kiệt|house|no\.?)\s*)"
    r"(?P<number>\d+[a-z]?(?:[/\-]\d+[a-z]?)*)",
    re.IGNORECASE,
)


def _digits_masked(text: str) -> str:
    return re.sub(r"\d", MASK, text)


def mask_text(text: str) -> str:
    """Return ``text`` with phone/ID numbers, e-mail addresses and house numbers hidden."""
    if not text:
        return text
    text = _EMAIL.sub(lambda m: MASK * 3 + "@" + MASK * 3, text)
    text = _LONG_NUMBER.sub(lambda m: _digits_masked(m.group(0)), text)
    return _HOUSE_NUMBER.sub(lambda m: m.group("word") + _digits_masked(m.group("number")), text)
