"""The inbox over HTTP: list, unread count, mark read (one or all); preferences."""

from __future__ import annotations

from datetime import datetime

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field, Router, Schema
from ninja.pagination import paginate

from accounts.auth import person_auth
from accounts.models import User
from core.api_fields import BoundedLimitOffset, Clock, JsonBody
from core.errors import NotFound
from notifications import selectors, services
from notifications.models import Notification, NotificationPreference

router = Router()


class NotificationOut(Schema):
    id: int
    title: str
    body: str
    link: str
    read_at: datetime | None
    created_at: datetime


class UnreadOut(Schema):
    unread: int


def _user_id(request: HttpRequest) -> int:
    # person_auth has admitted only authenticated people (token or session).
    user_id = request.user.pk
    assert user_id is not None
    return user_id


@router.get("/", response=list[NotificationOut], auth=person_auth)
@paginate(BoundedLimitOffset)
def list_notifications(request: HttpRequest, unread: bool = False) -> QuerySet[Notification]:
    return selectors.notifications_of(user_id=_user_id(request), unread_only=unread)


@router.get("/unread", response=UnreadOut, auth=person_auth)
def get_unread_count(request: HttpRequest) -> dict[str, int]:
    return {"unread": selectors.notifications_unread_count(user_id=_user_id(request))}


@router.post("/{notification_id}/read", response=UnreadOut, auth=person_auth)
def read_notification(request: HttpRequest, notification_id: int) -> dict[str, int]:
    user_id = _user_id(request)
    if not services.notification_mark_read(user_id=user_id, notification_id=notification_id):
        raise NotFound()
    return {"unread": selectors.notifications_unread_count(user_id=user_id)}


@router.post("/read-all", response=UnreadOut, auth=person_auth)
def read_all_notifications(request: HttpRequest) -> dict[str, int]:
    services.notifications_mark_all_read(user_id=_user_id(request))
    return {"unread": 0}


class NotificationPreferenceIn(JsonBody):
    email_enabled: bool
    sms_enabled: bool
    zalo_enabled: bool
    zalo_user_id: str = Field("", max_length=64)
    quiet_start: Clock = Field(description="Local time, HH:MM; no SMS from then …")
    quiet_end: Clock = Field(description="… until then (may pass midnight).")
    daily_digest: bool = Field(False, description="Officers only: one email a day.")


class NotificationPreferenceOut(Schema):
    email_enabled: bool
    sms_enabled: bool
    zalo_enabled: bool
    zalo_user_id: str
    quiet_start: Clock
    quiet_end: Clock
    daily_digest: bool
    daily_digest_offered: bool


def _person(request: HttpRequest) -> User:
    # person_auth has admitted only authenticated people (token or session).
    user = request.user
    assert isinstance(user, User)
    return user


def _preference_out(user: User, preference: NotificationPreference) -> dict[str, object]:
    return {
        "email_enabled": preference.email_enabled,
        "sms_enabled": preference.sms_enabled,
        "zalo_enabled": preference.zalo_enabled,
        "zalo_user_id": preference.zalo_user_id,
        "quiet_start": preference.quiet_start,
        "quiet_end": preference.quiet_end,
        "daily_digest": preference.daily_digest,
        "daily_digest_offered": selectors.person_is_staff(user=user),
    }


@router.get("/preferences", response=NotificationPreferenceOut, auth=person_auth)
def get_notification_preferences(request: HttpRequest) -> dict[str, object]:
    user = _person(request)
    return _preference_out(user, selectors.preference_for(user_id=user.pk))


@router.put("/preferences", response=NotificationPreferenceOut, auth=person_auth)
def update_notification_preferences(
    request: HttpRequest, payload: NotificationPreferenceIn
) -> dict[str, object]:
    user = _person(request)
    preference = services.notification_preferences_update(
        user=user,
        email_enabled=payload.email_enabled,
        sms_enabled=payload.sms_enabled,
        zalo_enabled=payload.zalo_enabled,
        zalo_user_id=payload.zalo_user_id,
        quiet_start=payload.quiet_start,
        quiet_end=payload.quiet_end,
        daily_digest=payload.daily_digest,
    )
    return _preference_out(user, preference)
