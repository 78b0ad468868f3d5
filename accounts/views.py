"""Pages to sign up or log in by one-time code: number → code → back where they
were; and the header's language button.

Plain forms that work without JavaScript. The number travels from the first
page to the second in the session, so the code page cannot be pointed at
someone else's number by editing the form.
"""

from __future__ import annotations

import math
from urllib.parse import urlencode

from django import forms
from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST
from django.views.i18n import set_language

from accounts.language_cookie import language_cookie_set, log_in
from accounts.models import User
from accounts.otp import RateLimited, otp_request, otp_verify
from accounts.phones import phone_display
from accounts.services import account_language, user_language_set
from core.client_ip import client_ip
from core.errors import DomainError, InvalidInput

SESSION_PHONE = "otp_phone"
SESSION_BACKEND = "django.contrib.auth.backends.ModelBackend"


class PhoneForm(forms.Form):
    phone = forms.CharField(
        label=_("Mobile number"),
        max_length=32,
        widget=forms.TextInput(
            attrs={"inputmode": "tel", "autocomplete": "tel", "placeholder": "0912 345 678"}
        ),
    )


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code from the SMS"),
        max_length=16,
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "pattern": "[0-9 ]*"}
        ),
    )


def _next_url(request: HttpRequest) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return "/"


def _with_next(url_name: str, next_url: str) -> str:
    return f"{reverse(url_name)}?{urlencode({'next': next_url})}"


def _wait_text(seconds: int) -> str:
    if seconds < 60:
        return ngettext(
            "You can ask for a new code in %(count)d second.",
            "You can ask for a new code in %(count)d seconds.",
            seconds,
        ) % {"count": seconds}
    minutes = math.ceil(seconds / 60)
    return ngettext(
        "You can ask for a new code in %(count)d minute.",
        "You can ask for a new code in %(count)d minutes.",
        minutes,
    ) % {"count": minutes}


@require_http_methods(["GET", "POST"])
def login_phone(request: HttpRequest) -> HttpResponse:
    next_url = _next_url(request)
    form = PhoneForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            result = otp_request(phone_raw=form.cleaned_data["phone"], ip=client_ip(request))
        except RateLimited as exc:
            form.add_error(None, f"{exc.message} {_wait_text(exc.retry_after)}")
        except DomainError as exc:
            form.add_error("phone" if isinstance(exc, InvalidInput) else None, str(exc.message))
        else:
            request.session[SESSION_PHONE] = result.phone
            return redirect(_with_next("accounts:login-code", next_url))
    pending = request.session.get(SESSION_PHONE)
    context = {
        "form": form,
        "next": next_url,
        "code_url": _with_next("accounts:login-code", next_url) if pending else "",
    }
    return render(request, "accounts/login_phone.html", context)


@require_http_methods(["GET", "POST"])
def login_code(request: HttpRequest) -> HttpResponse:
    next_url = _next_url(request)
    phone = request.session.get(SESSION_PHONE)
    if not phone:
        return redirect(_with_next("accounts:login", next_url))
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = otp_verify(
                phone_raw=phone, code=form.cleaned_data["code"], ip=client_ip(request)
            )
        except DomainError as exc:
            form.add_error("code", str(exc.message))
        else:
            request.session.pop(SESSION_PHONE, None)
            language = log_in(request, user, backend=SESSION_BACKEND)
            response = redirect(next_url)
            # The site opens in the account's language on any phone.
            language_cookie_set(response, language)
            return response
    context = {"form": form, "next": next_url, "phone": phone_display(phone), "raw_phone": phone}
    return render(request, "accounts/login_code.html", context)


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    logout(request)
    return redirect("/")


def language_switch(request: HttpRequest) -> HttpResponse:
    """The header's language button (/i18n/setlang/, named ``set_language``).

    Django's set_language does all of it, unchanged: the POST contract, the
    checks on ``next`` (another site's address is refused for the Referer or
    "/"), the cookie. For a logged-in person the language the cookie now
    holds is saved to their account too, so their new messages, SMS and Zalo
    follow the site. A wrapping view rather than a middleware or a signal:
    Django sends no signal for a language switch, and a middleware would
    watch every request of the site to act on this one URL. Read back from
    the cookie Django set, so only a language it accepted is saved, and
    nothing on a GET (which changes nothing) or for an anonymous visitor.
    """
    response = set_language(request)
    cookie = response.cookies.get(settings.LANGUAGE_COOKIE_NAME)
    user = request.user
    if cookie is not None and isinstance(user, User):
        # A language the site has pages in but no account choice (none
        # today) sets the cookie only, as before.
        language = account_language(cookie.value)
        if language is not None:
            user_language_set(user=user, language=language)
    return response
