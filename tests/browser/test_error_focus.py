"""Where the focus goes when a form is refused, with the keyboard alone.

A reviewer walked the site by keyboard: after a refusal the focus was on the
top of the page (the body) on the login pages, the console's empty "Send
reply" and the resident's empty "Send", and an empty report's top line named
the photos (step 3) only, with the focus there, though the place (step 1) was
refused too. GOV.UK's error summary is the pattern: a summary at the top, each
refused input a link to it, the input marked invalid and described by its
sentence, and the focus where the person can act on it.

Only ``page.keyboard`` acts; the test reads the page to know where the focus
is. A page the server sends after a refused post puts the focus on its summary
(autofocus, so without a script too); a script that refuses in the page puts
it on the first refused input in the page's order (static/reports/intake.js,
static/reports/reply.js).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Locator, Page, expect

from geo.models import AdminUnit
from helpdesk.models import Ticket, TicketEvent
from tests.browser.conftest import Problems, Server, _only_local, file_case, log_in, sms_code
from tests.browser.test_keyboard import FOCUSED, tab_to
from tests.conftest import Personas

pytestmark = pytest.mark.browser

FORM = "/report/new/?service=road_damage"
SUMMARY = ".error-summary"


@pytest.fixture
def no_script(
    browser: Browser, browser_context_args: dict[str, Any], server: Server
) -> Iterator[BrowserContext]:
    """A browser with JavaScript off: what the server's page does alone."""
    context = browser.new_context(**browser_context_args, java_script_enabled=False)
    context.route("**/*", _only_local)
    context.set_default_timeout(10_000)
    try:
        yield context
    finally:
        context.close()


def description(page: Page, element_id: str) -> str:
    """What a screen reader reads after the element's name: its aria-describedby."""
    return str(
        page.evaluate(
            """id => (document.getElementById(id).getAttribute("aria-describedby") || "")
                .split(" ").filter(Boolean)
                .map(d => document.getElementById(d).textContent.trim()).join(" ")""",
            element_id,
        )
    )


def assert_summary_focused(page: Page) -> None:
    """The page opened with the focus on its summary, and the focus shows."""
    expect(page.locator(SUMMARY)).to_be_focused()
    assert page.evaluate(FOCUSED, SUMMARY) == {"outline": True}, "no visible focus"


def follow_link(page: Page, link: Locator, target: str) -> None:
    """From the focused summary, Tab to ``link`` and press Enter: the focus goes
    to the refused input."""
    page.keyboard.press("Tab")
    expect(link).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator(target)).to_be_focused()


def assert_marked(page: Page, element_id: str, sentence: str) -> None:
    expect(page.locator(f"#{element_id}")).to_have_attribute("aria-invalid", "true")
    assert sentence in description(page, element_id)


# --- Pages the server sends after a refused post -------------------------------------


def test_a_bad_number_puts_the_focus_on_the_summary_whose_link_leads_to_the_box(
    server: Server, page: Page, problems: Problems
) -> None:
    page.goto("/accounts/login/")
    tab_to(page, "#id_phone")
    page.keyboard.type("12345")
    page.keyboard.press("Enter")
    assert_summary_focused(page)
    link = page.locator(f"{SUMMARY} a")
    expect(link).to_have_attribute("href", "#id_phone")
    sentence = link.inner_text()
    assert sentence
    follow_link(page, link, "#id_phone")
    assert_marked(page, "id_phone", sentence)
    problems.assert_none()


def test_a_wrong_code_puts_the_focus_on_the_summary_whose_link_leads_to_the_box(
    personas: Personas, server: Server, sms_file: Path, page: Page, problems: Problems
) -> None:
    phone = personas.digital_team.phone
    page.goto("/accounts/login/")
    tab_to(page, "#id_phone")
    page.keyboard.type(phone)
    page.keyboard.press("Enter")
    page.wait_for_url("**/accounts/login/code/**")
    wrong = f"{(int(sms_code(sms_file, phone)) + 1) % 1_000_000:06d}"
    tab_to(page, "#id_code")
    page.keyboard.type(wrong)
    page.keyboard.press("Enter")
    assert_summary_focused(page)
    link = page.locator(f"{SUMMARY} a")
    expect(link).to_have_attribute("href", "#id_code")
    follow_link(page, link, "#id_code")
    assert_marked(page, "id_code", link.inner_text())
    problems.assert_none()


def test_a_wrong_console_password_focuses_the_summary_not_the_number_box(
    personas: Personas, server: Server, page: Page, problems: Problems
) -> None:
    """The login form puts the focus on its number box (Django's autofocus);
    after a refusal the summary above it comes first and takes it."""
    page.goto("/console/login/")
    expect(page.locator("#id_username")).to_be_focused()
    page.keyboard.type(personas.officer_a.phone)
    tab_to(page, "#id_password")
    page.keyboard.type("not the password")
    page.keyboard.press("Enter")
    assert_summary_focused(page)
    expect(page.locator(SUMMARY)).not_to_be_empty()
    problems.assert_none()


