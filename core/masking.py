"""Hide what identifies a person in text shown to the public.

Residents write their phone number, their citizen ID (CCCD, 12 digits), their
house number or their name into a report ("gọi chị Lan 0981 234 567, nhà số
12"). In a village that is enough to find them, so every text the public,
"me too" followers or other residents read passes through ``mask_text``; the
reporter and officers in scope read the original.

People write numbers every way a keyboard allows: "(0912) 345 678",
"0981_234_567", "0987/654/321", double spaces, dashes of every length,
non-breaking spaces. Masking errs on the side of the person: a long number
that was not a phone is hidden too (the officers still read it), while dates,
hamlet and road numbers and short counts stay, as they name no household.
"""

from __future__ import annotations

import re
import string
import unicodedata
from collections.abc import Iterable

MASK = "•"

# Separators people put inside a number: spaces (any, NBSP included), dots,
# underscores, slashes, hyphens and dashes, brackets, at most three in a row;
# or one comma, semicolon, star, plus, bar, tilde or apostrophe right between
# two digits ("0981,234,567", found by a probe of make run). Not one followed
# by a space: "thôn 1, 2, 3, 4, 5, 6, 7" lists hamlets, not a phone. Not a
# colon: "7:30-11:30", office hours in a reply, would read as one number.
_SEP = r"(?:[\s._/\-\u2010-\u2015\u2212()\[\]]{0,3}|[,;*+|~'\u2019])"
# Seven or more digits, optionally led by "+" or "(": phone numbers (10 digits,
# +84…), CCCD (12) and old ID cards (9), bank accounts.
_LONG_NUMBER = re.compile(rf"[+(]?\d(?:{_SEP}\d){{6,}}")
# Dates keep their digits: "12/03/2025", "1-12-2025", "12.3.25", with the time
# after them too ("12/03/2025 10:30", "12/3/25 7h15").
_DATE = re.compile(
    r"\b(?:0?[1-9]|[12]\d|3[01])([/.\-])(?:0?[1-9]|1[0-2])\1(?:\d{4}|\d{2})"
    r"(?:\s{1,3}(?:[01]?\d|2[0-3])[:h][0-5]\d(?::[0-5]\d)?)?\b"
)
_EMAIL = re.compile(
    r"[\w.+\-]+\s*(?:@|\(at\)|\[at\]|\{at\})\s*[\w\-]+"
    r"(?:\s*(?:\.|\(dot\)|\[dot\])\s*[\w\-]+)+",
    re.IGNORECASE,
)
# A number after a word that introduces a dwelling: "số nhà 12/3", "nhà số: 12",
# "số nhà #12", "sn 5", "ngõ 34", "ngách 2", "hẻm 45", "kiệt 7", "căn hộ 1203",
# "phòng 305", "lô 8", "house 9", "no. 4". Hamlet ("thôn 3", "xóm 2") and road
# numbers stay: they name a place many families share.
_HOUSE_NUMBER = re.compile(
    r"(?P<word>\b(?:số\s+nhà|nhà\s+số|nhà|số|sn|ngõ|ngách|hẻm|kiệt|căn\s+hộ|căn|phòng|"
    r"lô|ki[ -]?ốt|house|apartment|room|no\.?)[\s:#.,]*)"
    r"(?P<number>\d+[a-z]?(?:[/\-]\d+[a-z]?)*)",
    re.IGNORECASE,
)
# A number first, then a street's name: "12 Lê Lợi", "số 7 Hoàng Văn Thụ". Not
# after a word for a shared place ("Thôn 3 Bản Mới", "đường 3 Tháng 2").
_SHARED_PLACE = re.compile(
    r"(?:thôn|xóm|tổ|bản|khu|khối|ấp|đội|đường|quốc\s+lộ|tỉnh\s+lộ|km|ql|tl)\s*$",
    re.IGNORECASE,
)
_NUMBER_BEFORE_NAME = re.compile(r"(?<![\w/.])(?P<number>\d{1,4}[a-z]?)(?=\s+[^\W\d_])")
# Words of address before a person's name: "chị Lan", "anh Trần Minh Đức".
_HONORIFIC = re.compile(
    r"\b(?P<word>(?:anh|chị|em|cô|chú|bác|ông|bà|cụ|cháu|mẹ|bố|dì|cậu|mợ|thím|bạn)\s+)"
    r"(?P<name>[^\W\d_]+(?:\s+[^\W\d_]+){0,3})",
    re.IGNORECASE,
)


def _digits_masked(text: str) -> str:
    return re.sub(r"\d", MASK, text)


