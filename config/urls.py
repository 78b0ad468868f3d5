"""URL map: admin, the API, health, and the apps' pages.

No language prefix in URLs: LocaleMiddleware picks the language from the
cookie set by the language switch, then the Accept-Language header, then
Vietnamese. (With i18n_patterns and an unprefixed default language Django
ignores Accept-Language, and the API must answer in the caller's language.)
"""

from __future__ import annotations

from django.contrib import admin
from django.urls import include, path, re_path

from accounts.admin_login import admin_login
from accounts.views import language_switch
from config import pwa
from config.api import api
from config.health import healthz
from open311.views import not_found as open311_not_found

# A database outage met in a middleware (the session) is a 503, not a 500.
handler500 = "config.db_outage.server_error"
# Under /api/ no page is drawn to be replaced by the JSON 404 (config/page_errors.py).
handler404 = "config.page_errors.page_not_found"

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    # The service worker's scope is the folder it is served from: the root.
    path("sw.js", pwa.service_worker, name="pwa-service-worker"),
    path("manifest.webmanifest", pwa.manifest, name="pwa-manifest"),
    path("offline/", pwa.offline, name="pwa-offline"),
    path("texts/<str:lang>/<str:version>.js", pwa.texts, name="pwa-texts"),
    path("api/v1/", api.urls),
    # The header's language button: Django's set_language wrapped so that a
    # logged-in person's account keeps the language too (accounts/views.py).
    # In place of include("django.conf.urls.i18n"), whose only page it is.
    path("i18n/setlang/", language_switch, name="set_language"),
    # The admin's own log-in page, opening the site in the person's language
    # as the other log-ins do; before admin.site.urls, whose "admin:login"
    # names the same address.
    path("admin/login/", admin_login),
    path("admin/", admin.site.urls),
    path("console/", include("console.urls")),
    path("photos/", include("helpdesk.photo_urls")),
    path("voice/", include("helpdesk.voice_urls")),
    path("open311/v2/", include("open311.urls")),
    # Another version or no version: GeoReport's 404 too (open311/urls.py ends
    # with the same for every other path under v2).
    re_path(r"^open311/", open311_not_found),
    path("accounts/", include("accounts.urls")),
    path("notifications/", include("notifications.urls")),
    path("sms/", include("sms_intake.urls")),
    path("alerts/", include("alerts.urls")),
    path("", include("reports.urls")),
    path("", include("geo.urls")),
]
