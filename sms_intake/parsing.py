"""Reading an SMS written from the poster in the commune hall.

    PA <commune code or name> <what is wrong>    a field report ("phản ánh")
    HOI <question>                                a help request ("hỏi")
    KT <message>                                  is this a scam? ("kiểm tra")
    #TN-2026-00123 <text>                         a message on one's own case

People type on old keypads: lowercase, no marks ("pa dai tu duong hong"),
extra spaces, a dot or colon after the keyword ("PA: ...", "Hỏi."), a case
number without its "#" or with spaces for dashes. This module only splits the
text; finding the commune in it is sms_intake/communes.py's job.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from enum import StrEnum

from knowledge.search import fold_vietnamese

# Longer than this is not a message typed by hand (about five SMS segments).
MAX_TEXT = 640


class Kind(StrEnum):
    REPORT = "report"
    QUESTION = "question"
    SCAM_CHECK = "scam_check"
    REPLY = "reply"
    OTHER = "other"  # no keyword: an answer to our question, or unreadable
    EMPTY = "empty"
    TOO_LONG = "too_long"


@dataclass(frozen=True)
class Parsed:
    kind: Kind
    # The words after the keyword (report: commune then description), as written.
    body: str = ""
    # REPLY: the case number in its canonical form, e.g. TN-2026-00123.
    number: str = ""


_KEYWORDS = {
    "pa": Kind.REPORT,
    "phananh": Kind.REPORT,
    "hoi": Kind.QUESTION,
    "kt": Kind.SCAM_CHECK,
    "kiemtra": Kind.SCAM_CHECK,
}
# The keyword, then a space, a mark or straight a code: "PA dai tu", "PA: ...",
# "PA.05443", "PA05443".
_KEYWORD = re.compile(r"^\s*([^\W\d_]+)(?:\s*[.:,;-]\s*|\s+|$|(?=\d))(.*)$", re.DOTALL)
# "#TN-2026-00123", "# tn 2026 123", or without "#" only with its dashes
# ("TN-2026-123"): "HOI 2026 ..." is a question, not a case.
_CASE = re.compile(
    r"^\s*(?:#\s*([A-Za-z]{2,4})\s*[-\s]\s*(\d{4})\s*[-\s]\s*(\d{1,7})"
    r"|([A-Za-z]{2,4})-(\d{4})-(\d{1,7}))\b\s*[.:,;-]?\s*(.*)$",
    re.DOTALL,
)


def text_clean(text: str) -> str:
    """The text as composed characters, single spaces, no control characters."""
    composed = unicodedata.normalize("NFC", text or "")
    printable = "".join(c if c.isprintable() else " " for c in composed)
    return " ".join(printable.split())


def sms_parse(text: str) -> Parsed:
    cleaned = text_clean(text)
    if not cleaned:
        return Parsed(Kind.EMPTY)
    if len(cleaned) > MAX_TEXT:
        return Parsed(Kind.TOO_LONG)
    case = _CASE.match(cleaned)
    if case is not None:
        groups = case.groups()
        prefix, year, serial = groups[0:3] if groups[0] else groups[3:6]
        number = f"{prefix.upper()}-{year}-{int(serial):05d}"
        return Parsed(Kind.REPLY, body=groups[6].strip(), number=number)
    # "Kiểm tra <message>", the keyword written out in two words.
    if fold_vietnamese(cleaned[:9]).startswith("kiem tra") and cleaned[8:9] in (" ", ":", "."):
        return Parsed(Kind.SCAM_CHECK, body=cleaned[9:].strip(" .:"))
    keyword = _KEYWORD.match(cleaned)
    if keyword is not None:
        kind = _KEYWORDS.get(fold_vietnamese(keyword.group(1)))
        if kind is not None:
            return Parsed(kind, body=keyword.group(2).strip())
    return Parsed(Kind.OTHER, body=cleaned)
