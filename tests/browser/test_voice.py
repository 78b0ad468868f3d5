"""Voice notes in Chromium (issue 16): recorded in the page with MediaRecorder
(a fake microphone), sent through the outbox with a progress bar, converted by
the server, and played on the case page. One way at a time: the file picker
folds away where the page can record, and is the way where it cannot (or
without JavaScript). A resident answers the commune by speaking, on the case
page, with the same recorder."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, FilePayload, Locator, Page, expect

from geo.models import AdminUnit
from helpdesk import lifecycle
from helpdesk.filing import CaseDraft, case_submit
from helpdesk.models import Attachment, Ticket, TicketEvent
from tests.browser.conftest import (
    Problems,
    Server,
    _only_local,
    file_case,
    in_thread,
    log_in,
    open_live_case_page,
)
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


FORMS = ["/report/new/?service=water_supply", "/help/new/"]


@pytest.mark.parametrize("path", FORMS)
def test_where_the_page_can_record_the_file_picker_is_folded_away(
    personas: Personas,
    server: Server,
    context: BrowserContext,
    page: Page,
    problems: Problems,
    path: str,
) -> None:
    """Found on a phone: the file picker beside the Record button, two ways to
    do one thing, confused a person who reads little."""
    log_in(context, server, personas.resident)
    page.goto(path)
    expect(page.locator("#voice-record")).to_be_visible()
    picker = page.locator("#voice")
    expect(picker).to_be_hidden()
    # Tapping the title does not open the folded picker behind it.
    choosers: list[object] = []
    page.on("filechooser", lambda chooser: choosers.append(chooser))
    page.locator("#voice-box .voice-title").click()
    page.wait_for_timeout(300)
    assert choosers == []
    choose = page.locator("#voice-choose")
    expect(choose).to_be_visible()
    expect(choose).to_have_attribute("aria-expanded", "false")
    # Still there for a recording made with the phone's own app.
    choose.click()
    expect(choose).to_have_attribute("aria-expanded", "true")
    expect(picker).to_be_visible()
    choose.click()
    expect(picker).to_be_hidden()
    problems.assert_none()


@pytest.mark.parametrize("path", FORMS)
def test_without_a_recorder_the_file_picker_is_the_way(
    personas: Personas,
    server: Server,
    context: BrowserContext,
    page: Page,
    problems: Problems,
    path: str,
) -> None:
    """An old phone without MediaRecorder: no Record button that does nothing,
    no fold: the file picker, with its plain label."""
    page.add_init_script("delete window.MediaRecorder")
    log_in(context, server, personas.resident)
    page.goto(path)
    picker = page.locator("#voice")
    expect(picker).to_be_visible()
    expect(page.locator("label[for=voice]")).to_be_visible()
    expect(page.locator("#voice-record")).to_be_hidden()
    expect(page.locator("#voice-choose")).to_be_hidden()
    problems.assert_none()


def test_a_refused_microphone_unfolds_the_file_picker(
    personas: Personas,
    server: Server,
    context: BrowserContext,
    page: Page,
    problems: Problems,
) -> None:
    # The microphone refused (a "Block" in the permission prompt).
    page.add_init_script(
        "navigator.mediaDevices.getUserMedia = () =>"
        " Promise.reject(new DOMException('denied', 'NotAllowedError'));"
    )
    log_in(context, server, personas.resident)
    page.goto("/report/new/?service=water_supply")
    expect(page.locator("#voice")).to_be_hidden()
    page.locator("#voice-record").click()
    texts = page.evaluate("self.XADESK_TEXTS.form")
    expect(page.locator("#voice-status")).to_have_text(texts["voiceDenied"])
    expect(page.locator("#voice")).to_be_visible()  # "choose a recording from your phone"
    # As a page that cannot record: no Record, and no "Or choose…" to fold
    # the picker away again (a phone walk found the words pointing at nothing).
    expect(page.locator("#voice-record")).to_be_hidden()
    expect(page.locator("#voice-choose")).to_be_hidden()
    problems.assert_none()


def test_without_javascript_the_file_picker_shows_and_is_sent(
    personas: Personas,
    commune_a: AdminUnit,
    server: Server,
    browser: Browser,
    browser_context_args: dict[str, Any],
) -> None:
    ticket = file_case(reporter=personas.resident, commune=commune_a, description="Ổ gà")
    context = browser.new_context(**browser_context_args, java_script_enabled=False)
    try:
        context.route("**/*", _only_local)
        log_in(context, server, personas.resident)
        page = context.new_page()
        page.goto("/report/new/?service=water_supply")
        expect(page.locator("#voice")).to_be_visible()
        expect(page.locator("#voice-record")).to_be_hidden()
        expect(page.locator("#voice-choose")).to_be_hidden()

        page.goto(f"/cases/{ticket.number}/")
        form = page.locator("form[data-outbox-reply]")
        picker = form.locator('input[type=file][name="reply-voice"]')
        expect(picker).to_be_visible()
        expect(form.locator("#voice-record")).to_be_hidden()
        picker.set_input_files(
            {"name": "voice.ogg", "mimeType": "audio/ogg", "buffer": voice_note(seconds=2.0)}
        )
        with page.expect_navigation():
            form.locator("button[type=submit]").click()
        expect(page.locator("ul.messages")).to_be_visible()  # "sent", after the redirect
        note = ticket.attachments.get(role=Attachment.Role.VOICE)
        assert note.event is not None
        assert note.event.kind == TicketEvent.Kind.REPLY
    finally:
        context.close()


def _record(page: Page, seconds: int) -> None:
    record = page.locator("#voice-record")
    record.click()
    expect(record).to_have_attribute("aria-pressed", "true")
    expect(page.locator("#voice-timer")).to_have_text(f"0:0{seconds}", timeout=5_000)
    record.click()
    expect(record).to_have_attribute("aria-pressed", "false")
    expect(page.locator("#voice-preview")).to_be_visible()


def _voice_reply(ticket: Ticket) -> Attachment:
    note = ticket.attachments.get(role=Attachment.Role.VOICE)
    assert note.event is not None
    assert note.event.kind == TicketEvent.Kind.REPLY
    assert note.duration_ms is not None
    return note


def test_a_resident_answers_the_commune_by_speaking_on_the_case_page(
    personas: Personas,
    commune_a: AdminUnit,
    server: Server,
    context: BrowserContext,
    page: Page,
    problems: Problems,
) -> None:
    """Found on a phone: the reply's voice note was a bare file picker; the
    report form's recorder is there now."""
    ticket = file_case(reporter=personas.resident, commune=commune_a, description="Ổ gà")
    log_in(context, server, personas.resident)
    page.goto(f"/cases/{ticket.number}/")
    form = page.locator("form[data-outbox-reply]")
    expect(form.locator("#voice-record")).to_be_visible()
    expect(form.locator('input[name="reply-voice"]')).to_be_hidden()
    _record(page, 2)
    texts = page.evaluate("self.XADESK_TEXTS")
    ready = texts["form"]["voiceReadyMessage"].split("%s")[0]
    expect(page.locator("#voice-status")).to_contain_text(ready)
    # No words: the voice is the message.
    form.locator("button[type=submit]").click()
    expect(page.locator("#reply-status")).to_have_text(texts["reply"]["sent"], timeout=20_000)
    note = _voice_reply(ticket)
    assert 1_500 < (note.duration_ms or 0) < 5_000
    # The form is empty for the next message: no recording left in it.
    expect(page.locator("#voice-preview")).to_be_hidden()
    assert page.evaluate("window.XaDeskVoice.blob()") is None
    problems.assert_none()


