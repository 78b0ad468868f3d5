"""The app with no signal: pages opened once open again offline, a report filed
offline waits on the phone (even with the page closed) and is sent once, a
refused report stays with its reason, and a case page shows what the commune
did in place — the rating form after "resolved" — without a reload.

Screenshots of each step go to .run/screenshots/ (git-ignored).
"""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
from django.conf import settings
from playwright.sync_api import BrowserContext, Page, Route, expect

from geo.models import AdminUnit
from helpdesk import lifecycle
from helpdesk.models import Attachment, Ticket, TicketEvent
from tests.browser.conftest import (
    ROOT,
    Problems,
    Server,
    file_case,
    in_thread,
    log_in,
    open_live_case_page,
)
from tests.browser.test_report_form import (  # noqa: F401
    FORM,
    fill_report,
    outbox,
    outbox_fields,
    photo,
    wait_until_photo_kept,
)
from tests.conftest import Personas
from tests.factories import jpeg, point_inside

pytestmark = pytest.mark.browser

SHOTS = ROOT / ".run" / "screenshots"


def shot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SHOTS / f"{name}.png", full_page=True)


def eventually(page: Page, expression: str, *, timeout_s: float = 10) -> None:
    """Poll ``expression`` (it may return a promise) until it is truthy.

    Not page.wait_for_function: it takes a returned promise for a truthy
    value and returns at once (checked: "Promise.resolve(false)" returned in
    26 ms), so the waits written with it here waited for nothing."""
    deadline = time.monotonic() + timeout_s
    while not page.evaluate(expression):
        assert time.monotonic() < deadline, f"never true: {expression}"
        page.wait_for_timeout(50)


def controlled(page: Page) -> None:
    """Wait until the service worker controls the page (after the first visit)."""
    eventually(
        page, "navigator.serviceWorker.ready.then(() => !!navigator.serviceWorker.controller)"
    )


def waiting_count(page: Page) -> str:
    return str(page.locator("[data-outbox-count]").get_attribute("data-waiting") or "0")


def report_waiting_offline(
    personas: Personas,
    commune: AdminUnit,
    context: BrowserContext,
    server: Server,
    page: Page,
    photo: Path,  # noqa: F811 - the fixture of test_report_form
    description: str,
) -> None:
    """The resident, with no signal, fills the report form and taps Send: the
    report waits on the phone with its photo. The page stays on the form."""
    log_in(context, server, personas.resident)
    page.goto(FORM)
    controlled(page)
    page.goto(FORM)
    context.set_offline(True)
    fill_report(page, commune=commune, photo=photo, description=description)
    page.locator("#send").click()
    wait_until_photo_kept(page)


OUTBOX_POST = "**/api/v1/reports/cases"


def hold_outbox_posts(context: BrowserContext) -> list[Route]:
    """Hold every upload of the outbox (the page's or the worker's) until released."""
    held: list[Route] = []
    context.route(OUTBOX_POST, lambda route: held.append(route))
    return held


def release(context: BrowserContext, held: list[Route]) -> None:
    context.unroute(OUTBOX_POST)
    for route in held:
        route.continue_()


