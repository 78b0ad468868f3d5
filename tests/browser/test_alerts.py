"""Commune alerts in the browser: an officer publishes one from the console and
a resident of the commune, with a page open, sees it at once, without a
reload (the FanOut goes through the real delivery worker, then the inbox
socket); and the commune's public alerts page, read once, opens again with
no signal (served by the service worker).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, BrowserContext, Page, expect

from alerts.models import Alert, Category
from alerts.services import AlertDraft, publish_alert
from geo.models import AdminUnit
from helpdesk.permissions import scope_for
from tests.browser.conftest import (
    Problems,
    Server,
    file_case,
    frames_of,
    in_thread,
    log_in,
    wait_for_frame,
)
from tests.browser.test_journey import LIVE, second_context
from tests.browser.test_offline import controlled
from tests.conftest import Personas

pytestmark = pytest.mark.browser


def test_an_alert_published_in_the_console_reaches_a_residents_open_page(
    personas: Personas,
    commune_a: AdminUnit,
    server: Server,
    browser: Browser,
    browser_context_args: dict[str, Any],
    context: BrowserContext,
    page: Page,
    problems: Problems,
) -> None:
    # A resident of commune A: someone who filed a case there (alerts/selectors.py).
    file_case(reporter=personas.resident, commune=commune_a, description="Cống tắc")
    log_in(context, server, personas.resident)
    frames = frames_of(page, "/ws/inbox/")
    page.goto("/cases/")
    wait_for_frame(page, frames, '"unread"')  # the inbox socket is open
    page.evaluate("window.notReloaded = true")
    banner = page.locator("[data-live-alert]")
    expect(banner).to_be_hidden()

    officer_context = second_context(browser, browser_context_args)
    try:
        log_in(officer_context, server, personas.officer_a)
        officer = officer_context.new_page()
        officer.goto("/console/alerts/new/")
        officer.locator("select[name=category]").select_option(Category.DISASTER.value)
        officer.locator("select[name=area]").select_option(f"commune:{commune_a.pk}")
        officer.locator("textarea[name=short_text]").fill("Lu lon dem nay, tranh xa bo song")
        officer.locator("textarea[name=long_text]").fill("Nước sông lên nhanh từ 22 giờ.")
        officer.locator("main form button[type=submit]").click()
        officer.wait_for_url("**/console/alerts/")
    finally:
        officer_context.close()
    alert = Alert.objects.get(commune=commune_a)

    link = banner.locator("a")
    expect(link).to_have_text("Lu lon dem nay, tranh xa bo song", timeout=LIVE)
    expect(banner).to_be_visible()
    expect(link).to_have_attribute("href", f"/alerts/{commune_a.code}/#alert-{alert.pk}")
    assert page.evaluate("window.notReloaded === true")
    problems.assert_none()


def test_the_public_alerts_page_read_once_opens_again_offline(
    personas: Personas,
    commune_a: AdminUnit,
    server: Server,
    context: BrowserContext,
    page: Page,
    problems: Problems,
) -> None:
    def publish() -> Alert:
        return publish_alert(
            author=personas.officer_a,
            scope=scope_for(user=personas.officer_a),
            draft=AlertDraft(
                category=Category.SCAM_WARNING,
                province_id=None,
                commune_id=commune_a.pk,
                short_text="Canh giac cuoc goi gia danh cong an",
                long_text="Không chuyển tiền cho người gọi tự xưng công an.",
                expires_at=timezone.now() + timedelta(days=1),
            ),
        )

    alert = in_thread(publish)
    path = f"/alerts/{commune_a.code}/"
    page.goto(path)  # anyone, not logged in
    controlled(page)
    page.goto(path)  # the first visit installed the worker; this one it keeps
    article = page.locator(f"#alert-{alert.pk}")
    expect(article).to_contain_text("Canh giac cuoc goi gia danh cong an")
    # A public page: nothing of the officer who wrote it.
    expect(page.locator("main")).not_to_contain_text(personas.officer_a.full_name)

    context.set_offline(True)
    page.reload()
    expect(article).to_contain_text("Canh giac cuoc goi gia danh cong an")
    expect(article).to_contain_text("Không chuyển tiền cho người gọi tự xưng công an.")
    expect(page.locator("#offline-copy")).to_be_visible()
    problems.assert_no_page_errors()
