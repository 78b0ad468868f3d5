"""The resident's case page changes in place when the commune acts: no reload, no banner to read."""

from __future__ import annotations

import pytest
from django.utils import translation
from django.utils.translation import gettext as _
from playwright.sync_api import BrowserContext, Page, expect

from geo.models import AdminUnit
from helpdesk import lifecycle
from helpdesk.models import Ticket, TicketStatus
from reports.presenters import department_name
from tests.browser.conftest import (
    Problems,
    Server,
    in_thread,
    open_live_case_page,
)
from tests.conftest import Personas
from tests.factories import jpeg

pytestmark = pytest.mark.browser


def test_residents_case_page_shows_the_new_status_and_reply_in_place(
    personas: Personas,
    commune_a: AdminUnit,
    server: Server,
    context: BrowserContext,
    page: Page,
    problems: Problems,
) -> None:
    ticket = open_live_case_page(personas, commune_a, server, context, page, "Cống tắc")

    def accept_reply_and_note() -> None:
        fresh = Ticket.objects.get(pk=ticket.pk)
        fresh = lifecycle.ticket_accept(ticket=fresh, by=personas.officer_a)
        lifecycle.ticket_reply(ticket=fresh, by=personas.officer_a, body="Chiều nay đội đến.")
        lifecycle.ticket_reply(
            ticket=fresh, by=personas.officer_a, body="Ghi chú nội bộ", internal=True
        )

    in_thread(accept_reply_and_note)
    with translation.override("vi"):
        accepted = str(TicketStatus.ACCEPTED.label)
    expect(page.locator('[data-live-part="status"] .status')).to_have_text(accepted, timeout=5_000)
    timeline = page.locator('[data-live-part="timeline"]')
    expect(timeline).to_contain_text("Chiều nay đội đến.", timeout=5_000)
    expect(timeline).not_to_contain_text("Ghi chú nội bộ")
    assert page.evaluate("window.notReloaded === true")
    problems.assert_none()


def test_residents_case_page_shows_the_new_department_after_a_transfer_in_place(
    personas: Personas,
    commune_a: AdminUnit,
    server: Server,
    context: BrowserContext,
    page: Page,
    problems: Problems,
) -> None:
    """Found by a helper on a phone: after a transfer the status changed in place,
    but "Handled by" still named the old department until a reload."""
    ticket = open_live_case_page(personas, commune_a, server, context, page, "Cống tắc")
    facts = page.locator('[data-live-part="facts"]')
    with translation.override("vi"):
        before = department_name(ticket)
    expect(facts).to_contain_text(before)

    def transfer() -> str:
        fresh = Ticket.objects.get(pk=ticket.pk)
        target = lifecycle.transfer_targets(ticket=fresh).first()
        assert target is not None
        moved = lifecycle.ticket_transfer(
            ticket=fresh, by=personas.officer_a, department=target, reason="Đúng phòng hơn"
        )
        with translation.override("vi"):
            return department_name(moved)

    after = in_thread(transfer)
    assert after != before
    expect(facts).to_contain_text(after, timeout=5_000)
    expect(facts).not_to_contain_text(before)
    assert page.evaluate("window.notReloaded === true")
    problems.assert_none()


def test_residents_case_page_shows_the_after_photo_of_a_resolution_in_place(
    personas: Personas,
    commune_a: AdminUnit,
    server: Server,
    context: BrowserContext,
    page: Page,
    problems: Problems,
) -> None:
    """Found by a helper on a phone: the status and the note of a resolution came
    in place, the "after" photo only with a reload; and photos said what they
    show only to screen readers."""
    ticket = open_live_case_page(personas, commune_a, server, context, page, "Cống tắc")
    photos = page.locator('[data-live-part="photos"]')
    with translation.override("vi"):
        after_work = str(_("Photo after the work"))
    expect(photos.locator(".caption", has_text=after_work)).to_have_count(0)

    def resolve_with_a_photo() -> None:
        fresh = Ticket.objects.get(pk=ticket.pk)
        fresh = lifecycle.ticket_accept(ticket=fresh, by=personas.officer_a)
        lifecycle.ticket_resolve(
            ticket=fresh, by=personas.officer_a, note="Đã thông cống.", photos=[jpeg()]
        )

    in_thread(resolve_with_a_photo)
    expect(photos.locator(".caption", has_text=after_work)).to_have_count(1, timeout=5_000)
    expect(page.locator('[data-live-part="timeline"]')).to_contain_text("Đã thông cống.")
    assert page.evaluate("window.notReloaded === true")
    problems.assert_none()
