"""Back after a sent reply does not send it again (a helper's walk of the console).

After "Send reply" the case page comes back (post, redirect, get); Back shows
the page the reply was typed on, fetched anew with a new idempotency key, and
Chromium put the sent text back in the box: Send posted it a second time and
the resident got the same SMS twice. The message boxes now carry
autocomplete=off (core/multiline.py SENT_TEXT), which Chromium honours by not
restoring them.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from geo.models import AdminUnit
from helpdesk.models import TicketEvent
from tests.browser.conftest import Problems, Server, file_case, log_in
from tests.conftest import Personas

pytestmark = pytest.mark.browser


def test_back_after_a_sent_reply_leaves_the_box_empty(
    personas: Personas,
    commune_a: AdminUnit,
    server: Server,
    context: BrowserContext,
    page: Page,
    problems: Problems,
) -> None:
    ticket = file_case(reporter=personas.resident, commune=commune_a, description="Ổ gà")
    log_in(context, server, personas.officer_a)
    page.goto(f"/console/cases/{ticket.number}/")
    box = page.locator('textarea[name="reply-body"]')
    box.fill("Chúng tôi đã cử người đến xem")
    page.locator('form[action$="/reply/"] button[type=submit]').click()
    page.wait_for_load_state("load")
    expect(page.locator("main")).to_contain_text("Chúng tôi đã cử người đến xem")
    page.go_back()
    page.wait_for_load_state("load")
    expect(box).to_have_value("")
    replies = TicketEvent.objects.filter(ticket=ticket, body="Chúng tôi đã cử người đến xem")
    assert replies.count() == 1
    problems.assert_none()
