"""The installable app: the web app manifest, the service worker and its
offline page, and which pages a phone may keep for reading offline.

The service worker (config/service_worker.js) is served from the site root,
so its scope is the whole site, with a first line naming this deploy's
static files: a deploy that changes any of them changes the worker's bytes,
the browser installs the new worker, and it drops the old caches.

Which pages a phone may keep is decided here, not in the worker: a page the
server marks with ``X-XaDesk-Offline: <person>`` may be cached, in a cache of
that person only; anything unmarked (the console, the API, login, photos,
the inbox) is never cached. ``<person>`` is an HMAC of the user's id, so the
worker can tell that the person changed (a shared phone in a commune hall)
and drop every page it kept for the previous one, without learning who
anyone is.
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Callable
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.urls import reverse
from django.utils import translation
from django.utils.crypto import salted_hmac
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext
from django.views.decorators.http import condition, require_GET, require_safe

from config.static_storage import MINIFIER_VERSION, minified

SERVICE_WORKER = Path(__file__).with_name("service_worker.js")
THEME_COLOR = "#156548"
BACKGROUND_COLOR = "#ffffff"

# Resident pages a phone keeps to open with no signal: the app's own pages
# and the person's own cases (the case page checks who may see it, so a
# cached copy is only ever one the person was shown). Never the console
# (other people's personal data on a shared device), the API, login pages,
# the inbox, or photos (served only after a check on each fetch).
OFFLINE_PAGES = frozenset(
    {
        "reports:home",
        "reports:report-new",
        "reports:help-new",
        "reports:case-list",
        "reports:case-list-for-others",
        "reports:case-detail",
        # A commune's current alerts: public, so no one's data; kept so a
        # warning read once can be read again with no signal.
        "alerts:public",
    }
)

# The app shell, fetched when the worker installs. The map (Leaflet) is left
# out: it is large, loaded only when asked for, and useless without tiles.
SHELL_STATIC = (
    "css/xadesk.css",
    "reports/reports.css",
    "js/offline.js",
    "js/live.js",
    "js/back-online.js",  # the offline page's: loads the asked page when signal returns
    "geo/place.js",  # the forms' location, before intake.js
    "reports/intake.js",
    "js/voice.js",
    "reports/reply.js",
    "pwa/icon-192.png",
    "icons.svg",  # the icons of every page (<use href>), read offline too
)


def person_key(request: HttpRequest) -> str:
    """Who the cached pages belong to, opaque: "anon" or an HMAC of the user id."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return "anon"
    # SHA-1 named, not left to Django's default (which turns to SHA-256 in
    # Django 2028): a new key would look like another person to every phone's
    # service worker and drop its offline pages. HMAC-SHA-1 is still a sound
    # keyed hash, and the key is only an opaque label.
    return salted_hmac("xadesk.pwa.person", str(user.pk), algorithm="sha1").hexdigest()[:20]


class OfflinePagesMiddleware:
    """Mark the answers a phone may keep for offline reading (see OFFLINE_PAGES)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        match = request.resolver_match
        if (
            request.method == "GET"
            and response.status_code == 200
            and match is not None
            and match.view_name in OFFLINE_PAGES
            and response.get("Content-Type", "").startswith("text/html")
        ):
            response["X-XaDesk-Offline"] = person_key(request)
        return response


def offline_context(request: HttpRequest) -> dict[str, object]:
    """``offline_person``: the cache owner key base.html hands to static/js/offline.js;
    ``texts_url``: the scripts' texts in the page's language (made only if used)."""
    return {
        "offline_person": person_key(request),
        "texts_url": SimpleLazyObject(lambda: texts_url(translation.get_language())),
    }


# --- The scripts' texts -----------------------------------------------------------
# The outbox (every page) and the report and help forms show some thirty
# sentences in the page's language. Inline, they came with every load of every
# page; here they are one small script per language at a URL naming its
# content, cached for good by the browser and kept by the service worker
# (bench/page_weight.py: the report form's repeat load went from 5.8 KB to
# 5.0 KB with this and nginx's level-6 compression).
TEXTS_TEMPLATE = "pwa/texts.js.html"


def _texts_language(lang: str | None) -> str:
    known = [code for code, _name in settings.LANGUAGES]
    code = (lang or "").split("-")[0]
    return code if code in known else settings.LANGUAGE_CODE


def _render_texts(lang: str) -> tuple[str, str]:
    with translation.override(lang):
        body = render_to_string(TEXTS_TEMPLATE)
    return body, hashlib.sha256(body.encode()).hexdigest()[:12]


_render_texts_cached = functools.cache(_render_texts)


def texts_body(lang: str) -> tuple[str, str]:
    """The texts script for ``lang`` and its version; re-rendered on each call while developing."""
    return _render_texts(lang) if settings.DEBUG else _render_texts_cached(lang)


def texts_url(lang: str | None) -> str:
    code = _texts_language(lang)
    return reverse("pwa-texts", args=[code, texts_body(code)[1]])


@require_safe
def texts(request: HttpRequest, lang: str, version: str) -> HttpResponse:
    """The scripts' texts for one language. The URL names the content: cached for
    good; a page asking for an older version gets today's, to be checked again."""
    body, current = texts_body(_texts_language(lang))
    response = HttpResponse(body, content_type="text/javascript; charset=utf-8")
    if lang == _texts_language(lang) and version == current:
        response["Cache-Control"] = "public, max-age=31536000, immutable"
    else:
        response["Cache-Control"] = "no-cache"
    return response


