"""WebSocket URL map; each app that pushes live updates contributes its routes.

Any other path under /ws/ is answered by NoSuchSocket, with the close code of
an unknown case: without it channels' URLRouter raised "No route found", a 500
with a traceback, for anyone (a made-up bearer token skips the Origin check).
"""

from __future__ import annotations

from channels.generic.websocket import AsyncWebsocketConsumer
from django.urls import re_path

from helpdesk.consumers import CLOSE_NOT_FOUND
from helpdesk.ws_routing import websocket_urlpatterns as helpdesk_routes
from notifications.routing import websocket_urlpatterns as notification_routes


class NoSuchSocket(AsyncWebsocketConsumer):  # type: ignore[misc]
    async def connect(self) -> None:
        await self.accept()
        await self.close(code=CLOSE_NOT_FOUND)


websocket_urlpatterns = [
    *helpdesk_routes,
    *notification_routes,
    re_path(r"", NoSuchSocket.as_asgi()),
]
