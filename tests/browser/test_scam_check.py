"""The resident's scam check in a real browser: paste, read the red verdict, send it on."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from geo.models import AdminUnit
from helpdesk.models import Ticket
from scams.models import ScamRule
from scams.rule_seed import rules_seed
from tests.browser.conftest import Problems, Server, log_in
from tests.conftest import Personas

pytestmark = pytest.mark.browser

SCAM = "CHUC MUNG quy khach da trung thuong! Nop phi nhan thuong 500k vao so 0356111222"


def test_a_resident_checks_a_scam_and_sends_it_to_the_commune_in_one_tap(
    personas: Personas,
    commune_b: AdminUnit,
    server: Server,
    context: BrowserContext,
    page: Page,
    problems: Problems,
) -> None:
    rules_seed(ScamRule)  # a transactional test starts without the migration's rows
    log_in(context, server, personas.resident)
    page.goto("/")
    page.get_by_role("link", name="Tin nhắn này có lừa đảo không?").click()
    page.get_by_label("Dán tin nhắn, số điện thoại hoặc đường link").fill(SCAM)
    page.locator("details.commune summary").click()
    page.locator("#id_province").select_option("19")
    page.locator('button[value="province"]').click()  # works without JavaScript
    page.locator("#id_commune").select_option(commune_b.code)
    page.locator("#check-message").click()

    verdict = page.locator("#verdict")
    expect(verdict).to_have_class(re.compile(r"verdict-likely_scam"))
    expect(verdict.get_by_role("heading", name="Có thể là lừa đảo")).to_be_visible()
    expect(verdict.locator('li[data-code="fee_before_payout"]')).to_be_visible()
    # The warning colour is the theme's "bad" red, with its icon beside the words.
    color = verdict.locator("h2").evaluate("e => getComputedStyle(e).color")
    assert color == "rgb(179, 38, 30)"
    expect(verdict.locator("h2 svg")).to_have_count(1)

    page.locator("#send-to-commune").dblclick()  # an impatient double tap
    page.wait_for_url(re.compile(r"/cases/[^/]+/submitted/$"))
    ticket = Ticket.objects.get()
    assert ticket.service.code == "scam_message"
    assert ticket.commune == commune_b
    assert "0356111222" in ticket.description
    assert Ticket.objects.count() == 1
    expect(page.locator("strong.number")).to_have_text(ticket.number)
    problems.assert_none()