def test_pages_open_offline_and_a_report_filed_offline_is_sent_once(
    personas: Personas,
    commune_a: AdminUnit,
    server: Server,
    context: BrowserContext,
    page: Page,
    problems: Problems,
    photo: Path,  # noqa: F811 - the fixture of test_report_form
) -> None:
    ticket = file_case(reporter=personas.resident, commune=commune_a, description="Cống tắc")
    log_in(context, server, personas.resident)
    page.goto("/")
    controlled(page)
    # One visit each, online: the worker keeps them.
    for path in ("/", FORM, "/cases/", f"/cases/{ticket.number}/"):
        page.goto(path)

    context.set_offline(True)
    page.goto("/")
    expect(page.locator("h1")).to_be_visible()
    expect(page.locator("#offline-copy")).to_be_visible()
    shot(page, "offline-1-home")
    page.goto("/cases/")
    expect(page.get_by_text(ticket.number)).to_be_visible()
    page.goto(f"/cases/{ticket.number}/")
    expect(page.locator("#offline-copy")).to_contain_text(re.compile(r"\d\d:\d\d \d\d/\d\d/\d{4}"))
    expect(page.locator(".description")).to_contain_text("Cống tắc")
    shot(page, "offline-2-case")
    page.goto("/help/articles/never-opened/")  # never kept: the offline page
    expect(page.locator("h1")).to_have_text(re.compile("Không có kết nối|No connection"))

    # A report filed with no signal waits on the phone with its photo.
    page.goto(FORM)
    fill_report(page, commune=commune_a, photo=photo, description="Ổ gà ngoài chợ")
    page.locator("#send").click()
    expect(page.locator("#pending")).to_have_text(
        str(page.evaluate("self.XADESK_TEXTS.form.offline"))
    )
    expect(page.locator("#outbox")).to_be_visible()
    assert waiting_count(page) == "1"
    assert [row[:2] for row in outbox(page)] == [["waiting", 1]]
    shot(page, "offline-3-waiting")
    page.close()

    # Opened again later, still offline: still waiting, on every page.
    again = context.new_page()
    again.goto("/cases/")
    expect(again.locator("[data-outbox-count]")).to_have_attribute("data-waiting", "1")
    assert Ticket.objects.filter(reporter=personas.resident).count() == 1

    # The signal returns: sent once, with its photo; the count goes to 0.
    context.set_offline(False)
    expect(again.locator("[data-outbox-count]")).to_have_attribute(
        "data-waiting", "0", timeout=15_000
    )
    filed = Ticket.objects.filter(reporter=personas.resident).exclude(pk=ticket.pk)
    assert filed.count() == 1
    number = filed.get().number
    assert Attachment.objects.filter(ticket=filed.get()).count() == 1
    # The copy of "my cases" loads again by itself, now with the new case.
    expect(again.locator("ul.cases")).to_contain_text(number, timeout=10_000)
    expect(again.locator("#offline-copy")).to_be_hidden()
    shot(again, "offline-4-sent")
    assert outbox(again) == []
    again.wait_for_load_state("networkidle")
    assert Ticket.objects.filter(reporter=personas.resident).count() == 2
    problems.assert_no_page_errors()


def test_a_second_tap_on_send_offline_is_the_same_report_not_a_second(
    personas: Personas,
    commune_a: AdminUnit,
    server: Server,
    context: BrowserContext,
    page: Page,
    problems: Problems,
    photo: Path,  # noqa: F811 - the fixture of test_report_form
) -> None:
    """Found by a helper walking the form on a phone: offline, the first tap says
    the report is kept, the Send button stays, and a second tap put a second
    copy in the outbox: two identical cases once the signal came back."""
    report_waiting_offline(
        personas, commune_a, context, server, page, photo, "Cống tắc trước nhà văn hoá"
    )
    expect(page.locator("#pending")).to_have_text(
        str(page.evaluate("self.XADESK_TEXTS.form.offline"))
    )
    assert [row[:2] for row in outbox(page)] == [["waiting", 1]]
    # Tapped again, as people do after "not sent": still one report waiting,
    # with what the form holds now.
    first_key = outbox(page)[0][2]
    page.locator("#id_description").fill("Cống tắc trước nhà văn hoá thôn 3")
    page.locator("#send").click()
    deadline = time.monotonic() + 10
    while _outbox_descriptions(page) != ["Cống tắc trước nhà văn hoá thôn 3"]:
        assert time.monotonic() < deadline, _outbox_descriptions(page)
        page.wait_for_timeout(50)
    expect(page.locator("[data-outbox-count]")).to_have_attribute("data-waiting", "1")
    assert [row[:3] for row in outbox(page)] == [["waiting", 1, first_key]]

    context.set_offline(False)
    expect(page.locator("[data-outbox-count]")).to_have_attribute(
        "data-waiting", "0", timeout=15_000
    )
    filed = Ticket.objects.filter(reporter=personas.resident)
    assert filed.count() == 1
    assert filed.get().description == "Cống tắc trước nhà văn hoá thôn 3"
    problems.assert_no_page_errors()


