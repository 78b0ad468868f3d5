from __future__ import annotations

from django.urls import URLPattern, path

from helpdesk.voice_views import voice_file

app_name = "voice"

urlpatterns: list[URLPattern] = [
    path("<int:voice_id>/", voice_file, name="file"),
]
