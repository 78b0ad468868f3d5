"""Addresses of pages that layers above the case core own.

The case core puts links in notifications (a resident's case page, the
console's case page for staff), in replies (a help article's page) and in the
admin (the console's case page), but those pages belong to the resident site
(reports/), the officer console (console/) and, later, other front ends, which
sit above helpdesk and may not be imported by it. Each front end tells the core
its addresses when Django starts (reports/apps.py, console/apps.py); the core
never spells another app's URL names.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import ImproperlyConfigured


@dataclass
class _Pages:
    resident_case: Callable[[str], str] | None = None
    article: Callable[[str], str] | None = None
    staff_case: Callable[[str], str] | None = None
    public_case: Callable[[str], str] | None = None


_pages = _Pages()


def pages_register(
    *,
    resident_case: Callable[[str], str] | None = None,
    article: Callable[[str], str] | None = None,
    staff_case: Callable[[str], str] | None = None,
    public_case: Callable[[str], str] | None = None,
) -> None:
    """Tell the core how to link to a case page (by case number, or by public
    id for the public's page) and an article (by slug)."""
    if resident_case is not None:
        _pages.resident_case = resident_case
    if article is not None:
        _pages.article = article
    if staff_case is not None:
        _pages.staff_case = staff_case
    if public_case is not None:
        _pages.public_case = public_case


def resident_case_link(*, number: str) -> str:
    """The page where a resident (reporter or follower) reads the case."""
    if _pages.resident_case is None:
        raise ImproperlyConfigured("No app registered the resident case page (helpdesk.links).")
    return _pages.resident_case(number)


def public_case_link(*, public_id: str) -> str:
    """The page where anyone, a "me too" follower included, reads the public view."""
    if _pages.public_case is None:
        raise ImproperlyConfigured("No app registered the public case page (helpdesk.links).")
    return _pages.public_case(public_id)


def article_link(*, slug: str) -> str:
    """The page where anyone reads a help article."""
    if _pages.article is None:
        raise ImproperlyConfigured("No app registered the article page (helpdesk.links).")
    return _pages.article(slug)


def staff_case_link(*, number: str) -> str:
    """The page where staff in scope handle the case (the officer console)."""
    if _pages.staff_case is None:
        raise ImproperlyConfigured("No app registered the staff case page (helpdesk.links).")
    return _pages.staff_case(number)
