"""Answers Django makes on its own, on the pages: each is a page with a sentence
in the request's language (Vietnamese unless asked otherwise) and a way home.

A probe of make run found a blank 405 (require_POST and its kin), Django's
English 404 and its English "CSRF verification failed" page under a
Vietnamese Content-Language, and a scam check whose province error was not
shown at all. /api/ and /open311/ keep their own shapes
(tests/config/test_api_errors.py, tests/open311/test_conformance.py).
"""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client, RequestFactory
from django.utils import translation
from pytest_django import Settings

from accounts.models import User
from config.db_outage import server_error
from geo.models import AdminUnit
from tests import factories
from tests.conftest import Personas

pytestmark = pytest.mark.django_db

NOT_ALLOWED = {
    "vi": "Trang này không nhận kiểu yêu cầu này.",
    "en": "This page does not take this kind of request.",
}
NOT_FOUND = {"vi": "Không tìm thấy trang này.", "en": "We could not find this page."}
TOO_OLD = {
    "vi": "Trang đã mở quá lâu. Vui lòng quay lại, tải lại trang rồi gửi lại.",
    "en": "This page was open too long. Go back, reload the page and send it again.",
}
# The resident pages' "back to the start" link.
HOME_LINK = 'href="/"'


def _client(user: User | None, language: str, *, csrf_checks: bool = False) -> Client:
    # Vietnamese is what a request that names no language gets.
    headers = {} if language == "vi" else {"accept-language": language}
    client = Client(headers=headers, enforce_csrf_checks=csrf_checks)
    if user is not None:
        client.force_login(user)
    return client


def _page(response: Any, status: int, sentence: str, language: str) -> str:
    assert response.status_code == status
    assert response["Content-Type"].startswith("text/html")
    assert response["Content-Language"] == language
    body: str = response.content.decode()
    assert sentence in body
    assert f'<html lang="{language}">' in body
    assert HOME_LINK in body
    return body


# (who, method, path, Allow): the addresses the probe found answering a blank 405.
METHOD_NOT_ALLOWED = [
    ("resident", "get", "/accounts/logout/", "POST"),
    # A case action's address takes a GET to the case page (core/form_address.py,
    # tests/reports/test_form_address.py); another method is refused.
    ("officer_a", "put", "/console/cases/X/accept/", "POST"),
    ("resident", "delete", "/cases/X/rate/", "POST"),
    ("officer_a", "post", "/console/", "GET"),
    ("resident", "get", "/notifications/read-all/", "POST"),
    # nginx refuses TRACE itself and hands it to the app (scripts/nginx.conf.in),
    # whose answer must then name the methods the path takes.
    ("resident", "trace", "/report/new/", "GET, POST"),
]


@pytest.mark.parametrize("language", ["vi", "en"])
@pytest.mark.parametrize(("who", "method", "path", "allow"), METHOD_NOT_ALLOWED)
def test_a_method_a_page_does_not_take_gets_a_page_with_allow(
    personas: Personas, who: str, method: str, path: str, allow: str, language: str
) -> None:
    client = _client(getattr(personas, who), language)

    response = client.generic(method.upper(), path)

    _page(response, 405, NOT_ALLOWED[language], language)
    assert response["Allow"] == allow


def test_a_405_page_for_an_anonymous_visitor(db: None) -> None:
    response = Client().get("/accounts/logout/")

    _page(response, 405, NOT_ALLOWED["vi"], "vi")
    assert response["Allow"] == "POST"


@pytest.mark.parametrize("language", ["vi", "en"])
@pytest.mark.parametrize(
    ("who", "method", "path"),
    [
        (None, "get", "/no-such-page/"),
        (None, "get", "/voice/99999/"),
        # An action no case has: the views' own ``raise Http404``.
        ("resident", "post", "/cases/{number}/no-such-action/"),
        ("officer_a", "post", "/console/cases/{number}/no-such-action/"),
    ],
)
def test_a_missing_page_is_a_404_in_the_sites_look(
    personas: Personas,
    commune_a: AdminUnit,
    settings: Settings,
    who: str | None,
    method: str,
    path: str,
    language: str,
) -> None:
    # With DEBUG on Django shows its technical 404 instead of templates/404.html.
    settings.DEBUG = False
    ticket = factories.case_file(reporter=personas.resident, commune=commune_a)
    client = _client(getattr(personas, who) if who else None, language)

    response = getattr(client, method)(path.format(number=ticket.number))

    body = _page(response, 404, NOT_FOUND[language], language)
    assert 'class="site"' in body  # the site's header, not Django's bare page
    # Django hands the template the exception's words (a class name, a
    # resolver's dictionary); they are not shown.
    assert "Resolver404" not in body
    assert "Http404" not in body
    assert "tried" not in body


