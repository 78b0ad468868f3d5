"""WebSocket URL map; each app that pushes live updates contributes its routes."""

from __future__ import annotations

from notifications.routing import websocket_urlpatterns as notification_routes

websocket_urlpatterns = [*notification_routes]
