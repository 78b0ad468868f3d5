"""Pages of the geo app."""

from __future__ import annotations

from django.urls import URLPattern, path

from geo import views

app_name = "geo"
urlpatterns: list[URLPattern] = [
    path("map/", views.map_page, name="map"),
]
