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

Names go the same way: the case's residents' names however written, any
capitalised name after a word of address or kinship ("chị Lan", "con trai
Nam"), and any full name (a common family name and two more capitalised
words: "Đinh Thị Xuân", of another case). Places named after people stay
readable (person_names.py): after a place word, and the famous streets and
the administrative units' names the caller gives (place_names).
"""

from __future__ import annotations

import functools
import re
import string
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from core import person_names

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
    # A dot with a space after it only if it has one before too ("gmail . com")
    # or a lower-case domain follows ("gmail. com"): "lan@gmail.com. Các" ends
    # a sentence, and took "Các" with it.
    r"(?:(?:\s*(?:\(dot\)|\[dot\])\s*|\.|\s+\.\s*|\.\s+(?=(?-i:[a-z]{2,})\b))[\w\-]+)+",
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
# A capital letter, accented or not (Python's re has no class for one), and
# a word that starts with one: "Lan", "TRẦN", "Đức".
_UPPER = (
    "["
    + "".join(
        c
        for c in map(chr, (*range(0x41, 0x5B), *range(0xC0, 0x250), *range(0x1E00, 0x1F00)))
        if c.isupper()
    )
    + "]"
)
# Words of address and kinship before a person's name: "chị Lan", "anh Trần
# Minh Đức", "con trai Nam" (person_names.py), compared whole and in lower
# case (_names_in_run).
_ADDRESSES = frozenset((*person_names.ADDRESS_WORDS, *person_names.KINSHIP_PHRASES))
_ADDRESS_ENDS = frozenset(address.split()[-1] for address in _ADDRESSES)


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


def _folded_name(name: str) -> str:
    """A name folded (lower case, no accents) with single spaces: how names
    of places are compared, so "Phan Dinh Phung" and "PHAN ĐÌNH PHÙNG" are
    the ward's too."""
    return " ".join(unicodedata.normalize("NFC", name).translate(_FOLD).split())


@dataclass(frozen=True, slots=True)
class PlaceNames:
    """Names of places that read like a person's full name, folded: kept
    wherever they stand ("ngập ở Phan Đình Phùng"), and, for ``leading``,
    two-word names kept at the head of a longer run ("Hà Nội Mới").
    ``units_known``: the administrative units' names are among them, so a
    name after "xã" that is none of them is no commune's."""

    names: frozenset[str]
    leading: frozenset[str]
    units_known: bool = False


def place_names(names: Iterable[str] = (), *, leading: Iterable[str] = ()) -> PlaceNames:
    """The built-in names (person_names.py: famous streets, provinces) and
    ``names``, the short names of the administrative units ("Phan Đình
    Phùng" of "Phường Phan Đình Phùng") read by the caller, core knowing no
    database; ``leading``, the provinces'. Ready for mask_text's ``places``."""
    names = tuple(names)
    return PlaceNames(
        names=frozenset(
            _folded_name(n) for n in (*person_names.FAMOUS_NAMES, *names) if len(n.split()) >= 2
        ),
        leading=frozenset(
            _folded_name(n) for n in (*person_names.LEADING_PLACES, *leading) if len(n.split()) == 2
        ),
        units_known=bool(names),
    )


_PLACES_BUILT_IN = place_names()
_ADDRESS_WORDS_FOLDED = frozenset(word.translate(_FOLD) for word in person_names.ADDRESS_WORDS)
# Famous names led by a word of address ("Bà Triệu", "Bác Hồ"): kept when
# capitalised. Not the units of the database so led: "Anh Dũng", "Cô Ba" or
# "Anh Sơn" at the head of a sentence is a man or a woman far more often.
_PLACES_ADDRESSED = frozenset(
    name for name in _PLACES_BUILT_IN.names if name.split()[0] in _ADDRESS_WORDS_FOLDED
)