def test_a_push_while_recording_a_reply_keeps_the_recording(
    personas: Personas,
    commune_a: AdminUnit,
    server: Server,
    context: BrowserContext,
    page: Page,
    problems: Problems,
) -> None:
    """The reply form is a live part: the commune acting while the resident
    speaks puts a new copy of it in place, and the recording goes on in it."""
    ticket = open_live_case_page(personas, commune_a, server, context, page, "Cống tắc")
    record = page.locator("#voice-record")
    record.click()
    expect(record).to_have_attribute("aria-pressed", "true")
    page.evaluate("window.formsBefore = document.querySelector('[data-live-part=forms]')")

    def answer() -> None:
        lifecycle.ticket_reply(
            ticket=Ticket.objects.get(pk=ticket.pk), by=personas.officer_a, body="Bác nói đi ạ."
        )

    in_thread(answer)
    expect(page.locator('[data-live-part="timeline"]')).to_contain_text("Bác nói đi ạ.")
    # A new copy of the form, still recording: Stop stops it.
    page.wait_for_function(
        "() => document.querySelector('[data-live-part=forms]') !== window.formsBefore"
    )
    expect(record).to_have_attribute("aria-pressed", "true")
    # The button pressed to record still has the focus: it was left on
    # nothing, and a screen reader went back to the top of the page.
    expect(record).to_be_focused()
    expect(page.locator("#voice-timer")).not_to_have_text("0:00")
    record.click()
    expect(record).to_have_attribute("aria-pressed", "false")
    expect(page.locator("#voice-preview")).to_be_visible()
    # With the recording in it, the form is left alone by the next push.
    in_thread(answer)
    expect(page.locator("[data-live-typing]")).to_be_visible()
    expect(page.locator("#voice-preview")).to_be_visible()
    page.locator("form[data-outbox-reply] button[type=submit]").click()
    texts = page.evaluate("self.XADESK_TEXTS.reply")
    expect(page.locator("#reply-status")).to_have_text(texts["sent"], timeout=20_000)
    _voice_reply(ticket)
    assert page.evaluate("window.notReloaded === true")
    problems.assert_none()


