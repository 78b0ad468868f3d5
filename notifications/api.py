"""The inbox over HTTP: list, unread count, mark read (one or all); preferences; Zalo linking."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from django.conf import settings
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from ninja import Field, Router, Schema
from ninja.pagination import paginate

from accounts.auth import person_auth
from accounts.language_cookie import language_cookie_set
from accounts.models import User
from core.api_fields import BoundedLimitOffset, Clock, JsonBody
from core.errors import NotFound
from notifications import selectors, services, zalo_link
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
    # User.Language's values (tests/notifications/test_pages.py checks): pydantic
    # does not take Django's choices as an enum.
    language: Literal["vi", "en"] | None = Field(
        None,
        description="The language of the messages written from now on (the account's, "
        "as the site's language button saves it); left out: as saved.",
    )


class NotificationPreferenceOut(Schema):
    email_enabled: bool
    sms_enabled: bool
    zalo_enabled: bool
    zalo_user_id: str
    quiet_start: Clock
    quiet_end: Clock
    daily_digest: bool
    daily_digest_offered: bool
    language: str = Field(description="The account's language: vi or en.")


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
        "language": user.language,
    }


@router.get("/preferences", response=NotificationPreferenceOut, auth=person_auth)
def get_notification_preferences(request: HttpRequest) -> dict[str, object]:
    user = _person(request)
    return _preference_out(user, selectors.preference_for(user_id=user.pk))


@router.put("/preferences", response=NotificationPreferenceOut, auth=person_auth)
def update_notification_preferences(
    request: HttpRequest, payload: NotificationPreferenceIn, response: HttpResponse
) -> dict[str, object]:
    user = _person(request)
    saved = services.notification_preferences_update(
        user=user,
        email_enabled=payload.email_enabled,
        sms_enabled=payload.sms_enabled,
        zalo_enabled=payload.zalo_enabled,
        zalo_user_id=payload.zalo_user_id,
        quiet_start=payload.quiet_start,
        quiet_end=payload.quiet_end,
        daily_digest=payload.daily_digest,
        language=payload.language,
    )
    if saved.language_changed:
        # As the settings page does (notifications/views.py): a page script
        # calling this with the session sees the site in the new language.
        language_cookie_set(response, user.language)
    return _preference_out(user, saved.preference)


class ZaloWebhookOut(Schema):
    status: str = Field(
        description="linked, or why nothing changed: ignored (not a code), stale (sent "
        "longer ago than a code lives, or dated ahead of our clock), unknown_code (no "
        "live code: expired, used, never shown, or drawn after the event was sent), "
        "rate_limited (this follower sent many codes)."
    )


# Zalo's event, for the schema only: the view reads the raw body itself,
# since the signature is over its exact bytes.
_ZALO_EVENT_SCHEMA = {
    "type": "object",
    "properties": {
        "app_id": {"type": "string"},
        "event_name": {"type": "string", "examples": ["user_send_text"]},
        "timestamp": {"type": "string", "description": "Milliseconds since 1970."},
        "sender": {"type": "object", "properties": {"id": {"type": "string"}}},
        "recipient": {"type": "object", "properties": {"id": {"type": "string"}}},
        "message": {
            "type": "object",
            "properties": {"msg_id": {"type": "string"}, "text": {"type": "string"}},
        },
    },
    "required": ["event_name", "timestamp"],
}


@router.post(
    "/zalo/webhook",
    response=ZaloWebhookOut,
    auth=None,
    summary="Zalo Official Account webhook",
    description=(
        "Called by Zalo for our Official Account's events, signed in the "
        "X-ZEvent-Signature header (mac=sha256(app id + body + timestamp + OA "
        "secret key)). A user_send_text event carrying a live link code links "
        "the sender's Zalo to the person the code was shown to. Every signed "
        "event is answered 200, even when nothing changes, since Zalo resends "
        "the others; 403 `zalo_signature_invalid` when the signature is missing "
        "or wrong."
    ),
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": _ZALO_EVENT_SCHEMA}},
        },
        "parameters": [
            {
                "name": "X-ZEvent-Signature",
                "in": "header",
                "required": True,
                "schema": {"type": "string"},
            }
        ],
    },
)
def zalo_webhook(request: HttpRequest) -> dict[str, str]:
    # Not a session's request (no cookie, auth=None), so no CSRF check: the
    # signature is what authenticates it. Its size is checked before the
    # body is read.
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    zalo_link.webhook_size_check(length)
    outcome = zalo_link.zalo_link_event_handle(
        raw_body=request.body,
        signature_header=request.headers.get("X-ZEvent-Signature", ""),
    )
    return {"status": outcome}


class ZaloLinkCodeOut(Schema):
    code: str = Field(description="Six digits, to send to the Official Account in Zalo.")
    expires_at: datetime
    oa_name: str
    oa_url_follow: str


@router.post("/zalo/link-code", response=ZaloLinkCodeOut, auth=person_auth)
def create_zalo_link_code(request: HttpRequest, fresh: bool = False) -> dict[str, object]:
    """The person's live code (a new one with ``fresh``), as the settings page shows it."""
    link_code = zalo_link.zalo_link_code_issue(user=_person(request), fresh=fresh)
    return {
        "code": link_code.code,
        "expires_at": link_code.expires_at,
        "oa_name": settings.ZALO_OA_NAME,
        "oa_url_follow": settings.ZALO_OA_URL_FOLLOW,
    }
