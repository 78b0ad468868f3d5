"""The language cookie a page answer sets, for the pages that log a person in or
change their language (accounts/views.py, console/views/login.py,
notifications/views.py). Django keeps no language in the session (since 4.0):
the cookie that LocaleMiddleware reads is it."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import login
from django.http import HttpRequest, HttpResponse

from accounts.models import User
from accounts.services import login_language


def language_cookie_set(response: HttpResponse, language: str) -> None:
    """Show the site in ``language`` from the next page on, the cookie set as
    Django's set_language sets it."""
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )


def log_in(request: HttpRequest, user: User, *, backend: str | None = None) -> str:
    """Log ``user`` in and return the language the site opens in on this
    browser (accounts.services.login_language, given the button's cookie); the
    caller sets its answer's cookie to it (language_cookie_set).

    One sequence for the three ways in (the code log-in page, the API's
    otp/verify, the console's log-in): the language must be read before
    login(), which sets last_login and so ends the first log-in that keeps
    the button's choice."""
    language = login_language(user=user, chosen=request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME))
    login(request, user, backend=backend)
    return language
