"""Addresses of pages that layers above the case core own.

The case core puts links in notifications (a resident's case page) and in
replies (a help article's page), but those pages belong to the resident site
(reports/) and, later, other front ends, which sit above helpdesk and may not
be imported by it. Each front end tells the core its addresses when Django
starts (reports/apps.py); the core never spells another app's URL names.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import ImproperlyConfigured


@dataclass
class _Pages:
    resident_case: Callable[[str], str] | None = None
    article: Callable[[str], str] | None = None


_pages = _Pages()


def pages_register(
    *,
    resident_case: Callable[[str], str] | None = None,
    article: Callable[[str], str] | None = None,
) -> None:
    """Tell the core how to link to a case page (by case number) and an article (by slug)."""
    if resident_case is not None:
        _pages.resident_case = resident_case
    if article is not None:
        _pages.article = article


def resident_case_link(*, number: str) -> str:
    """The page where a resident (reporter or follower) reads the case."""
    if _pages.resident_case is None:
        raise ImproperlyConfigured("No app registered the resident case page (helpdesk.links).")
    return _pages.resident_case(number)


def article_link(*, slug: str) -> str:
    """The page where anyone reads a help article."""
    if _pages.article is None:
        raise ImproperlyConfigured("No app registered the article page (helpdesk.links).")
    return _pages.article(slug)
