"""``/ws/inbox/``: a person's new notifications and unread count, live.

Messages: ``{"type": "unread", "count": n}`` on connect and whenever messages
are read elsewhere; ``{"type": "notification", "notification": {...},
"unread": n}`` for each new one. What a socket missed is in the inbox API
(GET /api/v1/notifications/). Close code 4401: not authenticated.
"""

from __future__ import annotations

from typing import Any

from channels.db import database_sync_to_async

from core.group_socket import SLOW, GroupSocket, Slow
from notifications.push import inbox_group
from notifications.selectors import notifications_unread_count

CLOSE_NOT_AUTHENTICATED = 4401


class InboxConsumer(GroupSocket):
    """A person's inbox socket; every signed-in page holds one (the unread badge).

    Pushes arrive encoded, with the count taken when they were sent
    (notifications.services), so thousands of these sockets cost no query per
    change; a message without its text is counted here.
    """

    async def connect(self) -> None:
        await self.accept()
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.close(code=CLOSE_NOT_AUTHENTICATED)
            return
        self.user_id: int = user.pk
        await self.follow(inbox_group(self.user_id))
        await self.send_json({"type": "unread", "count": await self._unread()})
        await self.go_live()

    async def _unread(self) -> int:
        count: int = await database_sync_to_async(notifications_unread_count)(user_id=self.user_id)
        return count

    def live_text(self, message: dict[str, Any]) -> str | Slow | None:
        text: str | None = message.get("text")
        return SLOW if text is None else text

    async def handle(self, message: dict[str, Any]) -> None:
        if "text" in message:
            await self.send(text_data=message["text"])
        elif message["type"] == "inbox.notification":
            notification = message["notification"]
            unread = await self._unread()
            await self.send_json(
                {"type": "notification", "notification": notification, "unread": unread}
            )
        else:
            await self.send_json({"type": "unread", "count": await self._unread()})
