"""Filing a report and triaging it with the keyboard alone (issue 13).

Only ``page.keyboard`` moves and acts (Tab, Enter, Space, arrows, typing); the
test reads the page to know where the focus is, never clicks. Each control
reached must show where the focus is (a visible outline). The place is given
without the map: province, then commune, then the village or a landmark, as a
screen-reader user would.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext, FileChooser, Page, expect

from geo.models import AdminUnit
from helpdesk.models import Attachment, Ticket, TicketEvent, TicketStatus
from tests.browser.conftest import Problems, Server, file_case, log_in
from tests.conftest import Personas
from tests.factories import jpeg

pytestmark = pytest.mark.browser

FOCUSED = """selector => {
  const el = document.activeElement;
  if (!el || !el.matches(selector)) return null;
  const style = getComputedStyle(el);
  return { outline: style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0 };
}"""


def tab_to(page: Page, selector: str, *, limit: int = 80) -> None:
    """Press Tab until the focus is on ``selector``; the focus must be visible there."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        found = page.evaluate(FOCUSED, selector)
        if found is not None:
            assert found["outline"], f"no visible focus on {selector}"
            return
    where = page.evaluate("document.activeElement && document.activeElement.outerHTML")
    pytest.fail(f"{limit} presses of Tab never reached {selector} (focus on {where})")


def choose(page: Page, value: str, *, limit: int = 200) -> None:
    """Move the focused select's choice down with the arrow key until ``value``."""
    for _ in range(limit):
        if page.evaluate("document.activeElement.value") == value:
            return
        page.keyboard.press("ArrowDown")
    pytest.fail(f"the arrow key never reached {value} in the focused select")


def attach_by_keyboard(page: Page, selector: str, photo: Path) -> None:
    # Playwright starts intercepting file choosers only when someone listens, and
    # sends that to Chromium without waiting: a key pressed at once can beat it and
    # the dialog opens unseen (microsoft/playwright#776, puppeteer#6040; it failed
    # CI once in ~15 runs). A listener set before the Tab presses is in place by
    # the time Space is pressed.
    def seen(_chooser: FileChooser) -> None:
        return None

    page.on("filechooser", seen)
    try:
        tab_to(page, selector)
        with page.expect_file_chooser() as chooser:
            page.keyboard.press("Space")
        chooser.value.set_files(photo)
    finally:
        page.remove_listener("filechooser", seen)


@pytest.fixture
def photo(tmp_path: Path) -> Path:
    path = tmp_path / "photo.jpg"
    path.write_bytes(jpeg())
    return path


def test_resident_files_a_report_by_keyboard_with_the_place_from_lists(
    personas: Personas,
    commune_a: AdminUnit,
    server: Server,
    context: BrowserContext,
    page: Page,
    problems: Problems,
    photo: Path,
) -> None:
    log_in(context, server, personas.resident)
    page.goto("/report/new/")
    tab_to(page, 'a.tile[href="?service=road_damage"]')
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"service=road_damage"))

    tab_to(page, "details.commune > summary")
    page.keyboard.press("Enter")  # opens "No location? Choose your commune"
    tab_to(page, "#id_province")
    assert commune_a.parent is not None
    choose(page, commune_a.parent.code)
    # The communes arrive from the server; a screen reader hears how many.
    expect(page.locator(f'#id_commune option[value="{commune_a.code}"]')).to_have_count(1)
    expect(page.locator("#commune-status")).not_to_be_empty()
    tab_to(page, "#id_commune")
    choose(page, commune_a.code)
    tab_to(page, "#id_address_text")
    page.keyboard.type("Xóm Đồng Khuôn, gần trường tiểu học")
    tab_to(page, "#id_description")
    page.keyboard.type("Ổ gà sâu giữa đường")
    attach_by_keyboard(page, "#photos", photo)
    expect(page.locator("#photo-count")).not_to_be_empty()
    tab_to(page, "#send")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/cases/[^/]+/submitted/$"))

    ticket = Ticket.objects.get(reporter=personas.resident)
    assert ticket.service.code == "road_damage"
    assert ticket.commune == commune_a
    assert ticket.address_text == "Xóm Đồng Khuôn, gần trường tiểu học"
    assert ticket.description == "Ổ gà sâu giữa đường"
    assert ticket.attachments.filter(role=Attachment.Role.REPORT).count() == 1
    problems.assert_none()


def test_officer_triages_a_case_by_keyboard(
    personas: Personas,
    commune_a: AdminUnit,
    server: Server,
    context: BrowserContext,
    page: Page,
    problems: Problems,
    photo: Path,
) -> None:
    ticket = file_case(reporter=personas.resident, commune=commune_a, description="Ổ gà")
    log_in(context, server, personas.officer_a)
    page.goto("/console/")
    tab_to(page, f'a[href="/console/cases/{ticket.number}/"]')
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/console/cases/{ticket.number}/")

    tab_to(page, "form.action-accept button[type=submit]")
    page.keyboard.press("Enter")
    expect(page.locator("form.action-accept")).to_have_count(0)

    tab_to(page, "form.action-reply textarea")
    page.keyboard.type("Chúng tôi sẽ cử người đến xem trong hôm nay.")
    tab_to(page, "form.action-reply button[type=submit]")
    page.keyboard.press("Enter")
    expect(page.locator("form.action-reply textarea")).to_have_value("")

    tab_to(page, "form.action-resolve textarea")
    page.keyboard.type("Đã vá ổ gà.")
    attach_by_keyboard(page, "form.action-resolve input[type=file]", photo)
    tab_to(page, "form.action-resolve button[type=submit]")
    page.keyboard.press("Enter")
    expect(page.locator("form.action-resolve")).to_have_count(0)

    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.RESOLVED
    assert ticket.assignee == personas.officer_a
    assert TicketEvent.objects.filter(
        ticket=ticket, body="Chúng tôi sẽ cử người đến xem trong hôm nay."
    ).exists()
    assert ticket.attachments.filter(role=Attachment.Role.AFTER).count() == 1
    problems.assert_none()