def test_my_cases_opened_online_lists_the_case_its_outbox_just_sent(
    personas: Personas,
    commune_a: AdminUnit,
    server: Server,
    context: BrowserContext,
    page: Page,
    problems: Problems,
    photo: Path,  # noqa: F811 - the fixture of test_report_form
) -> None:
    """Found by a helper on a phone: "My cases", opened once the signal was back,
    sent the waiting report and said so, but its list lacked the new case until
    someone reloaded."""
    file_case(reporter=personas.resident, commune=commune_a, description="Cống tắc")
    report_waiting_offline(personas, commune_a, context, server, page, photo, "Ổ gà ngoài chợ")
    page.close()

    # The sending is held until the list is on screen, as on a slow line.
    held = hold_outbox_posts(context)
    context.set_offline(False)
    cases = context.new_page()
    cases.goto("/cases/")
    expect(cases.locator("ul.cases li.case")).to_have_count(1)
    deadline = time.monotonic() + 10
    while not held:
        assert time.monotonic() < deadline, "the outbox never sent"
        cases.wait_for_timeout(50)
    release(context, held)

    deadline = time.monotonic() + 10
    while not Ticket.objects.filter(description="Ổ gà ngoài chợ").exists():
        assert time.monotonic() < deadline, "the report never reached the server"
        time.sleep(0.05)
    number = Ticket.objects.get(description="Ổ gà ngoài chợ").number
    expect(cases.locator("ul.cases")).to_contain_text(number, timeout=10_000)
    expect(cases.locator("ul.cases li.case")).to_have_count(2)
    assert Ticket.objects.filter(reporter=personas.resident).count() == 2
    problems.assert_no_page_errors()


def test_a_second_tap_while_the_waiting_report_is_being_sent_sends_nothing_more(
    personas: Personas,
    commune_a: AdminUnit,
    server: Server,
    context: BrowserContext,
    page: Page,
    problems: Problems,
    photo: Path,  # noqa: F811 - the fixture of test_report_form
) -> None:
    """The signal returns and the waiting report starts to go; the person, who
    saw "saved on this phone", taps Send again. Left without a test by the last
    review: it needs an upload held open mid-way, as the route below does."""
    report_waiting_offline(
        personas, commune_a, context, server, page, photo, "Cống tắc trước nhà văn hoá"
    )
    key = outbox(page)[0][2]

    posts: list[str] = []
    context.on(
        "request",
        lambda r: posts.append(r.url) if r.method == "POST" and "/reports/cases" in r.url else None,
    )
    held = hold_outbox_posts(context)
    context.set_offline(False)
    deadline = time.monotonic() + 10
    while not held or [row[:1] for row in outbox(page)] != [["sending"]]:
        assert time.monotonic() < deadline, outbox(page)
        page.wait_for_timeout(50)

    page.locator("#send").click()  # the same report, on its way
    page.wait_for_timeout(1_000)
    assert [(row[0], row[2]) for row in outbox(page)] == [("sending", key)]
    assert len(held) == 1
    release(context, held)

    expect(page).to_have_url(re.compile(r"/cases/[^/]+/submitted/$"), timeout=15_000)
    assert Ticket.objects.filter(reporter=personas.resident).count() == 1
    assert len(posts) == 1
    problems.assert_no_page_errors()


