"""Pages of the officer console, mounted at /console/ (config/urls.py)."""

from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.urls import URLPattern, path, reverse_lazy

from console.views import alerts, answers, audit, case, dashboard, queue, scams
from console.views.login import ConsoleLoginView

app_name = "console"
urlpatterns: list[URLPattern] = [
    path("", queue.queue, name="queue"),
    path("rows/", queue.queue_rows, name="queue-rows"),
    path("dashboard/", dashboard.dashboard, name="dashboard"),
    path("map/", queue.queue_map, name="queue-map"),
    path("audit/", audit.audit_list, name="audit"),
    path("answers/", answers.answer_list, name="answers"),
    path("answers/<int:answer_id>/", answers.answer_edit, name="answer-edit"),
    path("answers/<int:answer_id>/delete/", answers.answer_remove, name="answer-delete"),
    path("alerts/", alerts.alert_list, name="alerts"),
    path("alerts/new/", alerts.alert_new, name="alert-new"),
    path("scams/", scams.scam_list, name="scams"),
    path(
        "scams/checks/<str:check_id>/confirm/",
        scams.scam_confirm_checked,
        name="scam-confirm-check",
    ),
    path("scams/cases/<str:number>/confirm/", scams.scam_confirm_case, name="scam-confirm-case"),
    path(
        "login/",
        ConsoleLoginView.as_view(next_page=reverse_lazy("console:queue")),
        name="login",
    ),
    path(
        "logout/",
        auth_views.LogoutView.as_view(next_page=reverse_lazy("console:login")),
        name="logout",
    ),
    path("cases/<str:number>/", case.ticket_detail, name="ticket-detail"),
    path("cases/<str:number>/live/", case.ticket_live, name="ticket-live"),
    path(
        "cases/<str:number>/photos/<int:photo_id>/public/",
        case.photo_public,
        name="photo-public",
    ),
    path("cases/<str:number>/<slug:action>/", case.ticket_action, name="ticket-action"),
]