@pytest.mark.parametrize("language", ["vi", "en"])
def test_a_form_sent_after_its_csrf_cookie_ran_out_says_to_reload(
    personas: Personas, language: str
) -> None:
    client = _client(personas.resident, language, csrf_checks=True)

    # No csrftoken cookie and no token: a page kept open past its cookie.
    response = client.post("/scam-check/", {"text": "Bạn trúng thưởng 100 triệu"})

    body = _page(response, 403, TOO_OLD[language], language)
    for leak in ("CSRF", "DEBUG", "Referer", "cookie", "Forbidden", personas.resident.full_name):
        assert leak not in body
    assert personas.resident.phone not in body


@pytest.mark.parametrize(
    ("language", "sentence"),
    [("vi", "Hãy chọn một lựa chọn hợp lệ"), ("en", "Select a valid choice")],
)
def test_a_scam_check_with_an_unknown_province_shows_the_error(
    db: None, language: str, sentence: str
) -> None:
    client = _client(None, language)

    response = client.post("/scam-check/", {"text": "abc", "province": "99"})

    assert response.status_code == 422
    body = response.content.decode()
    assert 'aria-describedby="id_province_error"' in body
    # The element the select points at exists, holds the sentence, and is in
    # the commune section, which is open so the person sees it.
    error = body.split('id="id_province_error"', 1)[1].split("</ul>", 1)[0]
    assert sentence in error
    assert '<details class="commune" open>' in body


def test_trace_on_the_api_is_its_json_405_with_allow(db: None) -> None:
    """What nginx hands over for TRACE under /api/ (config/api_middleware.py)."""
    response = Client(headers={"accept-language": "en"}).generic("TRACE", "/api/v1/alerts/0")
    assert response.status_code == 405
    assert response["Allow"] == "GET"
    assert response.json()["code"] == "method_not_allowed"


@pytest.mark.parametrize(
    ("language", "sentence"),
    [("vi", "Không đọc được yêu cầu"), ("en", "The request could not be read")],
)
def test_a_host_the_site_does_not_serve_gets_a_sentence_not_a_bare_400(
    settings: Settings, language: str, sentence: str
) -> None:
    """Django refuses such a Host before any view; its own page was a bare
    "Bad Request (400)" (an HTTP/1.0 client through nginx sends no Host)."""
    settings.ALLOWED_HOSTS = ["127.0.0.1"]
    response = Client(headers={"accept-language": language}).get("/", HTTP_HOST="elsewhere.example")
    assert response.status_code == 400
    body = response.content.decode()
    assert sentence in body
    assert "elsewhere.example" not in body  # Django's reason is for the log


@pytest.mark.django_db
def test_an_unknown_api_path_draws_no_page_to_throw_away(
    personas: Personas, settings: Settings, django_assert_num_queries: Any
) -> None:
    """The JSON 404 (config/api_middleware.py) replaced a 404.html drawn first,
    which read the person and their unread count for nothing."""
    settings.DEBUG = False
    client = _client(personas.resident, "en")
    # The page read the session, the person, their roles and their unread count.
    with django_assert_num_queries(0):
        response = client.get("/api/v1/no/such/thing")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


@pytest.mark.parametrize(
    ("language", "written"),
    [("vi", "14:27 07/12/2026"), ("en", "14:27 07/12/2026")],
)
def test_short_dates_are_day_first_with_a_24_hour_clock_in_both_languages(
    language: str, written: str
) -> None:
    """The English console wrote "12/07/2026 2:27 p.m." for 7 December, read as
    12 July; the Vietnamese one "07-12-2026" where the pages write 07/12/2026
    (a helper walking make run)."""
    from datetime import datetime

    from django.template.defaultfilters import date
    from django.utils import translation

    moment = datetime(2026, 12, 7, 14, 27)
    with translation.override(language):
        assert date(moment, "SHORT_DATETIME_FORMAT") == written
        assert date(moment, "SHORT_DATE_FORMAT") == "07/12/2026"


@pytest.mark.parametrize(
    ("language", "said"),
    [("vi", "Lỗi là do hệ thống, không phải do bạn."), ("en", "The fault is ours, not yours.")],
)
def test_a_server_error_is_a_page_in_the_sites_language_that_reads_nothing(
    language: str, said: str, django_assert_num_queries: Any
) -> None:
    """Django's bare "Server Error (500)" was in English on every page (a
    walk). The page Django renders with no request, after a failure: it says
    what to do, in the page's language, and asks the database nothing (it
    may be what failed)."""
    with translation.override(language), django_assert_num_queries(0):
        response = server_error(RequestFactory().get("/report/new/"))
    body = response.content.decode()
    assert response.status_code == 500
    assert said in body
    assert f'<html lang="{language}">' in body
