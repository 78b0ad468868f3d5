"""``/ws/inbox/``: a person's new notifications and unread count, live.

Messages: ``{"type": "unread", "count": n}`` on connect and whenever messages
are read elsewhere; ``{"type": "notification", "notification": {...},
"unread": n}`` for each new one. What a socket missed is in the inbox API
(GET /api/v1/notifications/). Close code 4401: not authenticated.
"""

from __future__ import annotations

from typing import Any

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from notifications.push import inbox_group
from notifications.selectors import notifications_unread_count

CLOSE_NOT_AUTHENTICATED = 4401


class InboxConsumer(AsyncJsonWebsocketConsumer):  # type: ignore[misc]
    groups: list[str] = []

    async def connect(self) -> None:
        await self.accept()
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.close(code=CLOSE_NOT_AUTHENTICATED)
            return
        self.user_id: int = user.pk
        self.groups = [inbox_group(self.user_id)]
        await self.channel_layer.group_add(self.groups[0], self.channel_name)
        await self.send_json({"type": "unread", "count": await self._unread()})

    async def _unread(self) -> int:
        count: int = await database_sync_to_async(notifications_unread_count)(user_id=self.user_id)
        return count

    async def inbox_notification(self, message: dict[str, Any]) -> None:
        # The sender counted the unread messages at its commit (one query for
        # all recipients); a message without the count is counted here.
        unread = message.get("unread")
        await self.send_json(
            {
                "type": "notification",
                "notification": message["notification"],
                "unread": unread if unread is not None else await self._unread(),
            }
        )

    async def inbox_unread(self, message: dict[str, Any]) -> None:
        await self.send_json({"type": "unread", "count": await self._unread()})
