"""The header's language button keeps a logged-in person's language; logging in brings it back.

Django's set_language only set a cookie: a resident who switched the site to
English kept a Vietnamese account, so every new message and SMS to her stayed
Vietnamese. The button now saves the account's language too (accounts/views.py),
with Django's own checks of ``next`` and of the language, and a log-in opens
the site in the account's language. Messages written after the switch:
tests/notifications/test_language.py.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone
from pytest_django import Settings

from accounts.models import User
from core import sms
from tests import factories
from tests.conftest import Personas

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse as Response

pytestmark = pytest.mark.django_db

SETLANG = "/i18n/setlang/"
COOKIE = settings.LANGUAGE_COOKIE_NAME


@pytest.fixture(autouse=True)
def outbox(settings: Settings) -> Iterator[list[sms.SmsMessage]]:
    settings.SMS_BACKEND = "memory"
    sms.outbox.clear()
    yield sms.outbox
    sms.outbox.clear()


def _switch(
    client: Client, language: str, next_url: str = "/notifications/", referer: str = ""
) -> Response:
    headers = {"referer": referer} if referer else None
    return client.post(SETLANG, {"language": language, "next": next_url}, headers=headers)


def _logged_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _language(user: User) -> str:
    return User.objects.values_list("language", flat=True).get(pk=user.pk)


def _log_in_by_code(client: Client, phone: str, next_url: str = "/notifications/") -> Response:
    """The resident's pages: number, then the code from the SMS."""
    assert client.post("/accounts/login/", {"phone": phone, "next": next_url}).status_code == 302
    code = re.search(r"\b(\d{6})\b", sms.outbox[-1].text)
    assert code, sms.outbox[-1].text
    return client.post("/accounts/login/code/", {"code": code.group(1), "next": next_url})


def _has_logged_in_before(user: User) -> None:
    User.objects.filter(pk=user.pk).update(last_login=timezone.now())


def test_switching_while_logged_in_saves_the_account_language(personas: Personas) -> None:
    resident = personas.resident
    assert _language(resident) == User.Language.VIETNAMESE
    client = _logged_in(resident)
    response = _switch(client, "en")
    assert response.status_code == 302
    assert response["Location"] == "/notifications/"
    assert response.cookies[COOKIE].value == "en"
    assert _language(resident) == User.Language.ENGLISH
    assert _language(personas.officer_a) == User.Language.VIETNAMESE  # nobody else's
    page = client.get("/notifications/").content.decode()
    assert '<html lang="en">' in page
    # And back.
    _switch(client, "vi")
    assert _language(resident) == User.Language.VIETNAMESE