def _long_numbers_masked(text: str) -> str:
    dates = [(m.start(), m.end()) for m in _DATE.finditer(text)]

    def replace(match: re.Match[str]) -> str:
        if any(start <= match.start() and match.end() <= end for start, end in dates):
            return match.group(0)
        return _digits_masked(match.group(0))

    return _LONG_NUMBER.sub(replace, text)


def _numbers_before_names_masked(text: str) -> str:
    def replace(match: re.Match[str]) -> str:
        after = text[match.end() :].lstrip()
        before = text[: match.start()]
        if not after[:1].isupper() or _SHARED_PLACE.search(before):
            return match.group(0)
        return _digits_masked(match.group(0))

    return _NUMBER_BEFORE_NAME.sub(replace, text)


def _names_masked(text: str) -> str:
    def replace(match: re.Match[str]) -> str:
        # Only the capitalised words right after the title form the name:
        # "chị Lan gọi" hides "Lan", not "gọi".
        words = match.group("name").split()
        taken = 0
        for word in words:
            if not word[:1].isupper():
                break
            taken += 1
        if taken == 0:
            return match.group(0)
        rest = match.group("name")
        for word in words[:taken]:
            rest = rest.replace(word, MASK * 3, 1)
        return match.group("word") + rest

    return _HONORIFIC.sub(replace, text)


def _fold_table() -> dict[int, str]:
    """Each accented Latin letter (Vietnamese's among them) and each capital as
    its plain lower-case letter, one character for one: str.translate then
    folds a text in C, its indexes unchanged."""
    table = {ord(c): c.lower() for c in string.ascii_uppercase}
    for code in (*range(0x00C0, 0x0250), *range(0x1E00, 0x1F00)):
        base = unicodedata.normalize("NFD", chr(code))[0].lower()
        if len(base) == 1 and base != chr(code):
            table[code] = base
    table[ord("đ")] = table[ord("Đ")] = "d"
    return table


_FOLD = _fold_table()


def _folded(text: str) -> tuple[str, list[int] | None]:
    """``text`` in lower case without its accents (đ as d), and for each of its
    characters the index in ``text`` it comes from (None: the same index).

    A text in NFC (what keyboards and browsers send) folds one character for
    one through a table; one with accents typed as separate marks is walked
    character by character, its marks dropped."""
    if unicodedata.is_normalized("NFC", text):
        return text.translate(_FOLD), None
    chars: list[str] = []
    origins: list[int] = []
    for index, char in enumerate(text):
        for part in unicodedata.normalize("NFD", char):
            if unicodedata.combining(part):
                continue
            for lowered in "d" if part in "đĐ" else part.lower():
                chars.append(lowered)
                origins.append(index)
    return "".join(chars), origins


def _known_names_masked(text: str, names: Iterable[str]) -> str:
    """Hide each of ``names`` however it is written: with or without its accents
    ("Nguyen Thi Lan" is "Nguyễn Thị Lan": many type without them, found by a
    probe of make run), in any case, with any spaces between its words; as
    whole words only ("Lan" is not hidden inside "Lang")."""
    wanted = {" ".join(_folded(n)[0].lower().split()) for n in names if n and n.strip()}
    folded, origins = _folded(text)
    for name in sorted(wanted, key=len, reverse=True):
        pattern = r"(?<!\w)" + r"\s+".join(map(re.escape, name.split())) + r"(?!\w)"
        matches = list(re.finditer(pattern, folded, re.IGNORECASE))
        if not matches:
            continue
        for match in reversed(matches):
            if origins is None:
                start, end = match.start(), match.end()
            else:
                start, end = origins[match.start()], origins[match.end() - 1] + 1
            # Accents typed as separate marks belong to the name's last letter.
            while end < len(text) and unicodedata.combining(text[end]):
                end += 1
            text = text[:start] + MASK * 3 + text[end:]
        folded, origins = _folded(text)
    return text


def mask_text(text: str, *, names: Iterable[str] = ()) -> str:
    """Return ``text`` with phone/ID numbers, e-mail addresses, house numbers and
    names hidden: the ``names`` given (the reporter's, say) and any name after
    a word of address ("chị Lan")."""
    if not text:
        return text
    text = _known_names_masked(text, names)
    text = _EMAIL.sub(lambda m: MASK * 3 + "@" + MASK * 3, text)
    text = _long_numbers_masked(text)
    text = _HOUSE_NUMBER.sub(lambda m: m.group("word") + _digits_masked(m.group("number")), text)
    text = _numbers_before_names_masked(text)
    return _names_masked(text)