def test_an_empty_console_reply_focuses_the_summary_and_keeps_the_case_address(
    personas: Personas,
    commune_a: AdminUnit,
    server: Server,
    context: BrowserContext,
    page: Page,
    problems: Problems,
) -> None:
    ticket = file_case(reporter=personas.resident, commune=commune_a, description="Ổ gà")
    case_url = f"/console/cases/{ticket.number}/"
    log_in(context, server, personas.officer_a)
    page.goto(case_url)
    tab_to(page, "form.action-reply button[type=submit]", limit=200)
    page.keyboard.press("Enter")
    assert_summary_focused(page)
    # The case page's address, not the action's (/reply/), which has no page.
    expect(page).to_have_url(re.compile(re.escape(case_url) + "$"))
    link = page.locator(f"{SUMMARY} a")
    expect(link).to_have_attribute("href", "#id_reply-body")
    sentence = link.inner_text()
    assert "Please correct the form below" not in sentence
    follow_link(page, link, "#id_reply-body")
    assert_marked(page, "id_reply-body", sentence)
    page.reload()
    expect(page.locator(SUMMARY)).to_have_count(0)
    expect(page.locator("form.action-reply textarea")).to_be_visible()
    assert not TicketEvent.objects.filter(ticket=ticket, kind=TicketEvent.Kind.REPLY).exists()
    problems.assert_no_page_errors()  # the refused post's 422 is a console line


def test_an_empty_message_without_a_script_focuses_the_summary_linked_to_the_box(
    personas: Personas, commune_a: AdminUnit, server: Server, no_script: BrowserContext
) -> None:
    ticket = file_case(reporter=personas.resident, commune=commune_a, description="Đèn tắt")
    log_in(no_script, server, personas.resident)
    page = no_script.new_page()
    page.goto(f"/cases/{ticket.number}/")
    tab_to(page, "form[data-outbox-reply] button[type=submit]", limit=200)
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/cases/{ticket.number}/reply/")
    assert_summary_focused(page)
    link = page.locator(f"{SUMMARY} a")
    expect(link).to_have_attribute("href", "#id_reply-body")
    follow_link(page, link, "#id_reply-body")
    assert_marked(page, "id_reply-body", link.inner_text())


def test_an_empty_report_without_a_script_lists_the_place_then_the_photos(
    personas: Personas, server: Server, no_script: BrowserContext
) -> None:
    log_in(no_script, server, personas.resident)
    page = no_script.new_page()
    page.goto(FORM)
    tab_to(page, "#send", limit=120)
    page.keyboard.press("Enter")
    page.wait_for_url("**/report/new/")
    assert_summary_focused(page)
    links = page.locator(f"{SUMMARY} a")
    expect(links).to_have_count(2)
    expect(links.nth(0)).to_have_attribute("href", "#place")
    expect(links.nth(1)).to_have_attribute("href", "#photos")
    follow_link(page, links.nth(0), "#place")
    assert links.nth(0).inner_text() in description(page, "place")
    assert_marked(page, "photos", links.nth(1).inner_text())
    assert not Ticket.objects.filter(reporter=personas.resident).exists()


# --- Refused in the page, by its script ---------------------------------------------


def test_an_empty_report_lists_every_refusal_in_the_pages_order_and_focuses_the_first(
    personas: Personas, server: Server, context: BrowserContext, page: Page, problems: Problems
) -> None:
    """The answer names the photos first; the page shows the place first."""
    log_in(context, server, personas.resident)
    page.goto(FORM)
    tab_to(page, "#send", limit=120)
    page.keyboard.press("Enter")
    expect(page.locator("#place")).to_be_focused()
    links = page.locator("#form-error a")
    expect(links).to_have_count(2)
    expect(links.nth(0)).to_have_attribute("href", "#place")
    expect(links.nth(1)).to_have_attribute("href", "#photos")
    check = page.evaluate("self.XADESK_TEXTS.form.check")
    expect(page.locator("#form-error")).to_contain_text(check)
    # Each link says its input's own sentence, which describes the input.
    assert_marked(page, "place", links.nth(0).inner_text())
    assert_marked(page, "photos", links.nth(1).inner_text())
    # The second link leads to the photos.
    tab_to(page, "#form-error a[href='#photos']", limit=120)
    page.keyboard.press("Enter")
    expect(page.locator("#photos")).to_be_focused()
    assert not Ticket.objects.filter(reporter=personas.resident).exists()
    problems.assert_no_page_errors()


def test_an_empty_message_is_refused_in_the_page_with_the_focus_on_the_box(
    personas: Personas,
    commune_a: AdminUnit,
    server: Server,
    context: BrowserContext,
    page: Page,
    problems: Problems,
) -> None:
    ticket = file_case(reporter=personas.resident, commune=commune_a, description="Rác")
    case_url = f"/cases/{ticket.number}/"
    log_in(context, server, personas.resident)
    page.goto(case_url)
    page.evaluate("window.notReloaded = true")
    tab_to(page, "form[data-outbox-reply] button[type=submit]", limit=200)
    page.keyboard.press("Enter")
    body = page.locator('textarea[name="reply-body"]')
    expect(body).to_be_focused()
    empty = page.evaluate("self.XADESK_TEXTS.reply.empty")
    expect(page.locator("#reply-error")).to_have_text(empty)
    assert_marked(page, str(body.get_attribute("id")), empty)
    # Said in the page: no post, no new page, the same address.
    assert page.evaluate("window.notReloaded === true")
    expect(page).to_have_url(re.compile(re.escape(case_url) + "$"))
    assert not TicketEvent.objects.filter(ticket=ticket, kind=TicketEvent.Kind.REPLY).exists()
    problems.assert_none()
