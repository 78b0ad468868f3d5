"""Every page satisfies the Content-Security-Policy it is sent with (issue 11).

The policy (config/settings.py SECURE_CSP) allows no inline script or style,
so a page that needs one breaks in a browser, silently for the person. Each
page is opened in Chromium as the person who uses it; the browser reports
every violation as a `securitypolicyviolation` event, collected here.
"""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from playwright.sync_api import BrowserContext, Page

from accounts.models import User
from geo.models import AdminUnit
from tests.browser.conftest import (
    Problems,
    Server,
    file_case,
    log_in,
    on_screen_images_wait,
    person_leave,
)
from tests.conftest import Personas

pytestmark = pytest.mark.browser

COLLECT_VIOLATIONS = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__violations.push(e.violatedDirective + " " + (e.blockedURI || "inline") +
                          " at " + e.sourceFile + ":" + e.lineNumber);
});
"""


def _visit(page: Page, server: Server, path: str) -> list[str]:
    response = page.goto(f"{server.url}{path}")
    assert response is not None
    assert response.status < 400, (path, response.status)
    csp = response.headers.get("content-security-policy", "")
    assert "default-src 'self'" in csp, path
    page.wait_for_load_state("load")
    on_screen_images_wait(page)
    violations: list[str] = page.evaluate("window.__violations")
    return [f"{path}: {v}" for v in violations]


def test_every_page_keeps_to_the_content_security_policy(
    page: Page,
    context: BrowserContext,
    server: Server,
    personas: Personas,
    commune_a: AdminUnit,
    problems: Problems,
) -> None:
    ticket = file_case(reporter=personas.resident, commune=commune_a, description="Ổ gà")
    page.add_init_script(COLLECT_VIOLATIONS)
    pages: dict[str, tuple[User | AnonymousUser, list[str]]] = {
        "anonymous": (
            AnonymousUser(),
            ["/", "/reports/map/", f"/reports/{ticket.public_id}/", "/map/", "/accounts/login/"],
        ),
        "resident": (
            personas.resident,
            [
                "/report/new/",
                "/help/new/",
                "/cases/",
                f"/cases/{ticket.number}/",
                "/notifications/",
            ],
        ),
        "officer": (
            personas.officer_a,
            [
                "/console/",
                "/console/map/",
                f"/console/cases/{ticket.number}/",
            ],
        ),
        "leader": (personas.leader_a, ["/console/dashboard/"]),
    }
    violations: list[str] = []
    for user, paths in pages.values():
        person_leave(page, context)
        if isinstance(user, User):
            log_in(context, server, user)
        for path in paths:
            violations += _visit(page, server, path)
    assert violations == []
    problems.assert_none()
