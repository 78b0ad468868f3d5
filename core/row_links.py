"""Links for the rows of a list: one reverse() for all of them.

reverse() resolves the URLconf on every call (tens of microseconds): once per
row it was a measurable part of a 25-row queue, the public map's 50-row list
and maps of hundreds of cases (bench/queue_scale.py). ``links_to`` reverses a
view once with a slot for its one argument and returns a function that puts
each row's key there, quoted as reverse() quotes it. For views whose one
argument is a single path segment (``<str:…>``; a key holding "/" is quoted).
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import quote

from django.urls import reverse
from django.utils.http import RFC3986_SUBDELIMS

_SLOT = "ROWKEY"
# What reverse() leaves unquoted in a path, less "/": a key stays one segment.
_SAFE = RFC3986_SUBDELIMS + "~:@"


def links_to(viewname: str) -> Callable[[str], str]:
    """The path of ``viewname`` for each key, reversed once."""
    head, _slot, tail = reverse(viewname, args=[_SLOT]).rpartition(_SLOT)

    def link(key: str) -> str:
        return f"{head}{quote(key, safe=_SAFE)}{tail}"

    return link