def test_a_forged_switch_without_the_csrf_token_changes_nothing(personas: Personas) -> None:
    """The button now writes to the account: another site's form must not."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(personas.resident)
    assert _switch(client, "en").status_code == 403
    assert _language(personas.resident) == User.Language.VIETNAMESE
    client.get("/")  # the page with the button: its CSRF cookie
    token = client.cookies["csrftoken"].value
    response = client.post(SETLANG, {"language": "en", "next": "/", "csrfmiddlewaretoken": token})
    assert response.status_code == 302
    assert _language(personas.resident) == User.Language.ENGLISH


def test_next_is_checked_as_django_checks_it(personas: Personas) -> None:
    """The wrapper leaves Django's answer as it is: another site's address is
    refused for the Referer, then "/"; a GET changes nothing."""
    client = _logged_in(personas.resident)
    response = _switch(client, "en", next_url="https://evil.example/")
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert _language(personas.resident) == User.Language.ENGLISH  # still saved
    response = _switch(client, "vi", next_url="//evil.example/", referer="http://testserver/cases/")
    assert response["Location"] == "http://testserver/cases/"
    assert _language(personas.resident) == User.Language.VIETNAMESE
    response = _switch(
        client, "en", next_url="https://evil.example/", referer="https://evil.example/x"
    )
    assert response["Location"] == "/"
    # A GET only redirects, as Django's does: no cookie, no change.
    response = client.get(SETLANG, {"language": "vi", "next": "/cases/"})
    assert response.status_code == 302
    assert response["Location"] == "/cases/"
    assert COOKIE not in response.cookies
    assert _language(personas.resident) == User.Language.ENGLISH


def test_only_a_language_of_the_accounts_is_saved(personas: Personas) -> None:
    """Django sets the cookie for any language it has a catalogue of ("fr"),
    which the site then shows as Vietnamese; the account keeps its own. A
    variant is saved as the site reads it: "en-us" is English."""
    client = _logged_in(personas.resident)
    response = _switch(client, "fr")
    assert response.cookies[COOKIE].value == "fr"  # Django's answer, unchanged
    assert _language(personas.resident) == User.Language.VIETNAMESE
    _switch(client, "xx")
    assert _language(personas.resident) == User.Language.VIETNAMESE
    _switch(client, "en-us")
    assert _language(personas.resident) == User.Language.ENGLISH


def test_an_anonymous_switch_changes_no_account_until_a_first_log_in(
    personas: Personas,
) -> None:
    """The visitor gets the cookie only. An account's first log-in keeps the
    language just chosen (its own is then the default nobody chose); later
    log-ins open the site in the account's language, whatever this browser
    showed before (a shared phone)."""
    _has_logged_in_before(personas.resident)
    browser = Client()
    response = _switch(browser, "en", next_url="/accounts/login/")
    assert response.cookies[COOKIE].value == "en"
    assert not User.objects.filter(language=User.Language.ENGLISH).exists()

    # A number with no account yet: signed up in English, stays in English.
    done = _log_in_by_code(browser, "0981 234 567")
    assert done.status_code == 302
    assert done["Location"] == "/notifications/"
    newcomer = User.objects.get(phone="+84981234567")
    assert newcomer.language == User.Language.ENGLISH
    assert done.cookies[COOKIE].value == "en"

    # Someone else logs in on this phone after her: the site takes their language.
    browser.post("/accounts/logout/")
    assert browser.cookies[COOKIE].value == "en"
    done = _log_in_by_code(browser, personas.resident.phone)
    assert done.status_code == 302
    assert done.cookies[COOKIE].value == "vi"
    assert _language(personas.resident) == User.Language.VIETNAMESE
    assert '<html lang="vi">' in browser.get("/notifications/").content.decode()


def test_logging_in_on_a_new_phone_opens_the_site_in_the_account_language() -> None:
    resident = factories.user_create(language=User.Language.ENGLISH)
    _has_logged_in_before(resident)
    phone = Client()  # no cookie: a new phone, the site in Vietnamese
    assert '<html lang="vi">' in phone.get("/").content.decode()
    done = _log_in_by_code(phone, resident.phone)
    assert done.status_code == 302
    cookie = done.cookies[COOKIE]
    assert cookie.value == "en"
    # Set as Django's set_language sets it.
    djangos = _switch(Client(), "en").cookies[COOKIE]
    attributes = ("path", "domain", "max-age", "secure", "httponly", "samesite")
    assert {name: cookie[name] for name in attributes} == {
        name: djangos[name] for name in attributes
    }
    assert '<html lang="en">' in phone.get("/notifications/").content.decode()
    assert _language(resident) == User.Language.ENGLISH


def test_the_apis_code_log_in_opens_the_session_in_the_account_language() -> None:
    """POST /api/v1/auth/otp/verify logs the browser's session in too: its
    pages open in the account's language, as after the log-in pages."""
    resident = factories.user_create(language=User.Language.ENGLISH)
    _has_logged_in_before(resident)
    phone = Client()
    asked = phone.post(
        "/api/v1/auth/otp/request", {"phone": resident.phone}, content_type="application/json"
    )
    assert asked.status_code == 202
    code = re.search(r"\b(\d{6})\b", sms.outbox[-1].text)
    assert code, sms.outbox[-1].text
    done = phone.post(
        "/api/v1/auth/otp/verify",
        {"phone": resident.phone, "code": code.group(1)},
        content_type="application/json",
    )
    assert done.status_code == 200
    assert done.json()["user"]["language"] == "en"
    assert done.cookies[COOKIE].value == "en"
    assert '<html lang="en">' in phone.get("/notifications/").content.decode()
