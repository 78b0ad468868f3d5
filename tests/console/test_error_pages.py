"""Error pages under /console/ in the console's layout, residents' in theirs.

A walk of the console found Django's 404 and 405 (and the 413 of a form over
a limit) drawn in the residents' layout inside the console: their menu (home,
my cases, map), their stylesheet, "back to the start", where an officer
wants the console's header and a way back to the queue. Both languages.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from pytest_django import Settings

from accounts.models import User
from geo.models import AdminUnit
from tests import factories
from tests.conftest import Personas

pytestmark = pytest.mark.django_db

SENTENCES = {
    404: {"vi": "Không tìm thấy trang này.", "en": "We could not find this page."},
    405: {
        "vi": "Trang này không nhận kiểu yêu cầu này.",
        "en": "This page does not take this kind of request.",
    },
    413: {"vi": "quá lớn", "en": "What was sent is too large"},
}
BACK_TO_QUEUE = {"vi": "Quay lại danh sách hồ sơ", "en": "Back to the queue"}
TOO_MANY_FIELDS = {f"f{i}": "x" for i in range(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1)}


def _client(user: User | None, language: str) -> Client:
    client = Client(headers={} if language == "vi" else {"accept-language": language})
    if user is not None:
        client.force_login(user)
    return client


def _answer(response: Any, status: int, language: str) -> str:
    assert response.status_code == status
    assert response["Content-Language"] == language
    body: str = response.content.decode()
    assert f'<html lang="{language}">' in body
    assert SENTENCES[status][language] in body
    return body


def _console_layout(body: str) -> None:
    assert "console/console" in body  # its stylesheet
    assert 'class="resident"' not in body  # not the residents' menu
    assert "reports/reports" not in body


def _residents_layout(body: str) -> None:
    assert 'class="resident"' in body
    assert "reports/reports" in body
    assert "console/console" not in body


# (who, method, path, status): a missing page, an action no case has (the
# view's own Http404), a method a page does not take, a form over a limit.
CONSOLE = [
    ("officer_a", "get", "/console/no-such-page/", 404),
    ("officer_a", "post", "/console/cases/{number}/no-such-action/", 404),
    ("leader_a", "post", "/console/dashboard/", 405),
    ("officer_a", "put", "/console/cases/{number}/accept/", 405),
    ("officer_a", "post", "/console/cases/{number}/note/", 413),
]
RESIDENTS = [
    ("resident", "get", "/no-such-page/", 404),
    ("resident", "post", "/cases/{number}/no-such-action/", 404),
    ("resident", "get", "/accounts/logout/", 405),
    ("resident", "post", "/report/new/", 413),
]


def _send(client: Client, method: str, path: str, status: int) -> Any:
    data = TOO_MANY_FIELDS if status == 413 else None
    return getattr(client, method)(path, data) if data else client.generic(method.upper(), path)


@pytest.mark.parametrize("language", ["vi", "en"])
@pytest.mark.parametrize(("who", "method", "path", "status"), CONSOLE)
def test_an_error_under_the_console_is_drawn_in_the_console(
    personas: Personas,
    commune_a: AdminUnit,
    settings: Settings,
    who: str,
    method: str,
    path: str,
    status: int,
    language: str,
) -> None:
    settings.DEBUG = False  # else Django's technical 404
    ticket = factories.case_file(reporter=personas.resident, commune=commune_a)
    client = _client(getattr(personas, who), language)

    response = _send(client, method, path.format(number=ticket.number), status)

    body = _answer(response, status, language)
    _console_layout(body)
    assert BACK_TO_QUEUE[language] in body
    assert 'action="/console/logout/"' in body  # the console's log-out
    if status == 405:
        assert response["Allow"] in ("GET", "POST")


@pytest.mark.parametrize("language", ["vi", "en"])
@pytest.mark.parametrize(("who", "method", "path", "status"), RESIDENTS)
def test_an_error_on_a_residents_page_keeps_their_layout(
    personas: Personas,
    commune_a: AdminUnit,
    settings: Settings,
    who: str,
    method: str,
    path: str,
    status: int,
    language: str,
) -> None:
    settings.DEBUG = False
    ticket = factories.case_file(reporter=personas.resident, commune=commune_a)
    client = _client(getattr(personas, who), language)

    response = _send(client, method, path.format(number=ticket.number), status)

    body = _answer(response, status, language)
    _residents_layout(body)
    assert BACK_TO_QUEUE[language] not in body
    assert 'action="/accounts/logout/"' in body  # the residents' log-out


@pytest.mark.parametrize("language", ["vi", "en"])
def test_the_consoles_error_page_offers_the_dashboard_to_whom_it_is_for(
    personas: Personas, settings: Settings, language: str
) -> None:
    """The header as on every console page: a leader's holds the dashboard."""
    settings.DEBUG = False
    link = 'href="/console/dashboard/" accesskey="d"'
    leader = _client(personas.leader_a, language).get("/console/no-such-page/")
    assert link in _answer(leader, 404, language)
    officer = _client(personas.officer_a, language).get("/console/no-such-page/")
    assert link not in _answer(officer, 404, language)
    # A refusal by the console itself (the dashboard is not an officer's).
    refused = _client(personas.officer_a, language).get("/console/dashboard/")
    assert refused.status_code == 403
    assert link not in refused.content.decode()
    audit = _client(personas.leader_a, language).get("/console/audit/")  # not a leader's
    assert audit.status_code == 403
    _console_layout(audit.content.decode())
    assert link in audit.content.decode()


def test_a_stranger_under_the_console_is_sent_to_the_start(db: None, settings: Settings) -> None:
    settings.DEBUG = False
    body = _answer(_client(None, "vi").get("/console/no-such-page/"), 404, "vi")
    _console_layout(body)
    assert BACK_TO_QUEUE["vi"] not in body
    assert "Về trang chủ" in body
