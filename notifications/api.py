"""The inbox over HTTP: list, unread count, mark read (one or all)."""

from __future__ import annotations

from datetime import datetime

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Router, Schema
from ninja.pagination import LimitOffsetPagination, paginate
from ninja.security import django_auth

from core.errors import NotFound
from notifications import selectors, services
from notifications.models import Notification

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
    # django_auth has admitted only authenticated people.
    user_id = request.user.pk
    assert user_id is not None
    return user_id


@router.get("/", response=list[NotificationOut], auth=django_auth)
@paginate(LimitOffsetPagination)
def list_notifications(request: HttpRequest, unread: bool = False) -> QuerySet[Notification]:
    return selectors.notifications_of(user_id=_user_id(request), unread_only=unread)


@router.get("/unread", response=UnreadOut, auth=django_auth)
def get_unread_count(request: HttpRequest) -> dict[str, int]:
    return {"unread": selectors.notifications_unread_count(user_id=_user_id(request))}


@router.post("/{notification_id}/read", response=UnreadOut, auth=django_auth)
def read_notification(request: HttpRequest, notification_id: int) -> dict[str, int]:
    user_id = _user_id(request)
    if not services.notification_mark_read(user_id=user_id, notification_id=notification_id):
        raise NotFound()
    return {"unread": selectors.notifications_unread_count(user_id=user_id)}


@router.post("/read-all", response=UnreadOut, auth=django_auth)
def read_all_notifications(request: HttpRequest) -> dict[str, int]:
    services.notifications_mark_all_read(user_id=_user_id(request))
    return {"unread": 0}