# A run of capitalised words on one line ("Lan", "Đinh Thị Xuân", "TRẦN VĂN
# NAM"), the only text a name is looked for in: most of a text is skipped at
# C speed. The capital first, then the look back at the letter before it:
# re then skips to the capitals (four times faster than the look back first).
_CAPITALISED_RUN = re.compile(
    rf"{_UPPER}(?<![^\W\d_].)[^\W\d_]*+(?:[^\S\r\n]++{_UPPER}[^\W\d_]*+)*+"
)
_LETTERS = re.compile(r"[^\W\d_]+")
_WORD_AFTER = re.compile(r"[^\S\r\n]+([^\W\d_]+)")
# A Vietnamese syllable, folded: an onset, one to three vowels, a coda. The
# words of a name are such ("Nguyen", "Pao"); "TO BE CONTINUED", "Do Not
# Park" are not one name.
_SYLLABLE = re.compile(
    r"(?:ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdghklmnprstvx])?[aeiouy]{1,3}(?:ch|ng|nh|[cmnpt])?"
)
_SURNAMES_ASCII = frozenset(n.translate(_FOLD) for n in person_names.SURNAMES)
_PLACES_ANY_CASE = person_names.PLACE_WORDS | person_names.PLACE_WORDS_IN_NAMES
_PLACES_BEFORE = _PLACES_ANY_CASE | person_names.PLACE_WORDS_LOWER_ONLY
# The first words of the place words: most words are none, and are passed
# without building a phrase.
_PLACE_FIRST_WORDS = frozenset(phrase.split()[0] for phrase in _PLACES_ANY_CASE)


def _word_before(text: str, start: int) -> str:
    """The word right before ``start`` in lower case, spaces between them;
    "" if there is none."""
    end = start
    while end > 0 and text[end - 1].isspace():
        end -= 1
    begin = end
    while begin > 0 and text[begin - 1].isalpha():
        begin -= 1
    return text[begin:end].lower() if end < start else ""


def _words_before(text: str, start: int) -> tuple[list[str], bool]:
    """The (up to three) words right before ``start``, separated from it and
    each other by spaces only ("đường, Trần…" is no street), in lower case;
    and whether the last one ends with a dot ("TP. Hồ Chí Minh", or the end
    of a sentence). Split in Python: a regex searched backwards was a third
    of the name pass's time."""
    lo = max(0, start - 40)
    window = text[lo:start]
    if not window[-1:].isspace():
        return [], False
    # The window's first word may be cut, unless a space comes before it.
    cut = lo > 0 and not text[lo - 1].isspace()
    tokens = window.split()[1 if cut else 0 :][-3:]
    dotted = bool(tokens) and tokens[-1].endswith(".")
    if dotted:
        tokens[-1] = tokens[-1][:-1]
    words: list[str] = []
    for token in reversed(tokens):
        if not token.isalpha():
            break
        words.append(token.lower())
    words.reverse()
    return words, dotted


def _place_word_before(words: list[str], dotted: bool) -> str | None:
    """The place word the last words of ``words`` make ("đường", "thị trấn",
    "tp."), or None: also for one of a phrase that is none ("yêu cầu",
    "trưởng thôn")."""
    if not words:
        return None
    if dotted:  # an abbreviation, or a sentence's end ("Tôi đi chợ. Trần…")
        return words[-1] if words[-1] in person_names.PLACE_ABBREVIATIONS else None
    if (
        " ".join(words[-2:]) in person_names.NOT_PLACES
        or " ".join(words[-3:]) in person_names.NOT_PLACES
    ):
        return None
    for size in (1, 2, 3):
        if size > len(words):
            break
        phrase = " ".join(words[-size:])
        if phrase in _PLACES_BEFORE or (
            phrase.isascii() and phrase in person_names.PLACE_WORDS_ASCII
        ):
            return phrase
    return None


def _is_address(words: list[str], *, dotted: bool = False) -> bool:
    """The last words of ``words`` are a word of address or kinship (not
    one ending a sentence)."""
    return (
        bool(words)
        and not dotted
        and (words[-1] in _ADDRESSES or " ".join(words[-2:]) in _ADDRESSES)
    )


def place_size(words: list[str], at: int, *, in_name: bool) -> int:
    """How many of the lower-case ``words`` from ``at`` make a place word (0:
    none), the longest first ("tổ dân phố", not "tổ"). In a name already begun,
    only the words no name is made of ("Phường", not "Trường": "Nguyễn Xuân
    Trường"). Also how a village's place word is told
    (helpdesk/public_view.village_hidden)."""
    if words[at] not in _PLACE_FIRST_WORDS:
        return 0
    for size in (3, 2, 1):
        if at + size > len(words):
            continue
        phrase = " ".join(words[at : at + size])
        if phrase in person_names.PLACE_WORDS or (
            not in_name and phrase in person_names.PLACE_WORDS_IN_NAMES
        ):
            return size
    return 0


