"""Finding a commune in what a person typed: "05830", "dai tu", "Xa Đai Tư", "dai tuu".

Names are compared folded (lowercase, no marks, đ as d: knowledge/search.py),
without the unit's type word ("xã", "phường", "thị trấn", "đặc khu"), first
exactly and then with difflib's ratio for a typo or two. Only the current
communes of the deployment's provinces (settings.XADESK_PROVINCES) are
candidates: the same name exists in several provinces, and a resident of this
one means theirs. A name that still fits several communes is no answer; the
person is asked for the code instead.

A few thousand names are compared in Python (difflib over 3,321 names takes
milliseconds); pg_trgm would need a new extension in every database for the
same result at this size.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

from django.conf import settings

from geo.models import AdminUnit
from geo.units import commune_get_current, units_current
from knowledge.search import fold_vietnamese

# Words a person may put before a name; folded.
_TYPE_WORDS = ("thi tran", "dac khu", "phuong", "xa", "tt", "p", "x")
CODE = re.compile(r"^\d{5}$")
# How close a misspelt name must be to count (1.0: identical).
MIN_RATIO = 0.84
# A commune's name is at most this many words.
MAX_NAME_WORDS = 5


@dataclass(frozen=True)
class CommuneMatch:
    commune: AdminUnit
    # How many of the words given were the commune (the rest is the description).
    words: int


def name_fold(text: str) -> str:
    folded = " ".join(fold_vietnamese(text).replace(".", " ").split())
    for word in _TYPE_WORDS:
        if folded.startswith(word + " "):
            return folded[len(word) + 1 :]
    return folded


def _candidates() -> list[tuple[str, int]]:
    units = units_current(level=AdminUnit.Level.COMMUNE)
    provinces: list[str] = settings.XADESK_PROVINCES
    if provinces:
        units = units.filter(parent__code__in=provinces)
    return [(name_fold(name), pk) for pk, name in units.values_list("pk", "name")]


def _best(phrase: str, names: list[tuple[str, int]]) -> tuple[float, set[int]]:
    exact = {pk for name, pk in names if name == phrase}
    if exact:
        return 1.0, exact
    best, ids = 0.0, set()
    for name, pk in names:
        ratio = difflib.SequenceMatcher(None, phrase, name).ratio()
        if ratio > best:
            best, ids = ratio, {pk}
        elif ratio == best:
            ids.add(pk)
    return best, ids


def commune_find(words: list[str], *, whole: bool = False) -> CommuneMatch | None:
    """The commune the first words name (a code, or a name), or None.

    ``whole``: all the words must be the commune (the answer to "which commune?").
    """
    if not words:
        return None
    first = words[0].strip(".,:;")
    if CODE.match(first):
        commune = commune_get_current(code=first)
        if commune is None or (whole and len(words) > 1):
            return None
        return CommuneMatch(commune, 1)
    names = _candidates()
    longest = min(len(words), MAX_NAME_WORDS + 2)  # type words come first
    spans = [len(words)] if whole else range(longest, 0, -1)
    # The longest phrase that is a name exactly wins ("dai tu" over "dai");
    # otherwise the closest misspelling of any length.
    found: tuple[float, set[int], int] = (0.0, set(), 0)
    for span in spans:
        phrase = name_fold(" ".join(words[:span]))
        if not phrase:
            continue
        ratio, ids = _best(phrase, names)
        if ratio == 1.0:
            found = (ratio, ids, span)
            break
        if ratio > found[0]:
            found = (ratio, ids, span)
    ratio, ids, span = found
    if ratio < MIN_RATIO or len(ids) != 1:
        return None
    commune = AdminUnit.objects.select_related("parent").get(pk=ids.pop())
    return CommuneMatch(commune, span)
