"""WebSocket URL map; each app that pushes live updates contributes its routes."""

from __future__ import annotations

from helpdesk.ws_routing import websocket_urlpatterns as helpdesk_routes
from notifications.routing import websocket_urlpatterns as notification_routes

websocket_urlpatterns = [*helpdesk_routes, *notification_routes]
