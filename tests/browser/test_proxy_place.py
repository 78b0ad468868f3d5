"""A team member asks a question for a resident, with the page's script on.

With the script the form is sent through the outbox to the API
(static/reports/intake.js, reports/api.py), not posted: the commune the form
starts with (the member's team's, reports/views/intake.py) must go with it.
A reviewer's two questions for a resident went to "an administrator will
route your case", the commune list having started, and been left, empty.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from geo.models import AdminUnit
from helpdesk.models import Ticket
from tests.browser.conftest import Problems, Server, log_in
from tests.conftest import Personas

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