def test_a_refused_voice_note_is_marked_at_its_opened_picker(
    personas: Personas,
    commune_a: AdminUnit,
    server: Server,
    context: BrowserContext,
    page: Page,
    problems: Problems,
) -> None:
    """A refusal is shown at its field (reports/views/refusal.py, intake.js): for
    a voice note, that field is folded away where the page can record, so the
    fold opens with it."""
    log_in(context, server, personas.resident)
    page.goto(FORMS[0])
    lat, lon = point_inside(commune_a)
    page.locator("#id_lat").fill(f"{lat:.6f}")
    page.locator("#id_lon").fill(f"{lon:.6f}")
    page.locator("#id_description").fill("Nước đục")
    page.locator("#voice-choose").click()
    not_a_sound: FilePayload = {
        "name": "note.m4a",
        "mimeType": "audio/mp4",
        "buffer": b"not a sound" * 50,
    }
    page.locator("#voice").set_input_files(files=not_a_sound)
    page.locator("#voice-choose").click()  # folded again before sending
    expect(page.locator("#voice")).to_be_hidden()
    page.locator("#send").click()
    note = page.locator("#refusal-voice")
    expect(note).to_be_visible(timeout=15_000)
    expect(page.locator("#voice-box")).to_have_class(re.compile(r"\bvoice-open\b"))
    expect(page.locator("#voice-choose")).to_have_attribute("aria-expanded", "true")
    expect(page.locator("#voice")).to_be_visible()
    expect(page.locator("#voice")).to_have_attribute("aria-invalid", "true")
    assert not Ticket.objects.filter(reporter=personas.resident).exists()
    problems.assert_no_page_errors()


# Counts the microphone streams handed out, and those still live (not stopped).
COUNT_STREAMS = """
(() => {
  const ask = navigator.mediaDevices.getUserMedia.bind(navigator.mediaDevices);
  window.streamsAsked = 0; window.streams = [];
  navigator.mediaDevices.getUserMedia = (c) => {
    window.streamsAsked += 1;
    // The answer comes when the test gives it, as a permission prompt's does
    // when the person taps Allow. A fixed 400 ms delay let a loaded machine
    // land the second tap after the answer, where it is a Stop.
    return new Promise(r => { window.answerMicrophone = r; }).then(() => ask(c))
      .then(s => { window.streams.push(s); return s; });
  };
})();
"""


