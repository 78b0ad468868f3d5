"""The officer's queue and case page on a 360 px phone: compact cards
(static/console/console.css) and the case's facts beside their labels
(static/css/xadesk.css).

A helper's walk found each card as tall as half the screen: all seven cells
stacked under a visible label each. Now a card is a few short lines, shows all
seven values, keeps each label for screen readers, and opens the case wherever
it is tapped.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.utils import timezone
from playwright.sync_api import BrowserContext, Page, expect

from accounts.models import User
from geo.models import AdminUnit
from tests.alerts.helpers import publish
from tests.browser.a11y import PHONE
from tests.browser.conftest import Problems, Server, file_case, in_thread, log_in
from tests.conftest import Personas

pytestmark = pytest.mark.browser

CARD = """() => {
  const row = document.querySelector("table.queue tbody tr");
  // In view, as a finger finds it: below the two-row header its foot is past a
  // 740 px screen's edge, where nothing can be tapped.
  row.scrollIntoView({block: "center"});
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
    _phone_page(context, server, page, language, personas.officer_a, "/console/")
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
    path = f"/console/cases/{ticket.number}/"
    _phone_page(context, server, page, language, personas.officer_a, path)
    facts = page.evaluate(FACTS)
    assert all(pair["side"] and pair["inside"] for pair in facts["pairs"]), facts["pairs"]
    # Stacked, the list was 648 px here (both languages); side by side 431-457.
    assert facts["height"] < 520, facts["height"]
    assert not facts["overflow"]
    problems.assert_none()


# --- The console's tables and header on a phone ---------------------------------
#
# A phone walk at 360 px found the dashboard's and the alerts' tables squeezed
# to a letter or two a line ("X/ã/p/h/ư/ờ/n/g", "Ph/ườ/ng"): main's
# overflow-wrap:anywhere (static/css/xadesk.css) let every column shrink below
# its longest word, so the table fitted the screen and its scroll region never
# scrolled. And the header ran to two or three rows (88-132 px), logout alone
# on the last; made one row that scrolled sideways, it hid the language button
# and logout past the screen's edge (a later walk): now two rows at most.

# Each table of the page: the words of its cells that a line break splits, the
# height of its headings' row, and the region around it (its name, whether a
# keyboard reaches it, whether it scrolls, where it ends).
TABLES = """() => [...document.querySelectorAll("main table")].map(table => {
  const broken = [];
  const walker = document.createTreeWalker(table, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    if (node.parentElement.closest(".visually-hidden, caption, thead")) continue;
    broken.push(...splitWords(node));
  }
  // The headings: measured even where a card layout hides them from sight.
  const head = table.tHead.rows[0];
  const hidden = head.getBoundingClientRect().width <= 1;
  if (!hidden) {
    for (const th of head.cells) {
      const inner = document.createTreeWalker(th, NodeFilter.SHOW_TEXT);
      for (let node = inner.nextNode(); node; node = inner.nextNode()) {
        broken.push(...splitWords(node));
      }
    }
  }
  const wrap = table.closest(".table-wrap");
  const name = wrap && document.getElementById(wrap.getAttribute("aria-labelledby"));
  return {
    broken,
    headRow: hidden ? 0 : Math.round(head.getBoundingClientRect().height),
    role: wrap && wrap.getAttribute("role"),
    tabindex: wrap && wrap.getAttribute("tabindex"),
    name: name ? name.textContent.trim() : null,
    scrolls: wrap ? wrap.scrollWidth > wrap.clientWidth : false,
    right: Math.round((wrap || table).getBoundingClientRect().right),
  };
  function splitWords(node) {
    const split = [];
    for (const word of node.data.matchAll(/\\S+/g)) {
      const range = document.createRange();
      range.setStart(node, word.index);
      range.setEnd(node, word.index + word[0].length);
      const lines = new Set([...range.getClientRects()]
        .filter(r => r.width > 0).map(r => Math.round(r.bottom)));
      if (lines.size > 1) split.push(word[0]);
    }
    return split;
  }
})"""

PAGE_WIDTH = """() => ({scroll: document.documentElement.scrollWidth,
                        width: document.documentElement.clientWidth})"""


def _phone_page(
    context: BrowserContext, server: Server, page: Page, language: str, user: User, path: str
) -> None:
    context.add_cookies(
        [{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": server.url}]
    )
    log_in(context, server, user)
    page.set_viewport_size(PHONE)
    response = page.goto(path)
    assert response is not None, path
    assert response.status == 200, path


def _assert_readable(tables: list[dict[str, Any]]) -> None:
    for table in tables:
        # No word split over two lines (before: every heading and name was).
        assert table["broken"] == [], table
        # A region a screen reader names by the caption and a keyboard can scroll.
        assert table["role"] == "region", table
        assert table["tabindex"] == "0", table
        assert table["name"], table
        assert table["right"] <= PHONE["width"], table


def _assert_no_sideways_page(page: Page) -> None:
    fit = page.evaluate(PAGE_WIDTH)
    assert fit["scroll"] <= fit["width"], fit


@pytest.mark.parametrize("language", ["vi", "en"])
@pytest.mark.parametrize(
    ("persona", "count"),
    [("leader_a", 2), ("province_admin", 3)],  # + the SMS per province and month
)
def test_the_dashboard_tables_are_readable_on_a_phone(
    persona: str,
    count: int,
    language: str,
    personas: Personas,
    commune_a: AdminUnit,
    server: Server,
    context: BrowserContext,
    page: Page,
    problems: Problems,
) -> None:
    file_case(reporter=personas.resident, commune=commune_a, description="Ổ gà lớn")
    user = getattr(personas, persona)
    _phone_page(context, server, page, language, user, "/console/dashboard/")
    tables = page.evaluate(TABLES)
    assert len(tables) == count, tables  # per commune, per department of the one
    _assert_readable(tables)
    # The tables of figures are wider than the phone: they scroll in their region.
    assert all(table["scrolls"] for table in tables[:2]), tables
    # The headings' row: 247-349 px before (a word a line, cut mid-word), 94 now.
    assert all(table["headRow"] < 130 for table in tables), tables
    _assert_no_sideways_page(page)
    problems.assert_none()


# Each alert's card: its height, and each cell inside the card and the screen,
# with the name of its figure before it (data-label, shown by console.css).
ALERT_CARD = """() => {
  const row = document.querySelector("table.alerts tbody tr");
  const box = row.getBoundingClientRect();
  const cells = [...row.cells].map(td => {
    const r = td.getBoundingClientRect();
    const label = getComputedStyle(td, "::before").content;
    return {text: td.innerText.trim(), label, labelled: Boolean(td.dataset.label),
            named: !td.dataset.label || label.includes(td.dataset.label + ":"),
            inside: r.width > 0 && r.left >= box.left - 1
              && r.right <= Math.min(box.right, window.innerWidth) + 1};
  });
  return {height: Math.round(box.height), width: Math.round(box.width), cells};
}"""


@pytest.mark.parametrize("language", ["vi", "en"])
def test_the_alerts_are_readable_cards_on_a_phone(
    language: str,
    personas: Personas,
    commune_a: AdminUnit,
    server: Server,
    context: BrowserContext,
    page: Page,
    problems: Problems,
) -> None:
    in_thread(
        lambda: publish(
            personas.officer_a, timezone.now(), commune=commune_a, category="scam_warning"
        )
    )
    _phone_page(context, server, page, language, personas.officer_a, "/console/alerts/")
    tables = page.evaluate(TABLES)
    assert len(tables) == 1, tables
    _assert_readable(tables)
    card = page.evaluate(ALERT_CARD)
    # Every value in the card, each figure after its name.
    assert all(cell["text"] and cell["inside"] for cell in card["cells"]), card
    assert all(cell["named"] for cell in card["cells"]), card
    assert sum(cell["labelled"] for cell in card["cells"]) == 7, card  # all but the text
    # Before: a 326 px table whose headings' row alone was 273-324 px tall.
    assert card["height"] < 300, card
    _assert_no_sideways_page(page)
    # A wide screen keeps the table: eight columns side by side in one row.
    page.set_viewport_size({"width": 1280, "height": 800})
    tops = page.evaluate(
        "[...document.querySelector('table.alerts tbody tr').cells]"
        ".map(td => Math.round(td.getBoundingClientRect().top))"
    )
    assert len(tops) == 8, tops
    assert len(set(tops)) == 1, tops
    problems.assert_none()


# The header's brand and icons: each one's box and name, and whether the nav
# scrolls sideways (it did: one row, the icons that did not fit past the edge).
HEADER = """() => {
  const header = document.querySelector("header.site");
  const nav = header.querySelector("nav");
  const items = [header.querySelector(".brand"), ...nav.querySelectorAll("a, button")];
  return {
    height: Math.round(header.getBoundingClientRect().height),
    navScrolls: nav.scrollWidth > nav.clientWidth,
    boxes: items.map(el => {
      const r = el.getBoundingClientRect();
      return {name: el.textContent.trim(), top: Math.round(r.top), left: Math.round(r.left),
              right: r.right, bottom: r.bottom, width: r.width, height: r.height};
    }),
  };
}"""

# Where the keyboard's focus is: what it names, and whether it is in full view.
FOCUSED = """() => {
  const el = document.activeElement;
  const r = el.getBoundingClientRect();
  return {name: el.textContent.trim(), language: el.name === "language",
          logout: Boolean(el.closest("form[action$='/logout/']")),
          inView: r.left >= 0 && r.right <= window.innerWidth + 1 && r.top >= 0
            && r.bottom <= window.innerHeight + 1,
          scrolled: window.scrollX !== 0
            || document.querySelector("header.site nav").scrollLeft !== 0};
}"""


@pytest.mark.parametrize(
    ("persona", "path"),
    [
        ("officer_a", "/console/"),
        ("officer_a", "/console/cases/{number}/"),
        ("officer_a", "/console/alerts/"),
        ("officer_a", "/console/alerts/new/"),
        ("officer_a", "/console/map/"),
        ("officer_a", "/console/scams/"),
        ("leader_a", "/console/dashboard/"),
        ("province_admin", "/console/audit/"),
    ],
)
def test_the_console_header_shows_language_and_log_out_on_a_phone(
    persona: str,
    path: str,
    personas: Personas,
    commune_a: AdminUnit,
    server: Server,
    context: BrowserContext,
    page: Page,
    problems: Problems,
) -> None:
    """A walk at 360 px: the header scrolled sideways in one row, and its last
    icons, the language button and "Log out", were past the screen's edge.
    Now the icons wrap: all in view, in two rows at most, still 44 px each,
    and the keyboard reaches them in the order they are seen.
    Every console page loads static/console/console.css."""
    ticket = file_case(reporter=personas.resident, commune=commune_a, description="Ổ gà lớn")
    user = getattr(personas, persona)
    _phone_page(context, server, page, "vi", user, path.format(number=ticket.number))
    for control in (
        page.locator("header.site button[name=language]"),
        page.locator("header.site form[action$='/logout/'] button"),
    ):
        box = control.bounding_box()
        assert box is not None
        assert box["x"] >= 0, box
        assert box["x"] + box["width"] <= PHONE["width"], box
        expect(control).to_be_in_viewport(ratio=1)
    header = page.evaluate(HEADER)
    assert not header["navScrolls"], header
    boxes = header["boxes"]
    assert all(b["left"] >= 0 and b["right"] <= PHONE["width"] for b in boxes), boxes
    # Seven to nine icons: two rows of 44 px (one row ran past the edge).
    assert len({b["top"] for b in boxes}) <= 2, boxes
    assert header["height"] < 100, header
    assert all(b["width"] >= 43.5 and b["height"] >= 43.5 for b in boxes[1:]), boxes
    # Seen in the page's order: row by row, left to right.
    assert sorted(boxes, key=lambda b: (b["top"], b["left"])) == boxes, boxes
    _assert_no_sideways_page(page)

    # The keyboard: from the top, Tab reaches the language button, then "Log
    # out", each in view where it stands, nothing scrolled to show it.
    page.locator("body").focus()
    reached = []
    for _ in range(len(boxes) + 2):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED)
        reached.append(focused)
        if focused["logout"]:
            break
    assert [f["language"] for f in reached].count(True) == 1, reached
    assert reached[-1]["logout"], reached
    assert all(f["inView"] and not f["scrolled"] for f in reached), reached
    # And Enter on the language button switches the language.
    page.locator("header.site button[name=language]").focus()
    page.keyboard.press("Enter")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    problems.assert_none()


# --- The queue's first screen on a phone ------------------------------------------
#
# A walk at 360 x 740: under the two-row header (88 px), the title, the search
# box, the map link, eight status chips in four rows (204 px) and the filters
# pushed the first case's foot to 777 px, past the screen's edge. An officer
# opening the queue sees the search box and the first case whole, unscrolled.

FIRST_SCREEN = """() => {
  const row = document.querySelector("table.queue tbody tr");
  const search = document.querySelector(".queue-search input[type=search]").getBoundingClientRect();
  const filters = document.querySelector("details.filters");
  const chips = [...document.querySelectorAll("ul.counts a")].map(a => a.getBoundingClientRect());
  return {
    scrolled: window.scrollY,
    cardBottom: row ? Math.round(row.getBoundingClientRect().bottom) : null,
    searchSeen: search.width > 0 && search.top >= 0 && search.bottom <= window.innerHeight,
    searchHeight: search.height,
    filtersOpen: filters.open,
    summary: filters.querySelector("summary").textContent.trim(),
    chipRows: new Set(chips.map(r => Math.round(r.top))).size,
    chipHeights: chips.map(r => r.height),
  };
}"""

# A chip (the focused one, or the chosen status): its text, and whether it is
# whole inside its row's box and the screen (to the pixel: scrolled to the end,
# the last chip overhung its row by 0.2 px).
CHIP = """(selector) => {
  const el = selector ? document.querySelector(selector) : document.activeElement;
  const r = el.getBoundingClientRect();
  const row = el.closest("ul.counts");
  const box = row ? row.getBoundingClientRect() : r;
  return {text: el.textContent.trim(), chip: Boolean(row),
          inView: r.left >= Math.max(box.left, 0) - 1
            && r.right <= Math.min(box.right, window.innerWidth) + 1
            && r.top >= 0 && r.bottom <= window.innerHeight};
}"""


@pytest.mark.parametrize(
    ("language", "summary"), [("vi", "Bộ lọc: đang dùng 2"), ("en", "Filters: 2 on")]
)
def test_the_first_case_fits_the_first_screen_of_a_phone(
    language: str,
    summary: str,
    personas: Personas,
    commune_a: AdminUnit,
    server: Server,
    context: BrowserContext,
    page: Page,
    problems: Problems,
) -> None:
    file_case(reporter=personas.resident, commune=commune_a, description="Ổ gà lớn")
    _phone_page(context, server, page, language, personas.officer_a, "/console/")
    screen = page.evaluate(FIRST_SCREEN)
    assert screen["scrolled"] == 0, screen
    # Before: the card's foot at 777 px; now 589.
    assert screen["cardBottom"] <= PHONE["height"], screen
    assert screen["searchSeen"], screen
    assert screen["searchHeight"] >= 43.5, screen
    # The chips: one row that scrolls sideways, each still a 44 px target.
    assert screen["chipRows"] == 1, screen
    assert all(height >= 43.5 for height in screen["chipHeights"]), screen
    # No filter on: the filters folded under their summary.
    assert not screen["filtersOpen"], screen
    _assert_no_sideways_page(page)

    # The keyboard reaches every chip, the last one scrolled into view.
    page.locator("ul.counts a").first.focus()
    for _ in range(len(screen["chipHeights"]) - 1):
        page.keyboard.press("Tab")
    focused = page.evaluate(CHIP, None)
    assert focused["chip"], focused
    assert focused["inView"], focused
    assert focused["text"] == page.locator("ul.counts a").last.inner_text(), focused

    # A search: its note and the first case found fit too (before: 964 px).
    page.goto("/console/?q=g%C3%A0")
    screen = page.evaluate(FIRST_SCREEN)
    assert screen["cardBottom"] is not None, screen
    assert screen["cardBottom"] <= PHONE["height"], screen
    assert screen["searchSeen"], screen
    assert not screen["filtersOpen"], screen

    # A status chip tapped: the chip says which, the filters stay folded and
    # the first case of that status still fits (the open panel pushed it off).
    page.locator("ul.counts a").first.click()
    page.wait_for_load_state()
    screen = page.evaluate(FIRST_SCREEN)
    assert not screen["filtersOpen"], screen
    assert screen["cardBottom"] is not None, screen
    assert screen["cardBottom"] <= PHONE["height"], screen

    # Filters on (here two): shown open, the summary says how many. The
    # chosen status, the last chip, is scrolled into view in its row.
    page.goto("/console/?status=transferred&mine=on")
    screen = page.evaluate(FIRST_SCREEN)
    assert screen["filtersOpen"], screen
    assert screen["summary"] == summary, screen
    chosen = page.evaluate(CHIP, "ul.counts a[aria-current]")
    assert chosen["inView"], chosen
    expect(page.locator("details.filters select[name=status]")).to_be_visible()
    expect(page.locator("details.filters input[name=mine]")).to_be_checked()
    problems.assert_none()
