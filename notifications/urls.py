"""The inbox and delivery preferences pages."""

from __future__ import annotations

from django.urls import URLPattern, path

from notifications import views

app_name = "notifications"
urlpatterns: list[URLPattern] = [
    path("", views.notification_list, name="notification-list"),
    path("read-all/", views.notifications_read_all, name="notification-read-all"),
    path("<int:notification_id>/open/", views.notification_open, name="notification-open"),
    path("preferences/", views.preference_edit, name="preference-edit"),
    path("preferences/zalo/code/", views.zalo_code_new, name="zalo-code-new"),
    path("preferences/zalo/unlink/", views.zalo_unlink, name="zalo-unlink"),
]
