"""WebSocket routes of the case core (helpdesk/routing.py routes cases to departments)."""

from __future__ import annotations

from django.urls import URLPattern, path

from helpdesk.consumers import CaseConsumer, QueueConsumer

websocket_urlpatterns: list[URLPattern] = [
    path("ws/cases/<str:number>/", CaseConsumer.as_asgi()),
    path("ws/queue/", QueueConsumer.as_asgi()),
]
