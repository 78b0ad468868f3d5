"""The officer's queue and case page on a 360 px phone: compact cards
(static/console/console.css) and the case's facts beside their labels
(static/css/xadesk.css).

A helper's walk found each card as tall as half the screen: all seven cells
stacked under a visible label each. Now a card is a few short lines, shows all
seven values, keeps each label for screen readers, and opens the case wherever
it is tapped.
"""

from __future__ import annotations

import pytest
from django.conf import settings
from playwright.sync_api import BrowserContext, Page

from geo.models import AdminUnit
from tests.browser.a11y import PHONE
from tests.browser.conftest import Problems, Server, file_case, log_in
from tests.conftest import Personas

pytestmark = pytest.mark.browser

CARD = """() => {
  const row = document.querySelector("table.queue tbody tr");
  const box = row.getBoundingClientRect();
  const cells = [...row.cells].map(td => {
    const r = td.getBoundingClientRect();
    return {label: getComputedStyle(td, "::before").content, text: td.innerText.trim(),
            shown: r.width > 0 && r.height > 0 && r.bottom <= box.bottom + 1};
  });
  // What a tap at the card's lower right corner lands on.
  const tapped = document.elementFromPoint(box.right - 8, box.bottom - 8);
  return {height: box.height, width: box.width, cells, tapped: tapped && tapped.closest("a")?.href};
}"""


@pytest.mark.parametrize("language", ["vi", "en"])
def test_a_queue_card_is_compact_on_a_phone(
    language: str,
    personas: Personas,
    commune_a: AdminUnit,
    server: Server,
    context: BrowserContext,
    page: Page,
    problems: Problems,
) -> None:
    ticket = file_case(reporter=personas.resident, commune=commune_a, description="Ổ gà lớn")
    context.add_cookies(
        [{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": server.url}]
    )
    log_in(context, server, personas.officer_a)
    page.set_viewport_size(PHONE)
    page.goto("/console/")
    card = page.evaluate(CARD)
    # Before: 275-326 px at 360 px (seven label rows); now four or five lines.
    assert card["height"] < 200, card
    assert card["width"] <= PHONE["width"]
    assert all(cell["shown"] and cell["text"] for cell in card["cells"]), card["cells"]
    # The labels are still in the page, read with each value.
    assert all(cell["label"] not in ("none", "normal", "") for cell in card["cells"])
    assert card["tapped"] == f"{server.url}/console/cases/{ticket.number}/"
    problems.assert_none()


FACTS = """() => {
  const facts = document.querySelector("dl.facts");
  const box = facts.getBoundingClientRect();
  const pairs = [...facts.querySelectorAll("dt")].map(dt => {
    const dd = dt.nextElementSibling;
    const a = dt.getBoundingClientRect(), b = dd.getBoundingClientRect();
    return {label: dt.innerText, side: Math.abs(a.top - b.top) < 4 && b.left > a.right,
            inside: b.right <= box.right + 1};
  });
  return {height: box.height, width: box.width, pairs,
          overflow: document.documentElement.scrollWidth > window.innerWidth};
}"""


@pytest.mark.parametrize("language", ["vi", "en"])
def test_the_case_facts_sit_beside_their_labels_on_a_phone(
    language: str,
    personas: Personas,
    commune_a: AdminUnit,
    server: Server,
    context: BrowserContext,
    page: Page,
    problems: Problems,
) -> None:
    """A helper's walk: each fact of the case page under its label, one
    column of two dozen lines before the description. Label and value now
    share a line, as on a wide screen."""
    ticket = file_case(reporter=personas.resident, commune=commune_a, description="Ổ gà lớn")
    context.add_cookies(
        [{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": server.url}]
    )
    log_in(context, server, personas.officer_a)
    page.set_viewport_size(PHONE)
    page.goto(f"/console/cases/{ticket.number}/")
    facts = page.evaluate(FACTS)
    assert all(pair["side"] and pair["inside"] for pair in facts["pairs"]), facts["pairs"]
    # Stacked, the list was 648 px here (both languages); side by side 431-457.
    assert facts["height"] < 520, facts["height"]
    assert not facts["overflow"]
    problems.assert_none()
