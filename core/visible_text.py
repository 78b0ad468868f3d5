"""Text a person can see: no direction controls, and blank when nothing visible is left.

A probe found a filed-for resident's name holding a right-to-left override
(U+202E) flip everything after it on the officer's page, and texts made of
nothing but direction marks or zero-width spaces pass every "not empty"
check (an alert's SMS text, a case's description). Vietnamese text needs
none of these characters.
"""

from __future__ import annotations

import unicodedata

# Marks, embeddings, overrides and isolates of the bidirectional algorithm,
# the zero-width space and the byte-order mark. Not the zero-width joiner:
# emoji sequences (a family, a flag) are built with it.
_CONTROLS = dict.fromkeys(
    [0x200B, 0x200E, 0x200F, *range(0x202A, 0x202F), *range(0x2066, 0x206A), 0xFEFF]
)


# The same, as one string, for a page's script that must remove them as the
# server does (core/sms.py sms_rule: the alert's SMS counter).
CONTROL_CHARACTERS = "".join(map(chr, _CONTROLS))


def text_without_controls(text: str) -> str:
    """``text`` without direction controls and zero-width spaces."""
    return text.translate(_CONTROLS)


def is_blank(text: str) -> bool:
    """True when ``text`` shows nothing: only spaces and invisible format characters."""
    return all(char.isspace() or unicodedata.category(char) == "Cf" for char in text)
