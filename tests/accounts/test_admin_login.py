"""The Django admin's log-in page follows the site's language rule.

The page reads the language as every page does (the button's cookie, then the
browser's language, then Vietnamese), and logging in there opens the site in
the account's language, as the residents' and the console's log-ins do: it
opened the admin, and then the whole site, in the browser's English for a
superuser whose account reads Vietnamese.
"""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from accounts.models import User
from tests import factories

pytestmark = pytest.mark.django_db

LOGIN = "/admin/login/"
COOKIE = settings.LANGUAGE_COOKIE_NAME


def _lang(html: bytes) -> str:
    found = re.search(rb'<html lang="([^"]+)"', html)
    assert found is not None
    return found.group(1).decode()


def _superuser(*, language: str = "vi", logged_in_before: bool = True) -> User:
    user = factories.user_create(is_staff=True, is_superuser=True, language=language)
    if logged_in_before:
        User.objects.filter(pk=user.pk).update(last_login=timezone.now())
        user.refresh_from_db()
    return user


def _log_in(client: Client, user: User) -> None:
    answer = client.post(
        LOGIN, {"username": user.phone, "password": factories.PASSWORD, "next": "/admin/"}
    )
    assert answer.status_code == 302, answer.content[:300]
    assert answer["Location"] == "/admin/"


def test_the_admin_log_in_page_reads_the_language_as_every_page_does() -> None:
    assert _lang(Client().get(LOGIN).content) == "vi"  # the default
    english_browser = Client(headers={"accept-language": "en-US,en;q=0.9"})
    assert _lang(english_browser.get(LOGIN).content) == "en"
    english_browser.cookies[COOKIE] = "vi"  # the site's button wins over the browser
    page = english_browser.get(LOGIN).content
    assert _lang(page) == "vi"
    assert "Đăng nhập".encode() in page


def test_logging_in_at_the_admin_opens_the_site_in_the_accounts_language() -> None:
    admin_user = _superuser()
    assert admin_user.language == User.Language.VIETNAMESE
    client = Client(headers={"accept-language": "en-US,en;q=0.9"})
    _log_in(client, admin_user)
    assert client.cookies[COOKIE].value == "vi"
    assert _lang(client.get("/admin/").content) == "vi"
    assert _lang(client.get("/").content) == "vi"


def test_an_english_account_gets_english_after_the_admin_log_in() -> None:
    admin_user = _superuser(language="en")
    client = Client()
    _log_in(client, admin_user)
    assert client.cookies[COOKIE].value == "en"
    assert _lang(client.get("/admin/").content) == "en"


def test_a_first_admin_log_in_keeps_the_language_chosen_just_before() -> None:
    admin_user = _superuser(logged_in_before=False)
    assert admin_user.last_login is None
    client = Client()
    client.cookies[COOKIE] = "en"
    _log_in(client, admin_user)
    admin_user.refresh_from_db()
    assert admin_user.language == "en"
    assert client.cookies[COOKIE].value == "en"


def test_a_wrong_password_or_a_resident_stays_on_the_admin_log_in_page() -> None:
    admin_user = _superuser()
    resident = factories.user_create()
    for phone, password in ((admin_user.phone, "wrong"), (resident.phone, factories.PASSWORD)):
        client = Client()
        answer = client.post(LOGIN, {"username": phone, "password": password})
        assert answer.status_code == 200
        assert 'id="login-form"' in answer.content.decode()
        assert COOKIE not in answer.cookies
        assert "_auth_user_id" not in client.session