def test_the_no_connection_page_loads_the_asked_page_when_the_signal_returns(
    personas: Personas, server: Server, context: BrowserContext, page: Page, problems: Problems
) -> None:
    """Found by a helper on a phone: the "No connection" page stayed on screen
    after the signal came back, until someone thought to reload."""
    log_in(context, server, personas.resident)
    page.goto("/")
    controlled(page)
    page.goto("/")
    context.set_offline(True)
    page.goto("/reports/map/")  # never opened: the phone has no copy
    expect(page.locator("h1")).to_have_text(re.compile("Không có kết nối|No connection"))
    page.evaluate("window.stillTheOfflinePage = true")
    context.set_offline(False)
    page.wait_for_function("window.stillTheOfflinePage === undefined", timeout=10_000)
    expect(page.locator("h1")).not_to_have_text(re.compile("Không có kết nối|No connection"))
    assert page.url.endswith("/reports/map/")
    problems.assert_no_page_errors()


def test_the_no_connection_page_is_in_the_language_the_person_chose(
    personas: Personas, server: Server, context: BrowserContext, page: Page, problems: Problems
) -> None:
    """The worker keeps the page without cookies, so it followed the phone's
    language: English chosen on a phone set to Vietnamese still got "Không có
    kết nối" (a helper on a phone, the other way round)."""
    log_in(context, server, personas.resident)
    context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": "en", "url": server.url}])
    page.goto("/")
    controlled(page)
    page.goto("/")  # this page tells the worker: English
    expect(page.locator("html")).to_have_attribute("lang", "en")
    eventually(  # the worker stored it
        page,
        "caches.open('xadesk-meta').then(c => c.match('/__language'))"
        ".then(r => r ? r.text() : null).then(t => t === 'en')",
    )
    context.set_offline(True)
    page.goto("/reports/map/")  # never opened: the phone has no copy
    expect(page.locator("h1")).to_have_text("No connection")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    problems.assert_no_page_errors()


def _outbox_descriptions(page: Page) -> list[object]:
    return [description for (description,) in outbox_fields(page, "fields.description")]


def test_a_refused_report_stays_on_the_phone_with_its_reason(
    personas: Personas,
    commune_a: AdminUnit,
    server: Server,
    context: BrowserContext,
    page: Page,
    problems: Problems,
    tmp_path: Path,
) -> None:
    not_a_photo = tmp_path / "photo.jpg"
    not_a_photo.write_bytes(b"this is not a JPEG at all" * 40)
    log_in(context, server, personas.resident)
    page.goto(FORM)
    fill_report(page, commune=commune_a, photo=not_a_photo, description="Đèn hỏng")
    page.locator("#send").click()

    error = page.locator("#form-error")
    expect(error).to_be_visible()
    reason = error.inner_text()
    assert reason
    deadline = time.monotonic() + 10
    while [row[:2] for row in outbox(page)] != [["rejected", 1]]:
        assert time.monotonic() < deadline, outbox(page)
        page.wait_for_timeout(50)
    assert not Ticket.objects.filter(reporter=personas.resident).exists()

    # On any page: the draft, its reason, a way back to edit it.
    page.goto("/cases/")
    item = page.locator("[data-outbox-items] li[data-state=rejected]")
    expect(item).to_contain_text(reason)
    shot(page, "offline-5-refused")
    item.get_by_role("link").click()
    expect(page.locator("#id_description")).to_have_value("Đèn hỏng")
    expect(page.locator("#form-error")).to_have_text(reason)
    assert page.evaluate("document.getElementById('photos').files.length") == 1
    problems.assert_no_page_errors()


