"""Alert pages: the relay's list and the public page per commune (config/urls.py)."""

from __future__ import annotations

from django.urls import URLPattern, path

from alerts import views

app_name = "alerts"
urlpatterns: list[URLPattern] = [
    path("relay/", views.relay_page, name="relay"),
    path(
        "relay/<int:alert_id>/households/<int:household_id>/told/",
        views.relay_told,
        name="relay-told",
    ),
    path("<str:code>/", views.alerts_public, name="public"),
]
