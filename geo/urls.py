"""Pages of the geo app."""

from __future__ import annotations

from django.urls import URLPattern

app_name = "geo"
urlpatterns: list[URLPattern] = []
