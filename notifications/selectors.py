"""Reads of a person's inbox and delivery preferences."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Count, QuerySet

from accounts.context_processors import STAFF_ROLES
from accounts.models import RoleAssignment, User
from notifications.models import Notification, NotificationPreference


def notifications_of(*, user_id: int, unread_only: bool = False) -> QuerySet[Notification]:
    rows = Notification.objects.filter(recipient_id=user_id)
    if unread_only:
        rows = rows.filter(read_at__isnull=True)
    return rows.order_by("-id")


def notifications_unread_count(*, user_id: int) -> int:
    """One person's unread messages: the header badge of every signed-in page.

    A plain COUNT rather than ``notifications_unread_counts`` for one id: the
    same index-only scan of ``notification_unread`` (0.02 ms in the database,
    EXPLAIN at 1,000,000 cases), but the grouped query cost ~0.7 ms per call
    in Django and the plain count ~0.5 ms; the difference was building it.
    """
    return notifications_of(user_id=user_id, unread_only=True).count()  # COUNT drops the order


def notifications_unread_counts(*, user_ids: Iterable[int]) -> dict[int, int]:
    """Unread messages per person, for many people in one query (absent: none)."""
    rows = (
        Notification.objects.filter(recipient_id__in=list(user_ids), read_at__isnull=True)
        .values("recipient_id")
        .annotate(count=Count("id"))
        .values_list("recipient_id", "count")
    )
    return dict(rows)


def preference_for(*, user_id: int) -> NotificationPreference:
    """Return the person's preferences, or the defaults (unsaved) when they set none."""
    preference = NotificationPreference.objects.filter(user_id=user_id).first()
    return preference or NotificationPreference(user_id=user_id)


def person_is_staff(*, user: User) -> bool:
    """Whether the person works in the console (officer, leader, province admin).

    The same rule as the header's console link (accounts.context_processors):
    only they are offered the daily digest.
    """
    if not user.is_active:
        return False
    if user.is_superuser:
        return True
    return RoleAssignment.objects.filter(user_id=user.pk, role__in=STAFF_ROLES).exists()