def _known_size(folded: list[str], at: int, places: PlaceNames, *, shortest: int = 3) -> int:
    """How many of the ``folded`` words from ``at`` name a known place (0:
    none), longest first: ``shortest`` words or more (two are no full name;
    after a place word, two name a commune, "xã Phú Bình"); two for a
    leading one or one led by a word of address (_PLACES_ADDRESSED)."""
    for size in range(min(len(folded) - at, 6), 1, -1):
        name = " ".join(folded[at : at + size])
        if name in _PLACES_ADDRESSED or (size >= shortest and name in places.names):
            return size
    if " ".join(folded[at : at + 2]) in places.leading:
        return 2
    return 0


def _names_in_run(
    text: str, run: re.Match[str], places: Callable[[], PlaceNames]
) -> list[tuple[int, int]]:
    """Where the words of the people's names in ``run`` are.

    After a word of address or kinship, in the run or right before it ("chị
    Lan", "Anh Trần Minh Đức", "con trai Nam"), the capitalised words, up to
    four, a full name whole.

    Without one, a full name: a common family name and at least two more
    capitalised words, up to a word no name is made of (person_names.
    STOP_WORDS) or a place word; ALL CAPS too. Not after a place word
    ("đường Trần Hưng Đạo", "Trường THCS Lê Quý Đôn"), nor a known place's
    name ("Phan Đình Phùng"): after a word of address it is a person's ("ông
    Lê Hồng Phong"). A run typed without accents ("NGUYEN VAN AN") is read
    with the words folded; in one with accents, a short folded family name
    ("Do", "Le") is an everyday word, not "Đỗ" or "Lê".

    ``places`` is called only for a run that holds a full name (three
    capitalised words or more after a unit's word, with a family name among
    them, too): the names of the units are read (from the database, by the
    caller) only for a text that needs them.
    """
    words = run.group().lower().split()
    ascii_run = run.group().isascii()

    def is_surname(word: str) -> bool:
        return word in person_names.SURNAMES or (
            word.isascii() and word in _SURNAMES_ASCII and (ascii_run or len(word) >= 4)
        )

    # Most runs are one or two capitalised words at the head of a sentence:
    # no name without a word of address, nor a full name without a family
    # one. Told from the word before alone, the cheap way, for those.
    if (
        not any(word in _ADDRESSES for word in words)
        and (len(words) < 3 or not any(map(is_surname, words)))
        and _word_before(text, run.start()) not in _ADDRESS_ENDS
    ):
        return []
    spans = [m.span() for m in _LETTERS.finditer(text, run.start(), run.end())]
    before, dotted = _words_before(text, run.start())
    addressed = _is_address(before, dotted=dotted)
    stops = person_names.STOP_WORDS_ASCII if ascii_run else person_names.STOP_WORDS

    def name_end(at: int) -> int:
        # A family name ends a name begun, but not a second one at its head:
        # "Nguyễn Trần Bảo Ngọc" bears both parents' ("XỬ LÝ VI PHẠM", three,
        # is no one).
        end = at + 1
        while (
            end < len(words)
            and (words[end] not in stops or (end == at + 1 and is_surname(words[end])))
            and _SYLLABLE.fullmatch(folded[end])
            and not place_size(words, end, in_name=True)
        ):
            end += 1
        return end

    folded = [word.translate(_FOLD) for word in words]

    def after_place(at: int, place: str) -> int | None:
        """Where to go on after a place word, before ``at``; None: the rest
        of the run is the place's name (a street's, a school's). After a
        unit's word, when the units' names are known, only the unit's name
        is: a name after it is looked for ("UBND xã Phú Bình Nguyễn Văn An",
        "Chủ tịch UBND xã Nguyễn Văn An")."""
        rest = words[at:]
        if place not in person_names.UNIT_WORDS or len(rest) < 3 or not any(map(is_surname, rest)):
            return None
        known = places()
        if not known.units_known:
            return None
        return at + _known_size(folded, at, known, shortest=2)

    def address_in_place(start: int) -> int | None:
        """The first word of address in a place's name from ``start``, the
        built-in places' names passed whole ("Hai Bà Trưng"): a place's name
        ends there ("Thôn Đông Ông Nguyễn Văn An báo", "xã Phú Bình Chị Lan":
        a second read found them shown). None: the rest is the place's."""
        at = start
        while at < len(words):
            known = _known_size(folded, at, _PLACES_BUILT_IN)
            if known:
                at += known
            elif words[at] in _ADDRESSES:
                return at
            else:
                at += 1
        return None

    def resume_after(at: int, place: str) -> int | None:
        """Where to go on after a place word before ``at`` (after_place, else
        the first word of address in the place's name); None: the rest of
        the run is the place's name."""
        resume = after_place(at, place)
        return resume if resume is not None else address_in_place(at)

    hidden: list[tuple[int, int]] = []
    at = 0
    if not addressed and (place := _place_word_before(before, dotted)) is not None:
        resume = resume_after(0, place)
        if resume is None:
            return []
        at = resume
    while at < len(words):
        if addressed:
            end = min(len(words), at + 4)
            if is_surname(words[at]):
                end = max(end, name_end(at))
            hidden += spans[at:end]
            at, addressed = end, False
            continue
        size = place_size(words, at, in_name=False)
        if size:
            resume = resume_after(at + size, " ".join(words[at : at + size]))
            if resume is None:
                break  # the rest of the run is the place's name
            at = resume
            continue
        # The built-in names first, for those led by no family name ("Hai
        # Bà Trưng", "Bà Triệu"); the units' names only for a full name.
        known = _known_size(folded, at, _PLACES_BUILT_IN)
        if known:
            at += known
            continue
        if words[at] in _ADDRESSES:
            # "Con Trai Nam": the phrase, not "Con" and a name "Trai Nam".
            at += 2 if " ".join(words[at : at + 2]) in _ADDRESSES else 1
            addressed = True
            continue
        if not is_surname(words[at]):
            at += 1
            continue
        end = name_end(at)
        if end - at < 3 or _place_follows(text, words, end, run):
            at = end
            continue
        known = _known_size(folded, at, places())
        if known:
            at += known
            continue
        hidden += spans[at:end]
        at = end
    return hidden