def test_a_refusal_is_marked_at_its_field_and_only_this_form_offers_the_draft(
    personas: Personas,
    commune_a: AdminUnit,
    server: Server,
    context: BrowserContext,
    page: Page,
    problems: Problems,
    photo: Path,  # noqa: F811 - the fixture of test_report_form
) -> None:
    """Found on a phone: a team member who left out the resident's consent read
    why at the top of a 6,400 px form, next to the outbox's "Discard" button,
    with nothing marked where the answer goes."""
    log_in(context, server, personas.digital_team)
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(FORM)
    fill_report(page, commune=commune_a, photo=photo, description="Ổ gà trước nhà bà Mến")
    page.locator("#id_on_behalf_name").fill("Bà Triệu Thị Mến")
    page.locator("#send").click()

    sentence = "Chọn cách người dân đồng ý gửi phản ánh này."
    note = page.locator("#refusal-consent")
    expect(note).to_have_text(sentence)
    # Right after the consent answers, which are marked, and the first has the focus.
    assert page.evaluate("document.getElementById('id_consent').nextElementSibling.id") == (
        "refusal-consent"
    )
    expect(page.locator("#id_consent")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#id_consent")).to_have_attribute("aria-describedby", "refusal-consent")
    assert page.evaluate("document.activeElement.id") == "id_consent_0"
    assert page.evaluate("document.getElementById('id_consent').getBoundingClientRect().top") < 740
    # The line at the top says it once, as a link to the answers.
    top = page.locator("#form-error a")
    expect(top).to_have_text(sentence)
    expect(top).to_have_attribute("href", "#id_consent_0")
    deadline = time.monotonic() + 10
    while [row[:2] for row in outbox(page)] != [["rejected", 1]]:
        assert time.monotonic() < deadline, outbox(page)
        page.wait_for_timeout(50)
    # The draft is this form: no second copy of the reason, no "Discard" beside it.
    expect(page.locator("[data-outbox-items] li")).to_have_count(0)
    expect(page.locator("#outbox")).to_be_hidden()

    # Sent again with no signal: saved to be sent, and the refusal's marks go.
    context.set_offline(True)
    page.locator("#id_consent_0").check()
    page.locator("#send").click()
    expect(page.locator("#pending")).to_be_visible()
    expect(page.locator("#form-error")).to_have_count(0)
    expect(page.locator("#refusal-consent")).to_have_count(0)
    expect(page.locator("#id_consent")).not_to_have_attribute("aria-invalid", "true")
    context.set_offline(False)
    page.wait_for_url(re.compile(r"/cases/[^/]+/submitted/"), timeout=20_000)
    ticket = Ticket.objects.get(reporter=personas.digital_team)
    assert ticket.proxy.resident_name == "Bà Triệu Thị Mến"
    assert outbox(page) == []
    problems.assert_no_page_errors()


def test_every_refused_input_is_marked_at_once_with_its_own_sentence(
    personas: Personas,
    commune_a: AdminUnit,
    server: Server,
    context: BrowserContext,
    page: Page,
    problems: Problems,
    photo: Path,  # noqa: F811 - the fixture of test_report_form
) -> None:
    """A phone walk learnt one mistake a send: the consent, then the phone.
    Both are marked now, each with its own sentence (core/errors.py Refusals)."""
    log_in(context, server, personas.digital_team)
    page.goto(FORM)
    fill_report(page, commune=commune_a, photo=photo, description="Ổ gà trước nhà bà Mến")
    page.locator("#id_on_behalf_name").fill("Bà Triệu Thị Mến")
    page.locator("#id_on_behalf_phone").fill("0912 34")
    page.locator("#send").click()
    consent = "Chọn cách người dân đồng ý gửi phản ánh này."
    expect(page.locator("#refusal-consent")).to_have_text(consent)
    expect(page.locator("#refusal-on_behalf_phone")).to_contain_text("không phải số di động")
    expect(page.locator("#id_on_behalf_phone")).to_have_attribute("aria-invalid", "true")
    # The top line lists both, each a link, in the page's order (the phone
    # comes before the consent), and the first has the focus.
    expect(page.locator("#form-error a")).to_have_text(
        [re.compile("không phải số di động"), consent]
    )
    expect(page.locator("#id_on_behalf_phone")).to_be_focused()
    assert not Ticket.objects.filter(reporter=personas.digital_team).exists()
    problems.assert_no_page_errors()


def test_a_refused_report_reloaded_and_sent_again_is_filed_once(
    personas: Personas,
    commune_a: AdminUnit,
    server: Server,
    context: BrowserContext,
    page: Page,
    problems: Problems,
    photo: Path,  # noqa: F811 - the fixture of test_report_form
) -> None:
    """Found by a helper: refused (a point outside Vietnam), the form reloaded
    and showed the draft, and the fixed report was filed; the refused copy
    stayed on the phone, and its "Edit and send again" filed it a second time.
    The reloaded form holds the refused case again: sending replaces it."""
    log_in(context, server, personas.resident)
    page.goto(FORM)
    fill_report(page, commune=commune_a, photo=photo, description="Cây đổ chắn đường")
    page.locator("#id_lat").fill("13.750000")  # Bangkok
    page.locator("#id_lon").fill("100.500000")
    page.locator("#send").click()
    expect(page.locator("#form-error")).to_be_visible()
    deadline = time.monotonic() + 10
    while [row[:2] for row in outbox(page)] != [["rejected", 1]]:
        assert time.monotonic() < deadline, outbox(page)
        page.wait_for_timeout(50)

    page.reload()
    expect(page.locator("#id_description")).to_have_value("Cây đổ chắn đường")
    # The refused copy is this form's again: not offered beside it.
    expect(page.locator("[data-outbox-items] li")).to_have_count(0)
    lat, lon = point_inside(commune_a)
    page.locator("#id_lat").fill(f"{lat:.6f}")
    page.locator("#id_lon").fill(f"{lon:.6f}")
    page.locator("#photos").set_input_files(photo)
    page.locator("#send").click()
    page.wait_for_url(re.compile(r"/cases/[^/]+/submitted/"), timeout=20_000)
    assert Ticket.objects.filter(reporter=personas.resident).count() == 1
    assert outbox(page) == []
    page.goto("/cases/")
    expect(page.locator("[data-outbox-items] li")).to_have_count(0)
    problems.assert_no_page_errors()


def test_send_on_an_empty_form_leaves_nothing_waiting_on_the_phone(
    personas: Personas,
    commune_a: AdminUnit,
    server: Server,
    context: BrowserContext,
    page: Page,
    problems: Problems,
) -> None:
    """Found by a helper on a phone: Send on an empty report showed the reason
    beside the form and also kept the empty report as "not sent", a warning that
    followed the person to every page for nothing of theirs."""
    log_in(context, server, personas.resident)
    page.goto(FORM)
    page.locator("#send").click()
    error = page.locator("#form-error")
    expect(error).to_be_visible()
    assert error.inner_text()
    deadline = time.monotonic() + 10
    while outbox(page) != []:
        assert time.monotonic() < deadline, outbox(page)
        page.wait_for_timeout(50)
    page.goto("/cases/")
    expect(page.locator("[data-outbox-items] li")).to_have_count(0)
    expect(page.locator("[data-outbox-count]")).to_have_attribute("data-waiting", "0")
    assert not Ticket.objects.filter(reporter=personas.resident).exists()
    problems.assert_no_page_errors()


def test_resolved_case_shows_the_rating_form_in_place_and_spares_a_reply_being_typed(
    personas: Personas,
    commune_a: AdminUnit,
    server: Server,
    context: BrowserContext,
    page: Page,
    problems: Problems,
) -> None:
    ticket = open_live_case_page(personas, commune_a, server, context, page, "Rác ùn")
    forms = page.locator('[data-live-part="forms"]')
    expect(forms.locator("form")).to_have_count(1)  # write to the commune

    def accept_and_resolve() -> None:
        fresh = lifecycle.ticket_accept(
            ticket=Ticket.objects.get(pk=ticket.pk), by=personas.officer_a
        )
        lifecycle.ticket_resolve(
            ticket=fresh, by=personas.officer_a, note="Đã dọn xong.", photos=(jpeg(),)
        )

    in_thread(accept_and_resolve)
    expect(forms.locator('input[name="rate-rating"]').first).to_be_attached(timeout=5_000)
    expect(forms.locator('textarea[name="reopen-reason"]')).to_be_attached()
    expect(page.locator("[data-live-banner]")).to_be_hidden()
    assert page.evaluate("window.notReloaded === true")
    shot(page, "live-1-rating-in-place")

    # Typing a reason to reopen: the next change leaves the forms alone and says so.
    page.locator('textarea[name="reopen-reason"]').fill("Vẫn còn rác ở đầu ngõ")

    def reply() -> None:
        lifecycle.ticket_reply(
            ticket=Ticket.objects.get(pk=ticket.pk), by=personas.officer_a, body="Cảm ơn bác."
        )

    in_thread(reply)
    expect(page.locator('[data-live-part="timeline"]')).to_contain_text("Cảm ơn bác.")
    expect(page.locator("[data-live-typing]")).to_be_visible()
    expect(page.locator('textarea[name="reopen-reason"]')).to_have_value("Vẫn còn rác ở đầu ngõ")
    assert page.evaluate("window.notReloaded === true")
    shot(page, "live-2-typing-notice")
    problems.assert_none()


def _replies(ticket: Ticket) -> list[str]:
    return list(
        TicketEvent.objects.filter(ticket=ticket, kind=TicketEvent.Kind.REPLY)
        .order_by("pk")
        .values_list("body", flat=True)
    )


def _send_message(page: Page, text: str) -> None:
    """Write ``text`` in the case page's message form and press Send."""
    form = page.locator("form[data-outbox-reply]")
    form.locator('textarea[name="reply-body"]').fill(text)
    form.locator("button[type=submit]").click()


def test_a_message_written_offline_waits_on_the_phone_and_is_posted_once(
    personas: Personas,
    commune_a: AdminUnit,
    server: Server,
    context: BrowserContext,
    page: Page,
    problems: Problems,
) -> None:
    ticket = file_case(reporter=personas.resident, commune=commune_a, description="Đèn tắt")
    case_page = f"/cases/{ticket.number}/"
    log_in(context, server, personas.resident)
    page.goto("/")
    controlled(page)
    page.goto(case_page)

    # No signal: the page is the phone's copy, and its form still takes the message.
    context.set_offline(True)
    page.goto(case_page)
    expect(page.locator("#offline-copy")).to_be_visible()
    form = page.locator("form[data-outbox-reply]")
    body = form.locator('textarea[name="reply-body"]')
    page_key = form.locator('[name="reply-idempotency_key"]').input_value()
    _send_message(page, "Đèn vẫn chưa sáng, ở cột số 12")
    texts = page.evaluate("self.XADESK_TEXTS.reply")
    expect(page.locator("#reply-status")).to_have_text(texts["kept"])
    expect(body).to_have_value("")
    expect(page.locator("[data-outbox-count]")).to_have_attribute("data-waiting", "1")
    expect(page.locator("[data-outbox-items] li")).to_contain_text(ticket.number)
    shot(page, "offline-6-message-waiting")
    [(state, _photos, key)] = outbox(page)
    assert state == "waiting"
    # Its own key, never the copy's: that one may have gone with an earlier message.
    assert key != page_key

    # A second tap on the emptied form says what is missing and posts nothing.
    form.locator("button[type=submit]").click()
    expect(page.locator("#reply-error")).to_have_text(texts["empty"])
    assert len(outbox(page)) == 1
    assert _replies(ticket) == []

    # The signal returns while the next message is being typed: the first is
    # posted once, and what is being typed stays.
    body.fill("Một điều nữa")
    context.set_offline(False)
    expect(page.locator("[data-outbox-count]")).to_have_attribute(
        "data-waiting", "0", timeout=15_000
    )
    assert _replies(ticket) == ["Đèn vẫn chưa sáng, ở cột số 12"]
    expect(page.locator(".outbox-sent")).to_contain_text(ticket.number)
    assert outbox(page) == []
    expect(body).to_have_value("Một điều nữa")

    # Sent again with the key it went with (its answer lost on the way back):
    # the server gives the first message back; nothing is posted twice.
    again = page.evaluate(
        """([url, key]) => {
          const data = new FormData();
          data.append("body", "Đèn vẫn chưa sáng, ở cột số 12");
          const csrf = document.cookie.match(/csrftoken=([^;]+)/)[1];
          return fetch(url, {method: "POST", body: data,
            headers: {"Idempotency-Key": key, "X-CSRFToken": csrf}}).then(r => r.status);
        }""",
        [f"/api/v1/helpdesk/cases/{ticket.number}/reply", key],
    )
    assert again == 201
    assert _replies(ticket) == ["Đèn vẫn chưa sáng, ở cột số 12"]

    # With signal, a message goes at once from the page, and the form is left
    # empty for the next one; the page says so, whatever the push redraws.
    page.goto(case_page)
    expect(page.locator(".timeline")).to_contain_text("Đèn vẫn chưa sáng")
    _send_message(page, "Cảm ơn xã")
    expect(page.locator("#reply-status")).to_have_text(texts["sent"])
    expect(body).to_have_value("")
    assert _replies(ticket) == ["Đèn vẫn chưa sáng, ở cột số 12", "Cảm ơn xã"]
    expect(page.locator(".timeline")).to_contain_text("Cảm ơn xã")
    expect(page.locator("#reply-status")).to_have_text(texts["sent"])
    shot(page, "offline-7-message-sent")
    problems.assert_no_page_errors()


def test_a_message_the_closed_case_refuses_stays_on_the_phone_with_the_reason(
    personas: Personas,
    commune_a: AdminUnit,
    server: Server,
    context: BrowserContext,
    page: Page,
    problems: Problems,
) -> None:
    ticket = file_case(reporter=personas.resident, commune=commune_a, description="Rác")
    case_page = f"/cases/{ticket.number}/"
    log_in(context, server, personas.resident)
    page.goto(case_page)
    context.set_offline(True)
    _send_message(page, "Xin cho biết khi nào dọn")
    expect(page.locator("[data-outbox-count]")).to_have_attribute("data-waiting", "1")

    # Meanwhile the commune rejects the case: no more messages on it.
    in_thread(
        lambda: lifecycle.ticket_reject(
            ticket=Ticket.objects.get(pk=ticket.pk), by=personas.officer_a, reason="Trùng"
        )
    )
    context.set_offline(False)
    error = page.locator("#reply-error")
    expect(error).to_be_visible(timeout=15_000)
    reason = error.inner_text()
    assert reason
    assert [row[0] for row in outbox(page)] == ["rejected"]
    expect(page.locator("[data-outbox-items] li[data-state=rejected]")).to_contain_text(reason)
    assert _replies(ticket) == []
    problems.assert_no_page_errors()


PUT_ITEM = """(item) => {
  item.owner = XaDeskOutbox.person;
  return XaDeskOutbox.put(item).then(() => window.dispatchEvent(new Event("online")));
}"""


def test_an_outbox_item_goes_only_to_a_site_api_path_and_only_to_its_own_form(
    personas: Personas,
    server: Server,
    context: BrowserContext,
    page: Page,
) -> None:
    log_in(context, server, personas.resident)
    page.goto("/cases/")
    posted: list[str] = []
    page.on("request", lambda r: posted.append(r.url) if r.method == "POST" else None)
    # An address that is not one of the site's API paths (only a tampered
    # store holds one): refused on the phone, never posted anywhere.
    page.evaluate(
        PUT_ITEM,
        {
            "key": "a" * 32, "kind": "reply", "url": "/accounts/logout/", "caseNumber": "X",
            "fields": {"body": "Xin chào"}, "photos": [], "state": "waiting", "tries": 0,
            "nextAt": 0, "leaseUntil": 0, "formUrl": "/cases/",
        },
    )  # fmt: skip
    deadline = time.monotonic() + 10
    while [row[0] for row in outbox(page)] != ["rejected"]:
        assert time.monotonic() < deadline, outbox(page)
        page.wait_for_timeout(50)
    assert posted == []
    # A message's key in the report form's "edit" link fills nothing there.
    page.goto(f"{FORM}&draft={'a' * 32}")
    expect(page.locator("#form-error")).to_have_count(0)
    expect(page.locator("#id_description")).to_have_value("")
