"""The inbox page and the delivery preferences page.

Parse, call a selector or a service, render: the inbox rows and the rules for
preferences are the same ones the API (notifications.api) uses.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.models import User
from core.errors import InvalidInput
from notifications import selectors, services
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
@require_http_methods(["GET", "POST"])
def preference_edit(request: HttpRequest) -> HttpResponse:
    user = _person(request)
    staff = selectors.person_is_staff(user=user)  # the digest is for staff only
    offer_email = bool(user.email)
    if request.method == "GET":
        preference = selectors.preference_for(user_id=user.pk)
        initial = {
            "email_enabled": preference.email_enabled,
            "sms_enabled": preference.sms_enabled,
            "zalo_enabled": preference.zalo_enabled,
            "zalo_user_id": preference.zalo_user_id,
            "quiet_start": preference.quiet_start,
            "quiet_end": preference.quiet_end,
            "daily_digest": preference.daily_digest,
        }
        form = NotificationPreferenceForm(
            initial=initial, offer_digest=staff, offer_email=offer_email
        )
        return _preferences_page(request, form, zalo_guide=not staff)
    form = NotificationPreferenceForm(request.POST, offer_digest=staff, offer_email=offer_email)
    if not form.is_valid():
        return _preferences_page(
            request, form, zalo_guide=not staff, error=_("Please check what you entered.")
        )
    data = form.cleaned_data
    if "email_enabled" in data:
        email_enabled = data["email_enabled"]
    else:  # not offered (no address): kept as it was, read only then
        email_enabled = selectors.preference_for(user_id=user.pk).email_enabled
    try:
        services.notification_preferences_update(
            user=user,
            email_enabled=email_enabled,
            sms_enabled=data["sms_enabled"],
            zalo_enabled=data["zalo_enabled"],
            zalo_user_id=data["zalo_user_id"],
            quiet_start=data["quiet_start"],
            quiet_end=data["quiet_end"],
            daily_digest=data.get("daily_digest", False),
        )
    except InvalidInput as exc:
        field = exc.details.get("field")
        form.add_error(field if field in form.fields else None, str(exc.message))
        return _preferences_page(request, form, zalo_guide=not staff, error=str(exc.message))
    messages.success(request, _("Your notification settings are saved."))
    return redirect("notifications:preference-edit")


def _preferences_page(
    request: HttpRequest,
    form: NotificationPreferenceForm,
    *,
    zalo_guide: bool,
    error: str | None = None,
) -> HttpResponse:
    """``zalo_guide``: tell how to get Zalo messages rather than ask for a bare
    follower id, which a resident cannot know (staff, who may run the Official
    Account, keep the plain field)."""
    status = 200 if error is None else 422
    context = {"form": form, "error": error, "zalo_guide": zalo_guide}
    return render(request, "notifications/preferences.html", context, status=status)
