"""What a message holds: its folded text, its phone numbers, its links.

Pure functions. Phone numbers come every way people type them ("+84 912 345
678", "0912.345.678", "(091) 2345678"); they are compared as 0xxxxxxxxx.
Links come with or without "http", and bare domains ("vietcombank-vn.com")
count too, but only with a top-level domain scammers use or a scheme/"www."
in front: "Tp.HCM" or "v.v." are not links.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from knowledge.search import fold_vietnamese

# +84 or 84 or 0, then 8 to 10 more digits with the separators people type.
_PHONE = re.compile(r"(?<![\w+])(?:\+\s?84|84|0)(?:[\s.\-()]{0,2}\d){8,10}(?!\d)")
# Service numbers: 1900 xxxx / 1800 xxxx hotlines, written with their separators.
_HOTLINE = re.compile(r"(?<!\d)1[89]00(?:[\s.\-]?\d){4,6}(?!\d)")

_TLDS = (
    "vn|com|net|org|info|biz|xyz|top|icu|cc|ly|me|io|co|site|online|club|shop|app|link|"
    "tk|ml|ga|cf|gq|vip|live|pro|asia|store|cloud|us|ru|cn|click|gl|at|gy|id|to|ws|su|fun"
)
_URL_WITH_SCHEME = re.compile(r"\b(?:https?://|www\.)[^\s<>\"']+", re.IGNORECASE)
_BARE_DOMAIN = re.compile(
    rf"(?<![\w@.\-])((?:[a-z0-9](?:[a-z0-9\-]{{0,61}}[a-z0-9])?\.)+(?:{_TLDS}))"
    r"(?![\w\-])(/[^\s<>\"']*)?",
    re.IGNORECASE,
)
_TRAILING = ".,;:!?)]}»\"'"


@dataclass(frozen=True)
class Link:
    host: str  # lowercase, without "www." and port
    path: str  # "" or from the first "/"

    @property
    def value(self) -> str:
        """The form kept on the province's list: host and path, no scheme."""
        return f"{self.host}{self.path}".rstrip("/")


@dataclass(frozen=True)
class PhoneFound:
    number: str  # 0xxxxxxxxx, or a 1900/1800 hotline as digits
    start: int
    end: int


def phone_normal(raw: str) -> str:
    """A typed number as 0xxxxxxxxx (service numbers as their digits)."""
    digits = re.sub(r"\D", "", raw)
    if digits.startswith("84") and len(digits) >= 10 and not digits.startswith("840"):
        digits = "0" + digits[2:]
    return digits


def phones_find(text: str) -> list[PhoneFound]:
    found = [
        PhoneFound(phone_normal(m.group(0)), m.start(), m.end())
        for pattern in (_PHONE, _HOTLINE)
        for m in pattern.finditer(text)
    ]
    return sorted(found, key=lambda p: p.start)


def phones_extract(text: str) -> list[str]:
    return list(dict.fromkeys(p.number for p in phones_find(text)))


def _link(raw: str) -> Link | None:
    raw = raw.rstrip(_TRAILING)
    raw = re.sub(r"^(?:https?://)", "", raw, flags=re.IGNORECASE)
    host, _, rest = raw.partition("/")
    host = host.split("@")[-1].split(":")[0].lower().strip(".")
    if host.startswith("www."):
        host = host[4:]
    if "." not in host:
        return None
    return Link(host=host, path=("/" + rest).rstrip(_TRAILING) if rest else "")


def links_extract(text: str) -> list[Link]:
    links: list[Link] = []
    taken: list[tuple[int, int]] = []
    for match in _URL_WITH_SCHEME.finditer(text):
        link = _link(match.group(0))
        if link is not None:
            links.append(link)
            taken.append(match.span())
    for match in _BARE_DOMAIN.finditer(text):
        if any(start <= match.start() < end for start, end in taken):
            continue
        link = _link(match.group(0))
        if link is not None:
            links.append(link)
    return list(dict.fromkeys(links))


def text_fold(text: str) -> str:
    """Lowercase, no marks, đ as d, single spaces: the form rules are written in."""
    return " ".join(fold_vietnamese(text).split())
