"""Voice notes in Chromium (issue 16): recorded in the page with MediaRecorder
(a fake microphone), sent through the outbox with a progress bar, converted by
the server, and played on the case page."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from geo.models import AdminUnit
from helpdesk.filing import CaseDraft, case_submit
from helpdesk.models import Attachment, Ticket
from tests.browser.conftest import Problems, Server, in_thread, log_in
from tests.browser.test_report_form import PROGRESS_WATCH
from tests.conftest import Personas
from tests.factories import point_inside, voice_note

pytestmark = pytest.mark.browser


def test_the_case_page_plays_the_voice_note(
    personas: Personas,
    commune_a: AdminUnit,
    server: Server,
    context: BrowserContext,
    page: Page,
    problems: Problems,
) -> None:
    lat, lon = point_inside(commune_a)

    def file() -> Ticket:
        draft = CaseDraft(
            service_code="water_supply", lat=lat, lon=lon, voice=voice_note(seconds=3.0)
        )
        return case_submit(reporter=personas.resident, draft=draft).ticket

    ticket = in_thread(file)
    log_in(context, server, personas.resident)
    page.goto(f"/cases/{ticket.number}/")
    audio = page.locator(".voice-note audio")
    expect(audio).to_have_count(1)
    page.wait_for_function(
        "() => { const a = document.querySelector('.voice-note audio');"
        " return a.readyState >= 1 && a.duration > 0; }",
        timeout=10_000,
    )
    duration = page.evaluate("document.querySelector('.voice-note audio').duration")
    assert 2.8 < duration < 3.2
    # It really plays: the clock moves.
    page.evaluate("document.querySelector('.voice-note audio').play()")
    page.wait_for_function(
        "() => document.querySelector('.voice-note audio').currentTime > 0.2", timeout=10_000
    )
    problems.assert_none()


def test_a_recording_made_in_the_page_is_sent_with_the_report(
    personas: Personas,
    commune_a: AdminUnit,
    server: Server,
    context: BrowserContext,
    page: Page,
    problems: Problems,
) -> None:
    log_in(context, server, personas.resident)
    progress: list[int] = []
    page.expose_function("progressShown", lambda value: progress.append(int(value)))
    page.add_init_script(PROGRESS_WATCH)
    page.goto("/report/new/?service=water_supply")
    lat, lon = point_inside(commune_a)
    page.locator("#id_lat").fill(f"{lat:.6f}")
    page.locator("#id_lon").fill(f"{lon:.6f}")
    record = page.locator("#voice-record")
    expect(record).to_be_visible()
    record.click()
    expect(record).to_have_attribute("aria-pressed", "true")
    expect(page.locator("#voice-timer")).to_have_text("0:02", timeout=5_000)
    record.click()
    expect(record).to_have_attribute("aria-pressed", "false")
    expect(page.locator("#voice-preview")).to_be_visible()
    # No words at all: the voice stands in for the description.
    page.locator("#send").click()
    page.wait_for_url(re.compile(r"/cases/[^/]+/submitted/$"), timeout=20_000)
    number = page.locator("strong.number").inner_text().strip()

    ticket = Ticket.objects.get(number=number)
    assert ticket.description == ""
    note = ticket.attachments.get(role=Attachment.Role.VOICE)
    assert note.duration_ms is not None
    assert 1_500 < note.duration_ms < 5_000
    assert progress, "the progress bar never showed"
    problems.assert_none()