def _static_digest() -> str:
    """A hash of every static file's name and bytes, of the worker itself, and
    of what minifies them for a deploy (config/static_storage.py): a new
    minifier changes the files phones are sent, so the worker must change."""
    digest = hashlib.sha256(SERVICE_WORKER.read_bytes())
    digest.update(MINIFIER_VERSION.encode())
    seen: set[str] = set()
    for finder in finders.get_finders():
        for path, storage in finder.list([]):
            if path in seen:
                continue
            seen.add(path)
            digest.update(path.encode())
            with storage.open(path) as handle:
                digest.update(hashlib.sha256(handle.read()).digest())
    return digest.hexdigest()[:16]


@functools.cache
def _static_digest_cached() -> str:
    return _static_digest()


def static_version() -> str:
    """The deploy's static version; recomputed on each call while developing."""
    return _static_digest() if settings.DEBUG else _static_digest_cached()


@functools.cache
def _worker_script_minified() -> str:
    return minified("service_worker.js", SERVICE_WORKER.read_text())


def _worker_script() -> str:
    """The worker as written while developing; minified like the static
    scripts for a deploy (config/static_storage.py)."""
    return SERVICE_WORKER.read_text() if settings.DEBUG else _worker_script_minified()


def worker_version() -> str:
    """The static files' version and the texts' (a new translation is a new worker)."""
    texts = "".join(texts_body(code)[1][:6] for code, _name in settings.LANGUAGES)
    return f"{static_version()}-{texts}"


def _worker_etag(request: HttpRequest) -> str:
    return worker_version()


@require_safe
# The browser asks for the worker on every visit: a 304 costs a few bytes.
@condition(etag_func=_worker_etag)
def service_worker(request: HttpRequest) -> HttpResponse:
    """The service worker, with this deploy's version and app shell on its first line."""
    config = {
        "version": worker_version(),
        # Both languages' texts: a phone switched to the other language
        # still opens the forms with no signal.
        "shell": [static(path) for path in SHELL_STATIC]
        + [texts_url(code) for code, _name in settings.LANGUAGES]
        + [f"/offline/?lang={code}" for code, _name in settings.LANGUAGES],
        "texts": reverse("pwa-texts", args=["vi", "v"]).rsplit("/", 2)[0] + "/",
        "static": settings.STATIC_URL
        if settings.STATIC_URL.startswith("/")
        else "/" + settings.STATIC_URL,
        "offline": "/offline/",
        # The offline page in the language the person chose (pages tell the
        # worker), else this one: the first of settings.LANGUAGES.
        "language": settings.LANGUAGES[0][0],
        "outboxUrl": "/api/v1/reports/cases",
    }
    body = f"self.XADESK = {json.dumps(config)};\n{_worker_script()}"
    response = HttpResponse(body, content_type="text/javascript; charset=utf-8")
    # The browser checks for a new worker on each visit; it must reach us.
    response["Cache-Control"] = "no-cache"
    response["Service-Worker-Allowed"] = "/"
    return response


@require_GET
def manifest(request: HttpRequest) -> JsonResponse:
    """The web app manifest: installable, in Vietnamese."""
    with translation.override("vi"):
        body = {
            "name": gettext("XaDesk — commune reports and help"),
            "short_name": "XaDesk",
            "description": gettext("Report a problem or ask your commune for help."),
            "lang": "vi",
            "dir": "ltr",
            "id": "/",
            "start_url": "/",
            "scope": "/",
            "display": "standalone",
            "orientation": "portrait",
            "theme_color": THEME_COLOR,
            "background_color": BACKGROUND_COLOR,
            "categories": ["government", "utilities"],
            "icons": [
                {"src": static("pwa/icon-192.png"), "sizes": "192x192", "type": "image/png"},
                {"src": static("pwa/icon-512.png"), "sizes": "512x512", "type": "image/png"},
                {
                    "src": static("pwa/icon-maskable-512.png"),
                    "sizes": "512x512",
                    "type": "image/png",
                    "purpose": "maskable",
                },
            ],
        }
    response = JsonResponse(body, content_type="application/manifest+json")
    response["Cache-Control"] = "public, max-age=86400"
    return response


@require_GET
def offline(request: HttpRequest) -> HttpResponse:
    """What the worker shows for a page it never kept: no person's data in it,
    since it is cached once for everyone on the phone.

    One copy per language (``?lang=``): the worker fetches it without cookies,
    so it followed the phone's language, not the one the person chose (a
    helper on a phone set to English, XaDesk in Vietnamese)."""
    lang = request.GET.get("lang", "")
    if lang not in dict(settings.LANGUAGES):
        lang = translation.get_language()  # the request's own, as any page
    with translation.override(lang):
        response = render(request, "pwa/offline.html")
    response["Cache-Control"] = "no-cache"
    return response
