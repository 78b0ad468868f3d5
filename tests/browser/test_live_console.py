"""The officer console's case page hears about a change without a reload.

The change is committed by another process's code path (the lifecycle
service, as the resident's reply through the API would be), pushed through
Redis to the uvicorn server, and over its WebSocket to Chromium.
"""

from __future__ import annotations

import pytest
from django.utils import translation
from playwright.sync_api import BrowserContext, Page, expect

from geo.models import AdminUnit
from helpdesk import lifecycle
from helpdesk.models import Ticket, TicketEvent, TicketStatus
from tests.browser.conftest import (
    Problems,
    Server,
    file_case,
    frames_of,
    in_thread,
    log_in,
    wait_for_frame,
)
from tests.conftest import Personas

pytestmark = pytest.mark.browser


def test_console_case_page_shows_a_reply_pushed_while_open(
    personas: Personas,
    commune_a: AdminUnit,
    server: Server,
    context: BrowserContext,
    page: Page,
    problems: Problems,
) -> None:
    ticket = file_case(
        reporter=personas.resident, commune=commune_a, description="Ổ gà đường Hoàng Văn Thụ"
    )
    log_in(context, server, personas.officer_a)
    frames = frames_of(page, f"/ws/cases/{ticket.number}/")
    page.goto(f"/console/cases/{ticket.number}/")
    # "synced": the socket has caught up with the database; from now on only
    # pushes can bring news, so what follows is not a catch-up read.
    wait_for_frame(page, frames, '"synced"')

    live = page.locator(f'[data-live-case="{ticket.number}"]')
    banner = live.locator("[data-live-banner]")
    expect(banner).to_be_hidden()
    page.evaluate(
        """number => {
          window.pushed = [];
          document.querySelector('[data-live-case="' + number + '"]')
            .addEventListener("xadesk:event", e => window.pushed.push(e.detail));
        }""",
        ticket.number,
    )

    def reply() -> TicketEvent:
        fresh = Ticket.objects.get(pk=ticket.pk)
        return lifecycle.ticket_reply(
            ticket=fresh, by=personas.resident, body="Ổ gà càng ngày càng to"
        )

    event = in_thread(reply)
    # The new entry is put in place, from the server's own rendering.
    expect(page.locator(f'ol.timeline li[data-event="{event.pk}"]')).to_contain_text(
        "Ổ gà càng ngày càng to", timeout=5_000
    )
    pushed = page.evaluate("window.pushed")
    assert [e["id"] for e in pushed] == [event.pk]
    assert pushed[0]["kind"] == TicketEvent.Kind.REPLY
    expect(banner).to_be_hidden()  # a reply changes nothing the officer can do

    # A colleague accepts it (here: the same officer, from another device).
    in_thread(
        lambda: lifecycle.ticket_accept(
            ticket=Ticket.objects.get(pk=ticket.pk), by=personas.officer_a
        )
    )
    with translation.override("vi"):  # the pages' default language
        accepted = str(TicketStatus.ACCEPTED.label)
    expect(page.locator('[data-live-part="facts"] .status')).to_have_text(accepted, timeout=5_000)
    # What can be done now differs (its forms are not swapped under the
    # officer's typing): the page offers a reload, and that shows them.
    expect(banner).to_be_visible()
    assert page.evaluate("window.pushed.length") == 2  # no reload happened
    banner.get_by_role("link").click()
    expect(page.locator("form.action-start")).to_be_visible()
    problems.assert_none()


def test_queue_shows_new_and_changed_cases_without_a_reload(
    personas: Personas,
    commune_a: AdminUnit,
    server: Server,
    context: BrowserContext,
    page: Page,
    problems: Problems,
) -> None:
    first = file_case(reporter=personas.resident, commune=commune_a, description="Rác ở chợ")
    log_in(context, server, personas.officer_a)
    frames = frames_of(page, "/ws/queue/")
    page.goto("/console/")
    rows = page.locator("tbody[data-live-rows] tr")
    expect(page.locator(f'tr[data-case="{first.number}"]')).to_be_visible()
    wait_for_frame(page, frames, '"subscribed"')
    page.evaluate("window.notReloaded = true")
    shown_before = rows.count()

    second = file_case(reporter=personas.resident, commune=commune_a, description="Cống tắc")
    new_row = page.locator(f'tr[data-case="{second.number}"]')
    expect(new_row).to_be_visible(timeout=5_000)
    expect(rows).to_have_count(shown_before + 1)
    expect(rows.first).to_have_attribute("data-case", second.number)

    in_thread(
        lambda: lifecycle.ticket_accept(
            ticket=Ticket.objects.get(pk=first.pk), by=personas.officer_a
        )
    )
    with translation.override("vi"):  # the pages' default language
        accepted = str(TicketStatus.ACCEPTED.label)
    expect(page.locator(f'tr[data-case="{first.number}"] .status')).to_have_text(
        accepted, timeout=5_000
    )
    assert page.evaluate("window.notReloaded === true")
    problems.assert_none()
