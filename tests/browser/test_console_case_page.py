"""The console's case page, walked on a 360 px phone and with the keyboard alone.

After each action the page opened at its top: the officer lost their place
(a keyboard or screen-reader user started again from the header; on a phone
they scrolled back down). It now opens at the result, which has the focus.
On a phone six action forms stood between the case's facts and its timeline;
the timeline now comes first, a link at the top leads to the actions, and the
Tab key meets the page's parts in the order they are seen, on a phone and on a
wide screen (where the actions stay above the timeline).
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import BrowserContext, Page, ViewportSize, expect

from geo.models import AdminUnit
from helpdesk import lifecycle
from helpdesk.models import Ticket, TicketStatus
from tests.browser.a11y import PHONE
from tests.browser.conftest import Problems, Server, file_case, in_thread, log_in
from tests.browser.test_keyboard import FOCUSED, tab_to
from tests.conftest import Personas

pytestmark = pytest.mark.browser

WIDE: ViewportSize = {"width": 1280, "height": 800}

# Where the focus is, whether it shows, and whether it is on the screen.
FOCUS = """() => {
  const el = document.activeElement;
  const r = el.getBoundingClientRect();
  return {id: el.id, text: el.innerText.trim(),
          outline: getComputedStyle(el).outlineStyle !== "none",
          inView: r.bottom > 0 && r.top < window.innerHeight, top: r.top};
}"""

# The page's parts (main's children, and the parts of the timeline-and-actions
# block) in the order the Tab key meets their controls, each with its top on
# the page; and the tops of the timeline and of the actions.
PARTS = """() => {
  const tabbable = 'a[href], button, input:not([type=hidden]), select, textarea, audio[controls], '
    + '[tabindex]:not([tabindex="-1"])';
  const main = document.querySelector("main");
  const work = document.querySelector("[data-live-case]");
  const partOf = el => {
    let node = el;
    while (node.parentElement !== work && node.parentElement !== main) node = node.parentElement;
    return node;
  };
  const top = el => Math.round(el.getBoundingClientRect().top + window.scrollY);
  const parts = [];
  for (const el of main.querySelectorAll(tabbable)) {
    const r = el.getBoundingClientRect();
    if (r.width === 0 && r.height === 0) continue;  // not shown: not reached by Tab
    const part = partOf(el);
    if (!parts.length || parts[parts.length - 1].node !== part) {
      parts.push({node: part, top: top(part), name: part.className || part.tagName});
    }
  }
  const timeline = document.querySelector("ol.timeline");
  return {
    parts: parts.map(p => ({name: p.name, top: p.top})),
    timeline: top(timeline),
    actions: top(document.querySelector("#actions-heading")),
    inTimeline: timeline.closest("section").querySelectorAll(tabbable).length,
  };
}"""


def _case_page(
    context: BrowserContext, server: Server, page: Page, personas: Personas, commune: AdminUnit
) -> Ticket:
    ticket = file_case(reporter=personas.resident, commune=commune, description="Ổ gà lớn")
    log_in(context, server, personas.officer_a)
    page.goto(f"/console/cases/{ticket.number}/")
    return ticket


def _assert_tab_order_is_the_seen_order(page: Page) -> dict[str, Any]:
    # The live banner's reload link too, which a push shows.
    page.evaluate("document.querySelector('[data-live-banner]').hidden = false")
    found: dict[str, Any] = page.evaluate(PARTS)
    tops = [part["top"] for part in found["parts"]]
    assert tops == sorted(tops), found["parts"]
    # Nothing in the timeline takes the Tab key: where it is placed moves no stop.
    assert found["inTimeline"] == 0, found
    page.evaluate("document.querySelector('[data-live-banner]').hidden = true")
    return found


@pytest.mark.parametrize("viewport", [PHONE, WIDE], ids=["phone", "wide"])
def test_after_an_action_the_page_opens_at_its_result_with_the_focus_on_it(
    viewport: ViewportSize,
    personas: Personas,
    commune_a: AdminUnit,
    server: Server,
    context: BrowserContext,
    page: Page,
    problems: Problems,
) -> None:
    page.set_viewport_size(viewport)
    ticket = _case_page(context, server, page, personas, commune_a)
    tab_to(page, "form.action-accept button[type=submit]")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(re.escape(f"/console/cases/{ticket.number}/") + "#messages$"))
    focus = page.evaluate(FOCUS)
    assert focus["id"] == "messages", focus
    assert focus["inView"], focus
    assert focus["outline"], focus
    assert page.locator("#messages").get_attribute("role") == "status"
    accepted = focus["text"]
    # The next action is reached from there, not from the header.
    tab_to(page, "form.action-reply textarea", limit=40)
    page.keyboard.type("Chiều nay đội đến vá.")
    tab_to(page, "form.action-reply button[type=submit]")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    focus = page.evaluate(FOCUS)
    assert focus["id"] == "messages", focus
    assert focus["inView"], focus
    assert focus["text"] not in ("", accepted), focus
    problems.assert_none()


def test_a_step_the_case_moved_past_opens_with_the_focus_on_the_sentence(
    personas: Personas,
    commune_a: AdminUnit,
    server: Server,
    context: BrowserContext,
    page: Page,
    problems: Problems,
) -> None:
    page.set_viewport_size(PHONE)
    ticket = _case_page(context, server, page, personas, commune_a)
    in_thread(
        lambda: lifecycle.ticket_reject(
            ticket=Ticket.objects.get(pk=ticket.pk), by=personas.leader_a, reason="Không thuộc xã"
        )
    )
    tab_to(page, "form.action-accept button[type=submit]")
    page.keyboard.press("Enter")
    summary = page.locator(".error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_be_in_viewport()
    rejected = page.evaluate("() => document.querySelector('.status-label').innerText")
    expect(summary).to_contain_text(f"“{rejected}”")
    expect(page.locator("form.action-accept")).to_have_count(0)
    assert Ticket.objects.get(pk=ticket.pk).status == TicketStatus.REJECTED
    problems.assert_no_page_errors()  # the refused post's 409 is a console line


def test_on_a_phone_the_timeline_comes_before_the_actions_a_link_away(
    personas: Personas,
    commune_a: AdminUnit,
    server: Server,
    context: BrowserContext,
    page: Page,
    problems: Problems,
) -> None:
    page.set_viewport_size(PHONE)
    _case_page(context, server, page, personas, commune_a)
    found = page.evaluate(PARTS)
    # Before: the timeline at 2,851 px, under every action form (from 990 px).
    assert found["timeline"] < found["actions"], found
    assert found["timeline"] < PHONE["height"] * 2, found
    _assert_tab_order_is_the_seen_order(page)
    # The link at the top leads to the actions; the next Tab is their first field.
    tab_to(page, "a[href='#actions-heading']", limit=20)
    page.keyboard.press("Enter")
    focus = page.evaluate(FOCUS)
    assert focus["id"] == "actions-heading", focus
    assert focus["inView"], focus
    page.keyboard.press("Tab")
    assert page.evaluate(FOCUSED, "form.action:first-of-type :is(input, select, textarea, button)")
    problems.assert_none()


def test_on_a_wide_screen_the_actions_stay_above_the_timeline(
    personas: Personas,
    commune_a: AdminUnit,
    server: Server,
    context: BrowserContext,
    page: Page,
    problems: Problems,
) -> None:
    page.set_viewport_size(WIDE)
    _case_page(context, server, page, personas, commune_a)
    found = _assert_tab_order_is_the_seen_order(page)
    assert found["actions"] < found["timeline"], found
    # The actions are in sight there: no link to them.
    expect(page.locator("a[href='#actions-heading']")).to_be_hidden()
    problems.assert_none()
