"""Template context: the person's unread notifications, for the header badge."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from notifications.selectors import notifications_unread_count


def unread(request: HttpRequest) -> dict[str, object]:
    """``unread_count``, drawn by the server so the badge is right without JavaScript.

    Lazy: pages that do not show the header cost no query. live.js keeps it
    current from /ws/inbox/ afterwards.
    """

    def count() -> int:
        user = request.user
        return notifications_unread_count(user_id=user.pk) if user.is_authenticated else 0

    return {"unread_count": SimpleLazyObject(count)}
