"""Resident pages, mounted at the site root (the officer console is at /console/)."""

from __future__ import annotations

from django.urls import URLPattern, path

from reports.views import cases, intake, public, scam_check

app_name = "reports"
urlpatterns: list[URLPattern] = [
    path("", public.home, name="home"),
    path("report/new/", intake.report_new, name="report-new"),
    path("report/communes/", intake.communes_json, name="communes"),
    path("reports/map/", public.public_map, name="map"),
    path("reports/<str:public_id>/", public.public_case, name="public-case"),
    path("reports/<str:public_id>/me-too/", intake.report_support, name="report-support"),
    path("help/new/", intake.help_new, name="help-new"),
    path("help/answered/", intake.help_answered, name="help-answered"),
    path("help/articles/<slug:slug>/", intake.article_detail, name="article-detail"),
    path("scam-check/", scam_check.scam_check, name="scam-check"),
    path("scam-check/<str:check_id>/send/", scam_check.scam_check_send, name="scam-check-send"),
    path("cases/", cases.cases_mine, name="case-list"),
    path("cases/filed-for-others/", cases.cases_filed_for_others, name="case-list-for-others"),
    path("cases/<str:number>/", cases.case_detail, name="case-detail"),
    path("cases/<str:number>/submitted/", intake.case_submitted, name="case-submitted"),
    path("cases/<str:number>/live/", cases.case_live, name="case-live"),
    path("cases/<str:number>/<str:action>/", cases.case_action, name="case-action"),
]
