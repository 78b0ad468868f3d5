"""Every page, in Vietnamese and in English, as the person who uses it (issue 13):
axe-core finds no critical or serious violation, no text is left in the other
language (Django's empty-choice labels included), and resident pages keep
44 px tap targets and fit a 360 px phone at 200 % zoom.

The pages are those of tests/browser/pages.py, which tests/browser/test_page_list.py
keeps in step with the permission matrix. One walk per language gathers every
finding and fails once, naming page, persona and element, so one run shows
everything to fix.
"""

from __future__ import annotations

import pytest
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
from django.utils import timezone
from playwright.sync_api import BrowserContext, Page

from accounts.models import User
from accounts.views import SESSION_PHONE
from geo.models import AdminUnit
from helpdesk import lifecycle
from helpdesk.models import CannedResponse, Ticket
from knowledge.seed import knowledge_seed
from tests import factories
from tests.alerts.helpers import publish
from tests.browser.a11y import PHONE, axe_violations, language_leaks, phone_problems
from tests.browser.conftest import (
    Problems,
    Server,
    file_case,
    in_thread,
    log_in,
    on_screen_images_wait,
    person_leave,
)
from tests.browser.pages import VISITS
from tests.conftest import Personas
from tests.factories import jpeg
from tests.knowledge.articles import VNEID_ACTIVATION

pytestmark = pytest.mark.browser


def _resolved(ticket: Ticket, officer: User) -> Ticket:
    def resolve() -> Ticket:
        lifecycle.ticket_accept(ticket=ticket, by=officer)
        lifecycle.ticket_start(ticket=ticket, by=officer)
        return lifecycle.ticket_resolve(
            ticket=ticket, by=officer, note="Đã vá ổ gà", photos=(jpeg(),)
        )

    return in_thread(resolve)


def _waiting_for_code(context: BrowserContext, server: Server) -> None:
    """A session that has asked for a code, as after sending a phone number
    (sending one for real would meet the per-address limit of one-time codes)."""
    session = SessionStore()
    session[SESSION_PHONE] = "+84912345678"
    session.create()
    name, value = settings.SESSION_COOKIE_NAME, session.session_key or ""
    context.add_cookies([{"name": name, "value": value, "url": server.url}])


def _open(page: Page, path: str) -> None:
    response = page.goto(path)
    assert response is not None, path
    assert response.status == 200, (path, response.status)


@pytest.mark.parametrize("language", ["vi", "en"])
def test_every_page_is_accessible_and_in_one_language(
    language: str,
    personas: Personas,
    commune_a: AdminUnit,
    server: Server,
    context: BrowserContext,
    page: Page,
    problems: Problems,
) -> None:
    knowledge_seed()
    ticket = file_case(reporter=personas.resident, commune=commune_a, description="Ổ gà lớn")
    done = file_case(reporter=personas.resident, commune=commune_a, description="Đèn tắt")
    done = _resolved(done, personas.officer_a)
    # An alert in force, so the alert pages show one (a row, an article).
    in_thread(
        lambda: publish(
            personas.officer_a, timezone.now(), commune=commune_a, category="scam_warning"
        )
    )
    answer = in_thread(
        lambda: CannedResponse.objects.create(
            department=factories.department_create(commune=commune_a),
            title="Đã chuyển đội sửa đường",
            body="Chúng tôi đã báo đội sửa đường.\nXin cảm ơn.",
        )
    )
    values = {
        "answer": answer.pk,
        "number": ticket.number,
        "resolved": done.number,
        "public_id": ticket.public_id,
        "slug": VNEID_ACTIVATION,
    }
    people: dict[str, User | None] = {
        "anonymous": None,
        "resident": personas.resident,
        "team_member": personas.digital_team,
        "officer": personas.officer_a,
        "leader": personas.leader_a,
        "province_admin": personas.province_admin,
    }
    page.set_viewport_size(PHONE)
    findings: list[str] = []
    for visit in VISITS:
        person_leave(page, context)
        context.add_cookies(
            [{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": server.url}]
        )
        user = people[visit.persona]
        if user is not None:
            log_in(context, server, user)
        if visit.route == "accounts/login/code/":
            _waiting_for_code(context, server)
        path = visit.path.format(**values)
        _open(page, path)
        on_screen_images_wait(page)
        where = f"{path} [{language}, {visit.persona}]"
        assert page.locator("html").get_attribute("lang") == language, where
        axe = axe_violations(page, contrast=language == "vi")
        findings += [f"{where} axe: {v}" for v in axe]
        leaks = language_leaks(page, language)
        findings += [f"{where} {language} page shows: {text!r}" for text in leaks]
        if visit.phone:
            findings += [f"{where} {p}" for p in phone_problems(page)]
    assert not findings, f"{len(findings)} problems:\n" + "\n".join(findings)
    problems.assert_none()
