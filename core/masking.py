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

import functools
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
# Case numbers keep their digits too: an officer's reply "xem hồ sơ
# TN-2026-00123" names a case, not a person (helpdesk/numbering.py makes
# them: a province's initials, the year, the sequence). The initials are
# required, so a phone written "0981-234-567" is no case number; and they
# are not a word that asks to call ("SDT-2083-855123", a second read).
_CASE_NUMBER = re.compile(
    r"(?<![\w-])(?!(?:sdt|dt|lh|tel|zalo)-)[A-Z]{1,4}-20\d\d-\d{5,6}(?![\w-])", re.IGNORECASE
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


# Characters that show nothing, put between the digits or letters of a number
# or a name ("0981\u200b234\u200b567", found by a probe of make run) so that
# no pattern sees them whole. A public copy loses nothing by their removal; the
# joiners only between letters or digits, since emoji sequences need them.
_INVISIBLE = re.compile(
    r"[\u00ad\u180e\u200b\u200e\u200f\u2060-\u2064\ufeff]|(?<=\w)[\u200c\u200d](?=\w)"
)

# A number split more loosely than _SEP allows: "0981, 234, 567", "0981 | 234 |
# 567", "0981·234·567", four spaces or blank lines between the groups (all found
# by a probe of make run). Any run of up to six spaces and punctuation may
# join two groups here, but not a colon ("07:30") nor a slash ("01/07/2025,
# 150 hộ": a slash between digits is _SEP's), and only what reads as
# a phone or ID number is hidden (_loose_numbers_masked): led by 0 or +84,
# then groups of three digits or more, 9 to 12 digits in all; or a mobile
# number without its 0 ("gọi 981, 234, 567", a probe): the whole run exactly
# nine digits in groups of three or more, led by a mobile's first digit (3, 5,
# 7, 8, 9), right after a word that asks to call or write (_CONTACT). Without
# that word a run of three numbers is a list ("356, 412, 578 hộ", "bầu 512,
# 384, 276 phiếu": a second read), and kept. So "thôn 1, 2, 3" and "07.30 -
# 11.30, 13.30" stay too.
_LOOSE_SEP = r"[\s.,;\\|\-\u2010-\u2015\u2212_*+~'\u2019()\[\]\u00b7\u2022\u2219\u22c5]{1,6}"
_LOOSE_CHAIN = re.compile(rf"(?:\+\s*84(?:{_LOOSE_SEP})?)?\d+(?:{_LOOSE_SEP}\d+)+")
_GROUP = re.compile(r"\d+")
_CONTACT = re.compile(
    r"(?<![^\W\d_])(?:gọi|goi|sđt|sdt|đt|dt|zalo|viber|nhắn|nhan|liên\s+hệ|lien\s+he|lh|"
    r"hotline|điện\s+thoại|dien\s+thoai|phone|tel|call)(?![^\W\d_])[^\d]{0,12}$",
    re.IGNORECASE,
)
# Vietnamese digits as words, folded (no accents): "không chín tám một ...".
_DIGIT_WORD = r"(?:khong|mot|hai|ba|bon|tu|nam|lam|sau|bay|tam|chin|linh|le)"
# Nine or more in a row are a number read out (a phone has ten); fewer are
# counts and dates in words ("ba bốn người", "mùng một tháng hai").
_DIGIT_WORDS = re.compile(
    rf"(?<![^\W\d_]){_DIGIT_WORD}(?:[\s,.\-]+{_DIGIT_WORD}){{8,}}(?![^\W\d_])"
)


def _digits_masked(text: str) -> str:
    return re.sub(r"\d", MASK, text)


def _long_numbers_masked(text: str, cases: list[tuple[int, int]]) -> str:
    kept = [(m.start(), m.end()) for m in _DATE.finditer(text)] + cases

    def replace(match: re.Match[str]) -> str:
        if any(start <= match.start() and match.end() <= end for start, end in kept):
            return match.group(0)
        return _digits_masked(match.group(0))

    return _LONG_NUMBER.sub(replace, text)


def _loose_numbers_masked(text: str, cases: list[tuple[int, int]]) -> str:

    def replace(chain: re.Match[str]) -> str:
        value = chain.group(0)
        # A case number's digits are no part of a phone beside it: "TN-2026-
        # 00123 0981 234 567" took "00123" for a phone's lead, and the chain
        # ran out of room before "567" (a second read).
        groups = [
            group
            for group in _GROUP.finditer(value)
            if not any(
                start <= chain.start() + group.start() and chain.start() + group.end() <= end
                for start, end in cases
            )
        ]
        masked = list(value)
        if _mobile_without_zero(groups) and _CONTACT.search(
            text[max(0, chain.start() - 24) : chain.start()]
        ):
            return _digits_masked(value)
        i = 0
        while i < len(groups):
            lead = groups[i].group(0)
            international = i == 0 and value.lstrip().startswith("+")
            # Led by 0: a phone ("0981", "09") or an ID's province ("001"); not
            # the "00" of a time before a list ("17:00; 500, 700, 900"), nor the
            # "000" of an amount ("350.000, 500.000 đồng").
            with_zero = lead.startswith("0") and (
                (len(lead) >= 3 and lead.strip("0") != "") or lead[1:2] in ("3", "5", "7", "8", "9")
            )
            if not (international or with_zero):
                i += 1
                continue
            most = 14 if international else 12
            digits, j = len(lead), i
            while j + 1 < len(groups) and len(groups[j + 1].group(0)) >= 3:
                if digits + len(groups[j + 1].group(0)) > most:
                    break
                j += 1
                digits += len(groups[j].group(0))
            if j > i and digits >= 9:
                for group in groups[i : j + 1]:
                    masked[group.start() : group.end()] = MASK * (group.end() - group.start())
                i = j + 1
            else:
                i += 1
        return "".join(masked)

    return _LOOSE_CHAIN.sub(replace, text)


def _mobile_without_zero(groups: list[re.Match[str]]) -> bool:
    """The groups of a run are a mobile number written without its 0: nine
    digits in groups of three or more, the first a mobile's first digit."""
    parts = [group.group(0) for group in groups]
    return (
        len(parts) >= 2
        and all(len(part) >= 3 for part in parts)
        and sum(map(len, parts)) == 9
        and parts[0][0] in "35789"
    )


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


# Words of address, folded: a known person's given name after one is theirs,
# written in any case ("anh khoa", found by a probe of make run).
# Matched on the text in lower case with its accents, the given name too: on
# folded text "em ăn cơm" and "bàn ăn" hid "ăn" for a resident named An (a
# second read). Each word with and without its accents, as people type.
_ADDRESS_WORD = (
    r"(?:anh|chị|chi|em|cô|co|chú|chu|bác|bac|ông|ong|bà|ba|cụ|cu|cháu|chau|mẹ|me|"
    r"bố|bo|dì|di|cậu|cau|mợ|mo|thím|thim|bạn|ban)"
)
# Not inside a word, but a digit may touch the name ("Khoa0981").
_NOT_LETTER_BEFORE, _NOT_LETTER_AFTER = r"(?<![^\W\d_])", r"(?![^\W\d_])"


# What people put between the words of a name: spaces, dots ("Trịnh V. Khoa"),
# hyphens and underscores ("Trịnh-Văn-Khoa", a probe), or nothing.
_NAME_GAP = r"[\s.\-_\u2010-\u2015]*"


def _name_orders(words: list[str]) -> list[str]:
    """Patterns, on folded text, for a known name written every way people do.

    Vietnamese puts the family name first ("Trịnh Văn Khoa"); forms and
    foreign habits put the given name first ("Khoa Trịnh Văn", "Khoa Trịnh"),
    and people drop the middle name ("Trịnh Khoa"), shorten it ("Trịnh V.
    Khoa") or a space ("TrịnhVăn Khoa"). Each of those was found unmasked by a
    probe of make run. Never a single word of a longer name alone: a given name
    such as "An" is also a syllable of everyday words ("an toàn"); only after
    a word of address (_names_regexes).
    """

    def joined(parts: list[str]) -> str:
        # The first letter, then the look back at the one before it: a pattern
        # that starts with a letter lets re skip to the positions holding one
        # of the names' first letters (2.5 times faster than the look back first).
        first, rest = parts[0], parts[1:]
        if first.startswith("\\"):  # an escaped sign first: the plain way
            return _NOT_LETTER_BEFORE + _NAME_GAP.join(parts) + _NOT_LETTER_AFTER
        body = _NAME_GAP.join([first[1:], *rest])
        return first[0] + r"(?<![^\W\d_].)" + body + _NOT_LETTER_AFTER

    exact = [re.escape(word) for word in words]
    if len(words) < 2:
        return [joined(exact)]
    family, middle, given = exact[0], exact[1:-1], exact[-1]
    # A middle name may be its first letter, with or without a dot.
    loose_middle = [f"(?:{word}|{re.escape(words[i + 1][0])})" for i, word in enumerate(middle)]
    orders = [
        [family, *loose_middle, given],
        [given, family, *loose_middle],
        [given, family],
        [family, given],
    ]
    return [joined(order) for order in orders]


@functools.lru_cache(maxsize=1024)
def _names_regexes(
    wanted: tuple[str, ...], given_names: tuple[str, ...]
) -> tuple[re.Pattern[str], re.Pattern[str] | None]:
    """One pattern for every way of writing the names (folded), longest first,
    and one for their given names as written (lower case) after a word of
    address (its group "name"), applied after the first so that "anh Khoa
    Trịnh Văn" loses the whole name. Cached: the same reporter's name masks
    many texts (a list of their case's events)."""
    orders = sorted(
        {o for name in wanted for o in _name_orders(name.split())}, key=len, reverse=True
    )
    given = sorted({re.escape(n) for n in given_names}, key=len, reverse=True)
    address = (
        re.compile(
            _NOT_LETTER_BEFORE
            + _ADDRESS_WORD
            + rf"\s+(?P<name>{'|'.join(given)})"
            + _NOT_LETTER_AFTER
        )
        if given
        else None
    )
    return re.compile("|".join(f"(?:{o})" for o in orders)), address


Folded = tuple[str, list[int] | None]


def _spans_masked(
    text: str, folded: Folded, pattern: re.Pattern[str], *, each_word: bool = False
) -> tuple[str, Folded]:
    """Each match of ``pattern`` on the folded ``text`` (its group "name" if it
    has one) hidden in ``text``: three dots for all of it, or for each word.
    Returns the text and its folded form, folded again only if it changed
    (folding is a third of masking's time)."""
    matches = list(pattern.finditer(folded[0]))
    if not matches:
        return text, folded
    origins = folded[1]
    for match in reversed(matches):
        start, end = match.span("name") if "name" in pattern.groupindex else match.span()
        if origins is not None:
            start, end = origins[start], origins[end - 1] + 1
        # Accents typed as separate marks belong to the last letter.
        while end < len(text) and unicodedata.combining(text[end]):
            end += 1
        hidden = re.sub(r"[^\s,.\-]+", MASK * 3, text[start:end]) if each_word else MASK * 3
        text = text[:start] + hidden + text[end:]
    return text, _folded(text)


def _known_names_and_read_out_numbers_masked(text: str, names: Iterable[str]) -> str:
    """Hide each of ``names`` however it is written: with or without its accents
    ("Nguyen Thi Lan" is "Nguyễn Thị Lan": many type without them, found by a
    probe of make run), in any case, with any spaces between its words, in
    the orders _name_orders lists; as whole words only ("Lan" is not hidden
    inside "Lang"). And numbers read out in words (_DIGIT_WORDS). All on one
    folded copy of the text."""
    folded = _folded(text)
    names = [n for n in names if n and n.strip()]
    wanted = tuple(sorted({" ".join(_folded(n)[0].split()) for n in names}))
    if wanted:
        given = tuple(
            sorted(
                {
                    unicodedata.normalize("NFC", n).lower().split()[-1]
                    for n in names
                    if len(n.split()) > 1
                }
            )
        )
        every_way, address = _names_regexes(wanted, given)
        text, folded = _spans_masked(text, folded, every_way)
        # On the text as written, in lower case (a decomposed text, whose
        # indexes would not match, keeps its given names: rare, and the full
        # names are hidden above).
        lowered = unicodedata.normalize("NFC", text).lower()
        if address is not None and len(lowered) == len(text):
            before = text
            text, _lowered = _spans_masked(text, (lowered, None), address)
            if text != before:
                folded = _folded(text)
    text, _folded_text = _spans_masked(text, folded, _DIGIT_WORDS, each_word=True)
    return text


def mask_text(text: str, *, names: Iterable[str] = ()) -> str:
    """Return ``text`` with phone/ID numbers, e-mail addresses, house numbers and
    names hidden: the ``names`` given (the reporter's, say) and any name after
    a word of address ("chị Lan")."""
    if not text:
        return text
    text = _INVISIBLE.sub("", text)
    text = _known_names_and_read_out_numbers_masked(text, names)
    text = _EMAIL.sub(lambda m: MASK * 3 + "@" + MASK * 3, text)
    # Where the case numbers are, found once: the two passes below mask digit
    # for digit, so the places hold for both.
    cases = [(m.start(), m.end()) for m in _CASE_NUMBER.finditer(text)]
    # Loose first: the tight pass would take "0981 234" of "0981 234, 567" and
    # leave "567" to no one (a second read of the change).
    text = _loose_numbers_masked(text, cases)
    text = _long_numbers_masked(text, cases)
    text = _HOUSE_NUMBER.sub(lambda m: m.group("word") + _digits_masked(m.group("number")), text)
    text = _numbers_before_names_masked(text)
    return _names_masked(text)
