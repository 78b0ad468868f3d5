"""A team member asks a question for a resident, with the page's script on.

With the script the form is sent through the outbox to the API
(static/reports/intake.js, reports/api.py), not posted: the commune the form
starts with (the member's team's, reports/views/intake.py) must go with it.
A reviewer's two questions for a resident went to "an administrator will
route your case", the commune list having started, and been left, empty.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image
from playwright.sync_api import BrowserContext, Page, expect

from geo.models import AdminUnit
from helpdesk.models import Ticket
from tests.browser.conftest import Problems, Server, log_in
from tests.conftest import Personas
from tests.factories import jpeg, point_inside

pytestmark = pytest.mark.browser


def test_team_members_question_for_a_resident_goes_to_their_teams_commune(
    personas: Personas,
    commune_b: AdminUnit,
    server: Server,
    context: BrowserContext,
    page: Page,
    problems: Problems,
) -> None:
    member = personas.digital_team
    log_in(context, server, member)
    page.goto("/help/new/")
    # Started in Xã Đại Từ, the commune of his team, and said so.
    expect(page.locator("#id_commune")).to_have_value(commune_b.code)
    expect(page.locator("#no-commune-hint")).to_be_visible()
    expect(page.locator("#on-behalf-village-hint")).to_be_visible()
    page.locator("input[name=service][value=vneid_account]").check()
    page.locator("#id_description").fill("Bà không đăng nhập được VNeID")
    page.locator("#id_on_behalf_name").fill("Nguyễn Thị Hoa")
    page.locator("#id_on_behalf_village").fill("Xóm Đồng Khuôn")
    page.locator("input[name=consent]").first.check()
    page.locator("#send").click()
    page.wait_for_url("**/submitted/**")

    ticket = Ticket.objects.get(proxy__filed_by=member)
    assert ticket.commune == commune_b
    assert ticket.proxy.village == "Xóm Đồng Khuôn"
    assert ticket.address_text == ""
    expect(page.locator(".facts")).to_contain_text(commune_b.full_name)
    problems.assert_no_page_errors()
    problems.assert_none()


def test_a_photo_taken_elsewhere_places_a_members_report_over_the_teams_commune(
    personas: Personas,
    commune_a: AdminUnit,
    commune_b: AdminUnit,
    server: Server,
    context: BrowserContext,
    page: Page,
    problems: Problems,
    tmp_path: Path,
) -> None:
    """The commune the form starts with is the page's, not the member's choice:
    with no pin, the photo's own GPS still places the report. The script shrank
    the photo (losing its GPS) whenever a commune was set, so a report photographed
    in another commune went to the team's."""
    # A phone's photo: large enough for the script to shrink it, with GPS.
    small = Image.open(io.BytesIO(jpeg(gps=point_inside(commune_a))))
    photo = tmp_path / "elsewhere.jpg"
    big = Image.effect_noise((3000, 2000), 60).convert("RGB")
    big.save(photo, "JPEG", quality=92, exif=small.getexif().tobytes())
    assert photo.stat().st_size > 1_500_000
    log_in(context, server, personas.digital_team)
    page.goto("/report/new/?service=road_damage")
    expect(page.locator("#id_commune")).to_have_value(commune_b.code)
    page.locator("#id_description").fill("Ổ gà ở đầu cầu")
    page.locator("#photos").set_input_files(photo)
    page.locator("#send").click()
    page.wait_for_url("**/submitted/**")
    ticket = Ticket.objects.get(reporter=personas.digital_team)
    assert ticket.commune == commune_a
    assert ticket.location_source == "exif"
    problems.assert_no_page_errors()
    problems.assert_none()