def test_a_second_tap_while_the_microphone_is_asked_starts_no_second_recorder(
    personas: Personas,
    server: Server,
    context: BrowserContext,
    page: Page,
    problems: Problems,
) -> None:
    """A second tap while the phone asked for the microphone started a second
    recorder, whose microphone stayed on unseen after Stop (a second read)."""
    log_in(context, server, personas.resident)
    page.add_init_script(COUNT_STREAMS)
    page.goto(FORMS[0])
    record = page.locator("#voice-record")
    record.click()
    record.click()  # before the microphone's answer
    assert page.evaluate("window.streamsAsked") == 1
    page.evaluate("window.answerMicrophone()")
    expect(record).to_have_attribute("aria-pressed", "true")
    expect(page.locator("#voice-timer")).to_have_text("0:01", timeout=5_000)
    record.click()
    expect(page.locator("#voice-preview")).to_be_visible()
    assert page.evaluate("window.streamsAsked") == 1
    live = "window.streams.flatMap(s => s.getTracks()).filter(t => t.readyState === 'live').length"
    assert page.evaluate(live) == 0
    problems.assert_none()


def test_send_while_still_recording_keeps_the_note_on_both_forms(
    personas: Personas,
    commune_a: AdminUnit,
    server: Server,
    context: BrowserContext,
    page: Page,
    problems: Problems,
) -> None:
    """Send tapped while the recorder still ran: the report went without the
    note, and a reply with no words posted the plain form and lost it (a
    second read). Send now stops the recording, keeps it, and sends it."""
    log_in(context, server, personas.resident)
    page.goto(FORMS[0])
    lat, lon = point_inside(commune_a)
    page.locator("#id_lat").fill(f"{lat:.6f}")
    page.locator("#id_lon").fill(f"{lon:.6f}")
    record = page.locator("#voice-record")
    record.click()
    expect(page.locator("#voice-timer")).to_have_text("0:02", timeout=5_000)
    page.locator("#send").click()  # no Stop: no words either
    page.wait_for_url(re.compile(r"/cases/[^/]+/submitted/$"), timeout=20_000)
    number = page.locator("strong.number").inner_text().strip()
    report = Ticket.objects.get(number=number)
    assert report.attachments.filter(role=Attachment.Role.VOICE).count() == 1

    page.goto(f"/cases/{report.number}/")
    form = page.locator("form[data-outbox-reply]")
    form.locator("#voice-record").click()
    expect(page.locator("#voice-timer")).to_have_text("0:02", timeout=5_000)
    form.locator("button[type=submit]").click()
    texts = page.evaluate("self.XADESK_TEXTS")
    expect(page.locator("#reply-status")).to_have_text(texts["reply"]["sent"], timeout=20_000)
    reply = report.attachments.filter(
        role=Attachment.Role.VOICE, event__kind=TicketEvent.Kind.REPLY
    )
    assert reply.count() == 1
    problems.assert_none()


def _console_reply(
    personas: Personas, commune_a: AdminUnit, server: Server, context: BrowserContext, page: Page
) -> tuple[Ticket, Locator]:
    """A new case opened by its officer in the console; its reply form."""
    ticket = file_case(reporter=personas.resident, commune=commune_a, description="Ổ gà")
    log_in(context, server, personas.officer_a)
    page.goto(f"/console/cases/{ticket.number}/")
    return ticket, page.locator("form.action-reply")


