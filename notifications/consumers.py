"""``/ws/inbox/``: a person's new notifications and unread count, live.

Messages: ``{"type": "unread", "count": n}`` on connect and whenever messages
are read elsewhere; ``{"type": "notification", "notification": {...},
"unread": n}`` for each new one. What a socket missed is in the inbox API
(GET /api/v1/notifications/). Close code 4401: not authenticated.
"""

from __future__ import annotations

from core.group_socket import GroupSocket
from core.socket_database import socket_database
from notifications.push import inbox_group
from notifications.selectors import notifications_unread_count

CLOSE_NOT_AUTHENTICATED = 4401


class InboxConsumer(GroupSocket):
    """A person's inbox socket; every signed-in page holds one (the unread badge).

    Pushes arrive encoded, with the count taken when they were sent
    (notifications.services), so thousands of these sockets cost no query per
    change: only the count sent on connecting is read here.
    """

    async def connect(self) -> None:
        await self.accept()
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.close(code=CLOSE_NOT_AUTHENTICATED)
            return
        await self.follow(inbox_group(user.pk))
        count = await socket_database(notifications_unread_count)(user_id=user.pk)
        await self.send_json({"type": "unread", "count": count})
        await self.go_live()