def _place_follows(text: str, words: list[str], end: int, run: re.Match[str]) -> bool:
    """An English place word comes after the name: "Tran Hung Dao Street"."""
    if end < len(words):
        return words[end] in person_names.PLACE_WORDS_AFTER
    after = _WORD_AFTER.match(text, run.end())
    return after is not None and after.group(1).lower() in person_names.PLACE_WORDS_AFTER


def _names_masked(text: str, places: PlaceNames | Callable[[], PlaceNames]) -> str:
    """Each word of a person's name (_names_in_run) as three dots: after a
    word of address, and a full name though none comes before it and it is
    no resident's of the case (an officer's reply names people of other
    cases: "Đã liên hệ Đinh Thị Xuân")."""
    # Composed, so that a letter and its accent are one character of a word.
    if not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
    read: list[PlaceNames] = []

    def places_read() -> PlaceNames:
        # Called at most once per text, and only if a run needs the names.
        if not read:
            read.append(places() if callable(places) else places)
        return read[0]

    hidden = [
        span
        for run in _CAPITALISED_RUN.finditer(text)
        for span in _names_in_run(text, run, places_read)
    ]
    if not hidden:
        return text
    parts: list[str] = []
    last = 0
    for start, end in hidden:
        parts += [text[last:start], MASK * 3]
        last = end
    parts.append(text[last:])
    return "".join(parts)


# Words of address, folded: a known person's given name after one is theirs,
# written in any case ("anh khoa", found by a probe of make run).
# Matched on the text in lower case with its accents, the given name too: on
# folded text "em ăn cơm" and "bàn ăn" hid "ăn" for a resident named An (a
# second read). Each word with and without its accents, as people type.
# The words of address the shape pass reads (person_names.ADDRESS_WORDS), also
# typed without accents: one list for both passes.
_ADDRESS_WORD = "(?:{})".format(
    "|".join(
        sorted(
            {*person_names.ADDRESS_WORDS, *_ADDRESS_WORDS_FOLDED},
            key=lambda form: (-len(form), form),
        )
    )
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


def mask_text(
    text: str,
    *,
    names: Iterable[str] = (),
    places: PlaceNames | Callable[[], PlaceNames] | None = None,
    people: bool = True,
) -> str:
    """Return ``text`` with phone/ID numbers, e-mail addresses, house numbers and
    names hidden: the ``names`` given (the reporter's, say), any name after
    a word of address or kinship ("chị Lan", "con trai Nam") and any full
    name ("Đinh Thị Xuân"). Places whose names read like a person's stay:
    after a place word, and those of ``places`` (place_names, or a function
    that returns them, called only for a text with a full name in it; the
    built-in famous streets and provinces when not given). ``people`` False
    leaves the names found by their shape alone (the ``names`` given are still
    hidden): the audit trail's labels name who was changed, for its readers."""
    if not text:
        return text
    if places is None:
        places = _PLACES_BUILT_IN
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
    return _names_masked(text, places) if people else text