def test_an_officer_answers_by_speaking_in_the_console(
    personas: Personas,
    commune_a: AdminUnit,
    server: Server,
    context: BrowserContext,
    page: Page,
    problems: Problems,
) -> None:
    """The console's reply had a bare file picker, though officers answer
    residents who read little. It has the residents' recorder now, posted
    the plain way: the recording goes in the file input, and Send while
    still recording waits for it."""
    ticket, form = _console_reply(personas, commune_a, server, context, page)
    expect(form.locator("#voice-record")).to_be_visible()
    expect(form.locator("#voice-box input[type=file]")).to_be_hidden()
    _record(page, 2)
    with page.expect_navigation(timeout=20_000):
        form.locator("button[type=submit]").click()  # no words: the voice is the answer
    expect(page.locator('[data-live-part="voice"] audio')).to_have_count(1)
    first = _voice_reply(ticket)
    assert 1_500 < (first.duration_ms or 0) < 5_000

    form.locator("#voice-record").click()
    expect(page.locator("#voice-timer")).to_have_text("0:02", timeout=5_000)
    with page.expect_navigation(timeout=20_000):
        form.locator("button[type=submit]").click()  # no Stop
    expect(page.locator('[data-live-part="voice"] audio')).to_have_count(2)
    notes = ticket.attachments.filter(
        role=Attachment.Role.VOICE, event__kind=TicketEvent.Kind.REPLY
    )
    assert notes.count() == 2
    problems.assert_none()


def test_where_a_file_cannot_be_put_in_the_input_the_console_offers_the_picker(
    personas: Personas,
    commune_a: AdminUnit,
    server: Server,
    context: BrowserContext,
    page: Page,
    problems: Problems,
) -> None:
    """A recording the console's plain form cannot carry would be lost on
    Send: without DataTransfer the officer chooses a file, as without a
    microphone."""
    context.add_init_script("delete window.DataTransfer;")
    _ticket, form = _console_reply(personas, commune_a, server, context, page)
    expect(form.locator("#voice-box input[type=file]")).to_be_visible()
    expect(form.locator("#voice-record")).to_be_hidden()
    problems.assert_none()


def test_a_recorder_that_cannot_start_does_not_hold_back_send(
    personas: Personas,
    commune_a: AdminUnit,
    server: Server,
    context: BrowserContext,
    page: Page,
    problems: Problems,
) -> None:
    """A recorder that threw on start left Send waiting for a recording that
    would never come (a second read): the officer's written answer went
    nowhere until a reload."""
    context.add_init_script(
        "MediaRecorder.prototype.start = function () {"
        " throw new DOMException('no', 'NotSupportedError'); };"
    )
    ticket, form = _console_reply(personas, commune_a, server, context, page)
    form.locator("#voice-record").click()
    # Said as a refused microphone: the file picker opens instead.
    expect(form.locator("#voice-box input[type=file]")).to_be_visible()
    form.locator("textarea").fill("Chúng tôi sẽ đến xem.")
    with page.expect_navigation(timeout=20_000):
        form.locator("button[type=submit]").click()
    assert TicketEvent.objects.filter(ticket=ticket, body="Chúng tôi sẽ đến xem.").exists()
    problems.assert_none()


def test_a_voice_only_message_waiting_in_the_outbox_is_named_as_one(
    personas: Personas,
    commune_a: AdminUnit,
    server: Server,
    context: BrowserContext,
    page: Page,
    problems: Problems,
) -> None:
    """A message of only a voice note waited in the outbox as "Reply to #…"
    and nothing more (a resident walk): it says it is a voice note."""
    ticket = file_case(reporter=personas.resident, commune=commune_a, description="Ổ gà")
    log_in(context, server, personas.resident)
    page.goto(f"/cases/{ticket.number}/")
    _record(page, 2)
    context.set_offline(True)
    page.locator("form[data-outbox-reply] button[type=submit]").click()
    texts = page.evaluate("self.XADESK_TEXTS")
    waiting = page.locator("[data-outbox-items] li").first
    expect(waiting).to_contain_text(texts["outbox"]["voice"])
    expect(waiting).to_contain_text(ticket.number)
    context.set_offline(False)
    expect(page.locator("[data-outbox-items] li")).to_have_count(0, timeout=20_000)
    assert _voice_reply(ticket) is not None
    problems.assert_none()
