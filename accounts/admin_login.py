"""The Django admin's log-in page, which opens the site in the person's own
language as the residents' and the console's log-ins do (accounts/language_cookie.py).

AdminSite.login hands its form to Django's LoginView, whose success logs in and
sets no language: a superuser whose account reads Vietnamese, on a browser
that asks for English, got the admin and then every page of the site in
English, where the console's log-in opens them in Vietnamese. This is the same
page (AdminSite.login's context, form and template) with the console's success.
The audited admin site lives in the audit app, below accounts, so the page is
mounted over the admin's own address in config/urls.py.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.views import LoginView
from django.http import HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from accounts.language_cookie import language_cookie_set, log_in


class _LanguageLoginView(LoginView):
    def form_valid(self, form: AuthenticationForm) -> HttpResponse:
        # LoginView.form_valid's two steps, with the log-in that reads the
        # language first (a first log-in keeps the one chosen with the site's
        # button just before), as console/views/login.py does.
        language = log_in(self.request, form.get_user())
        response = HttpResponseRedirect(self.get_success_url())
        language_cookie_set(response, language)
        return response


@never_cache
@login_not_required
def admin_login(request: HttpRequest) -> HttpResponseBase:
    """AdminSite.login (django/contrib/admin/sites.py) with _LanguageLoginView."""
    site = admin.site
    redirect_url = LoginView().get_redirect_url(request) or reverse(
        "admin:index", current_app=site.name
    )
    if request.method == "GET" and site.has_permission(request):
        return HttpResponseRedirect(redirect_url)  # already logged in
    context: dict[str, Any] = {
        **site.each_context(request),
        "title": _("Log in"),
        "subtitle": None,
        "app_path": request.get_full_path(),
        "username": request.user.get_username(),
        REDIRECT_FIELD_NAME: redirect_url,
    }
    request.current_app = site.name
    return _LanguageLoginView.as_view(
        extra_context=context,
        authentication_form=site.login_form or AdminAuthenticationForm,
        template_name=site.login_template or "admin/login.html",
    )(request)
