"""The inbox page and the delivery preferences page.

Parse, call a selector or a service, render: the inbox rows and the rules for
preferences are the same ones the API (notifications.api) uses.
"""

from __future__ import annotations

import math

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.language_cookie import language_cookie_set
from accounts.models import User
from core.errors import InvalidInput
from core.form_errors import form_refused
from notifications import selectors, services, zalo_link
from notifications.errors import ZaloLinkCodesTooMany
from notifications.forms import NotificationPreferenceForm

PAGE_SIZE = 20


def _person(request: HttpRequest) -> User:
    # Every view here is behind login_required.
    user = request.user
    assert isinstance(user, User)
    return user


@login_required
@require_GET
def notification_list(request: HttpRequest) -> HttpResponse:
    """The person's messages, newest first; unread ones marked."""
    user = _person(request)
    page = Paginator(selectors.notifications_of(user_id=user.pk), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(request, "notifications/inbox.html", {"page": page})


@login_required
@require_POST
def notifications_read_all(request: HttpRequest) -> HttpResponse:
    count = services.notifications_mark_all_read(user_id=_person(request).pk)
    if count:
        messages.success(request, _("All notifications are marked as read."))
    return redirect("notifications:notification-list")


@login_required
@require_GET
def notification_open(request: HttpRequest, notification_id: int) -> HttpResponse:
    """Mark one message read and go to its case (another person's id just returns)."""
    user = _person(request)
    notification = selectors.notifications_of(user_id=user.pk).filter(pk=notification_id).first()
    if notification is None:
        return redirect("notifications:notification-list")
    services.notification_mark_read(user_id=user.pk, notification_id=notification.pk)
    # Links are written by the server, but never follow one off this site.
    if notification.link and url_has_allowed_host_and_scheme(
        notification.link, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(notification.link)
    return redirect("notifications:notification-list")


@login_required
@never_cache  # a live link code: not for the Back button of a shared phone after log-out
@require_http_methods(["GET", "POST"])
def preference_edit(request: HttpRequest) -> HttpResponse:
    user = _person(request)
    staff = selectors.person_is_staff(user=user)  # the digest is for staff only
    offer_email = bool(user.email)
    preference = selectors.preference_for(user_id=user.pk)
    # Staff (who may run the Official Account) keep the plain id field; a
    # resident links by sending the OA a code, and chooses Zalo once linked.
    zalo_linked = bool(preference.zalo_user_id)
    options = {
        "offer_digest": staff,
        "offer_email": offer_email,
        "offer_zalo": staff or zalo_linked,
        "offer_zalo_id": staff,
    }
    if request.method == "GET":
        initial = {
            "email_enabled": preference.email_enabled,
            "sms_enabled": preference.sms_enabled,
            "zalo_enabled": preference.zalo_enabled,
            "zalo_user_id": preference.zalo_user_id,
            "quiet_start": preference.quiet_start,
            "quiet_end": preference.quiet_end,
            "daily_digest": preference.daily_digest,
            "language": user.language,
        }
        form = NotificationPreferenceForm(initial=initial, **options)
        return _preferences_page(request, form, staff=staff, zalo_linked=zalo_linked)
    form = NotificationPreferenceForm(request.POST, **options)
    if not form.is_valid():
        return _preferences_page(
            request,
            form,
            staff=staff,
            zalo_linked=zalo_linked,
            error=_("Please check what you entered."),
        )
    data = form.cleaned_data
    # A field not offered (no email address; Zalo not linked, or the id a
    # resident never types), or not posted (the language), keeps what is stored.
    try:
        saved = services.notification_preferences_update(
            user=user,
            email_enabled=data.get("email_enabled", preference.email_enabled),
            sms_enabled=data["sms_enabled"],
            zalo_enabled=data.get("zalo_enabled", preference.zalo_enabled),
            zalo_user_id=data.get("zalo_user_id", preference.zalo_user_id),
            quiet_start=data["quiet_start"],
            quiet_end=data["quiet_end"],
            daily_digest=data.get("daily_digest", False),
            language=data.get("language") or None,
        )
    except InvalidInput as exc:
        form_refused(form, exc)
        return _preferences_page(
            request, form, staff=staff, zalo_linked=zalo_linked, error=str(exc.message)
        )
    response = redirect("notifications:preference-edit")
    shown_in = translation.get_language()
    if saved.language_changed:
        # One language per person, as the header's button keeps it: the site
        # follows a new choice here. Only a change: a person whose site shows
        # another language than their account must not be switched by saving
        # their quiet hours.
        language_cookie_set(response, user.language)
        shown_in = user.language
    # Said in the language of the page that shows it: the new one after a change.
    with translation.override(shown_in):
        messages.success(request, _("Your notification settings are saved."))
    return response


@login_required
@require_POST
def zalo_code_new(request: HttpRequest) -> HttpResponse:
    """The "get a code" button: a code, replacing any shown before."""
    try:
        zalo_link.zalo_link_code_issue(user=_person(request), fresh=True)
    except ZaloLinkCodesTooMany as exc:
        messages.error(request, str(exc.message))
    return redirect(reverse("notifications:preference-edit") + "#zalo")


@login_required
@require_POST
def zalo_unlink(request: HttpRequest) -> HttpResponse:
    zalo_link.zalo_unlink(user=_person(request))
    messages.success(request, _("Your Zalo is unlinked: no more messages there."))
    return redirect(reverse("notifications:preference-edit") + "#zalo")


def _zalo_link_context(request: HttpRequest, *, linked: bool) -> dict[str, object]:
    """What the resident's Zalo steps show: the OA, and their live code."""
    context: dict[str, object] = {
        "linked": linked,
        "oa_name": settings.ZALO_OA_NAME,
        "oa_url_follow": settings.ZALO_OA_URL_FOLLOW,
        "minutes": settings.ZALO_LINK_CODE_MINUTES,
        "code": None,
    }
    if linked:
        return context
    # Their live code if it has a few minutes left (a reload does not change
    # the code they may be typing into Zalo). Drawn only when they ask (the
    # button, a POST): opening the page wrote a live code for everyone who
    # looked, more codes for a guesser to hit, and one a shared phone's Back
    # button could show the next person (a second read).
    link_code = zalo_link.zalo_link_code_current(user=_person(request))
    if link_code is None:
        return context
    # Shown as "482 915": two groups are easier to read out and type.
    context["code"] = f"{link_code.code[:3]} {link_code.code[3:]}"
    context["expires_at"] = link_code.expires_at
    # A code given back on a reload has less than its whole life left: say
    # how much ("30 minutes" twenty minutes on was untrue).
    seconds_left = (link_code.expires_at - timezone.now()).total_seconds()
    context["minutes"] = max(1, math.ceil(seconds_left / 60))
    return context


def _preferences_page(
    request: HttpRequest,
    form: NotificationPreferenceForm,
    *,
    staff: bool,
    zalo_linked: bool,
    error: str | None = None,
) -> HttpResponse:
    """Staff get the plain follower id field; a resident, who cannot know that
    id, gets the steps to link their Zalo (``zalo``)."""
    status = 200 if error is None else 422
    context = {
        "form": form,
        "error": error,
        "zalo": None if staff else _zalo_link_context(request, linked=zalo_linked),
    }
    return render(request, "notifications/preferences.html", context, status=status)
