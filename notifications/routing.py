"""WebSocket routes of the notifications app (case, inbox and queue streams come next)."""

from __future__ import annotations

from django.urls import URLPattern

websocket_urlpatterns: list[URLPattern] = []
