"""Template indentation left out of the pages sent.

The templates are indented for their readers, and every ``{% if %}`` and
``{% for %}`` line leaves a blank line behind: on the report form that was a
twentieth of its compressed bytes, and its repeat load over 3G missed its
5 KB target (bench/page_weight.py, README "Page weight"). A run of whitespace
between two tags that holds a line break becomes one line break: the browser
shows both the same (one collapsible space, or nothing), since no stylesheet
here keeps white space (``white-space: pre…``). What is written between tags
is left alone, and so is everything inside ``<textarea>`` and ``<pre>``, where
white space is content (a resident's own words sent back to a form), and
inside ``<script>`` and ``<style>``.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

# One pass: an element whose white space is content is matched whole and sent
# back as it is; any other match is a run between tags.
_RUNS = re.compile(
    r"(?P<kept><(?P<kept_name>textarea|pre|script|style)\b.*?</(?P=kept_name)\s*>)"
    r"|(?<=>)[ \t\r\f\v]*\n\s*(?=<)",
    re.IGNORECASE | re.DOTALL,
)


def _one_break(match: re.Match[str]) -> str:
    return match.group("kept") or "\n"


def trimmed(html: str) -> str:
    """``html`` with each whitespace run between tags that breaks a line made one
    line break, outside the elements where white space is content."""
    return _RUNS.sub(_one_break, html)


class HtmlWhitespaceMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            response.streaming
            or response.has_header("Content-Encoding")
            or not response.get("Content-Type", "").startswith("text/html")
        ):
            return response
        charset = response.charset or "utf-8"
        try:
            html = response.content.decode(charset)
        except (UnicodeDecodeError, LookupError):  # LookupError: a charset Python lacks
            return response  # not ours to rewrite: sent as it came
        response.content = trimmed(html).encode(charset)
        if response.has_header("Content-Length"):
            response["Content-Length"] = str(len(response.content))
        return response
