"""The console's log-in: Django's LoginView with the phone-number form, which
opens the console in the officer's own language, as a code log-in does on the
resident pages (accounts/views.py)."""

from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.http import HttpResponse, HttpResponseRedirect

from accounts.language_cookie import language_cookie_set, log_in
from console.forms import PhoneLoginForm


class ConsoleLoginView(auth_views.LoginView):
    template_name = "console/login.html"
    authentication_form = PhoneLoginForm
    redirect_authenticated_user = True

    def form_valid(self, form: PhoneLoginForm) -> HttpResponse:  # type: ignore[override]
        # LoginView.form_valid's two steps, with the log-in that reads the
        # language first (a first log-in keeps the one chosen with the site's
        # button just before).
        language = log_in(self.request, form.get_user())
        response = HttpResponseRedirect(self.get_success_url())
        language_cookie_set(response, language)
        return response
