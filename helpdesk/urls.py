"""Pages of the officer console, mounted at /console/ inside the language prefix."""

from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.urls import URLPattern, path, reverse_lazy

from helpdesk import views
from helpdesk.forms import PhoneLoginForm

app_name = "helpdesk"
urlpatterns: list[URLPattern] = [
    path("", views.queue, name="queue"),
    path("rows/", views.queue_rows, name="queue-rows"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("map/", views.queue_map, name="queue-map"),
    path(
        "login/",
        auth_views.LoginView.as_view(
            template_name="helpdesk/login.html",
            authentication_form=PhoneLoginForm,
            redirect_authenticated_user=True,
            next_page=reverse_lazy("helpdesk:queue"),
        ),
        name="login",
    ),
    path(
        "logout/",
        auth_views.LogoutView.as_view(next_page=reverse_lazy("helpdesk:login")),
        name="logout",
    ),
    path("cases/<str:number>/", views.ticket_detail, name="ticket-detail"),
    path("cases/<str:number>/live/", views.ticket_live, name="ticket-live"),
    path(
        "cases/<str:number>/photos/<int:photo_id>/public/",
        views.photo_public,
        name="photo-public",
    ),
    path("cases/<str:number>/<slug:action>/", views.ticket_action, name="ticket-action"),
]
