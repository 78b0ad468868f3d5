from __future__ import annotations

from django.urls import URLPattern, path

from helpdesk.photo_views import photo_file, public_photo_file

app_name = "photos"

urlpatterns: list[URLPattern] = [
    path("<int:attachment_id>/<str:variant>/", photo_file, name="file"),
    path("<int:attachment_id>/public/<str:variant>/", public_photo_file, name="public"),
]
