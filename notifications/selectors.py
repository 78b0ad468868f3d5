"""Reads of a person's inbox."""

from __future__ import annotations

from django.db.models import QuerySet

from notifications.models import Notification, NotificationPreference


def notifications_of(*, user_id: int, unread_only: bool = False) -> QuerySet[Notification]:
    rows = Notification.objects.filter(recipient_id=user_id)
    if unread_only:
        rows = rows.filter(read_at__isnull=True)
    return rows.order_by("-id")


def notifications_unread_count(*, user_id: int) -> int:
    return Notification.objects.filter(recipient_id=user_id, read_at__isnull=True).count()


def preference_for(*, user_id: int) -> NotificationPreference:
    """Return the person's preferences, or the defaults (unsaved) when they set none."""
    preference = NotificationPreference.objects.filter(user_id=user_id).first()
    return preference or NotificationPreference(user_id=user_id)
