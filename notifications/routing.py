"""WebSocket routes of the notifications app."""

from __future__ import annotations

from django.urls import URLPattern, path

from notifications.consumers import InboxConsumer

websocket_urlpatterns: list[URLPattern] = [
    path("ws/inbox/", InboxConsumer.as_asgi()),
]
