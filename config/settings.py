"""Django settings for XaDesk.

Production runs on this module alone: every value comes from the environment
(see .env.example). Tests override a handful of things in config/test_settings.py.
"""

from __future__ import annotations

import ipaddress
import os
import re
from pathlib import Path

import dj_database_url
import django_stubs_ext
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from config.env import env_bool, env_choice, env_int, env_ints, env_list, env_rate, env_str
from config.media_settings import media_origins, media_storage_settings

# Lets admin classes and querysets be written ModelAdmin[Model] at run time.
django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent.parent
# This machine's run folder (`make run`'s .run/, scripts/serve.sh): where the
# static and media files and the demo SMS go unless set apart, and where the
# workers and the scheduler touch their heartbeat files, which
# `manage.py worker_health <name>` reads (docker-compose.yml's healthchecks).
# Per machine or container on purpose: a health check asks about the process
# beside it, not about a worker somewhere else that shares the database.
RUN_DIR = Path(env_str("XADESK_RUN_DIR", str(BASE_DIR / ".run")))

DEBUG = env_bool("DJANGO_DEBUG", False)
# Without DEBUG a missing key must stop start-up rather than sign sessions
# with a value that is public in the repository.
SECRET_KEY = (
    env_str("DJANGO_SECRET_KEY", "insecure-dev-only-key") if DEBUG else env_str("DJANGO_SECRET_KEY")
)
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [])
# The origins (scheme://host[:port]) the site's pages are served at: the only
# ones whose pages may open a WebSocket with the session cookie
# (core/ws_origin.py). Empty: the socket's own origin (its scheme and Host
# header) and CSRF_TRUSTED_ORIGINS. Set it when a proxy rewrites the Host
# header, as `make run`'s nginx drops the port (scripts/serve.sh sets it).
SITE_ORIGINS = env_list("DJANGO_SITE_ORIGINS", [])
for _origin in SITE_ORIGINS:
    if not re.fullmatch(r"https?://(\*\.)?[A-Za-z0-9.\-\[\]:]+(:[0-9]{1,5})?", _origin):
        raise ImproperlyConfigured(
            f"DJANGO_SITE_ORIGINS entry {_origin!r} is not an origin like https://example.org:8443."
        )

INSTALLED_APPS = [
    # django.contrib.admin, on a site that writes every change to the audit trail.
    "audit.admin_config.AuditedAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.gis",
    "django.contrib.postgres",
    "channels",
    "core",
    "geo",
    "audit",
    "accounts",
    "notifications",
    "knowledge",
    "helpdesk",
    "alerts",
    "console",
    "reports",
    "backup",
    "open311",
    "sms_intake",
    "scams",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Outside the others: a page's template indentation is left out of what
    # is sent, whatever made the page (config/html_whitespace.py).
    "config.html_whitespace.HtmlWhitespaceMiddleware",
    # A database restart answers 503 + Retry-After, not 500 (config/db_outage.py).
    "config.db_outage.DatabaseOutageMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "config.security_headers.PermissionsPolicyMiddleware",
    # Before the session and the user are read: they follow the same rules.
    "core.db_routing.ReplicaPinMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Marks the resident pages a phone may keep for offline reading.
    "config.pwa.OfflinePagesMiddleware",
    # Reads the form before any view or the CSRF check does, so that a body
    # over a limit gets a 413 with a sentence rather than a bare 400.
    "config.body_limits.BodyLimitsMiddleware",
    # No NUL in any query or form value, on any path (it was a 500 wherever
    # a view looked one up before its form was checked).
    "config.storable_input.StorableInputMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # A page with a sentence for the empty 405 of require_POST and its kin,
    # outside /api/ and /open311/. Inside the others, so the page still gets
    # their headers (CSP, X-Frame-Options, the CSRF cookie its forms use).
    "config.page_errors.MethodNotAllowedPageMiddleware",
    # Last: it sees the API's answers after everything else, and its errors
    # first (a body over the limit) in the request's language.
    "config.api_middleware.ApiEdgeErrorsMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "accounts.context_processors.person",
                "notifications.context_processors.unread",
                "config.pwa.offline_context",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------
# The default matches the private cluster that `make run` starts under .run/.
_PG_PORT = env_int("XADESK_PG_PORT", 55432, minimum=1)
DATABASE_URL = env_str("DATABASE_URL", f"postgis://xadesk:xadesk@127.0.0.1:{_PG_PORT}/xadesk")
DATABASES = {
    "default": dj_database_url.parse(
        DATABASE_URL,
        engine="django.contrib.gis.db.backends.postgis",
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60, minimum=0),
        conn_health_checks=True,
    )
}
# JIT compilation costs 150-250 ms per batched point lookup with bound
# parameters (measured, see ENVIRONMENT.md) and never pays back for our
# short queries, so it is off for the app's connections.
DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"
# An unreachable database host fails a request in seconds (a 503 the client
# retries) instead of holding a worker for the operating system's TCP timeout.
DATABASES["default"]["OPTIONS"].setdefault(
    "connect_timeout", env_int("DATABASE_CONNECT_TIMEOUT", 5, minimum=1)
)
# A streaming replica of the primary (scripts/provision.sh starts one beside
# the private cluster): officer lists, dashboards and public maps read from it
# (core/db_routing.py). Unset: one database, everything on the primary.
DATABASE_REPLICA_URL = env_str("DATABASE_REPLICA_URL", "")
DATABASE_REPLICA_ENABLED = bool(DATABASE_REPLICA_URL)
if DATABASE_REPLICA_ENABLED:
    DATABASES["replica"] = dj_database_url.parse(
        DATABASE_REPLICA_URL,
        engine="django.contrib.gis.db.backends.postgis",
        conn_max_age=DATABASES["default"]["CONN_MAX_AGE"],
        conn_health_checks=True,
    )
    # The primary's options, then the replica URL's own (sslmode, …) over them;
    # a short connect timeout, since a replica that does not answer is simply
    # not read (core/db_routing.py).
    DATABASES["replica"]["OPTIONS"] = {
        **DATABASES["default"]["OPTIONS"],
        "connect_timeout": env_int("DATABASE_REPLICA_CONNECT_TIMEOUT", 1, minimum=1),
        # dj-database-url gives OPTIONS only for a URL that has some.
        **DATABASES["replica"].get("OPTIONS", {}),
    }
DATABASE_ROUTERS = ["core.db_routing.ReplicaRouter"]
# After a person's own write their reads stay on the primary this long, so they
# see what they just did while the replica catches up.
DATABASE_REPLICA_PIN_SECONDS = env_int("XADESK_REPLICA_PIN_SECONDS", 7, minimum=1)
# A replica further behind than this is not read; the check is cached this long.
DATABASE_REPLICA_MAX_LAG_SECONDS = env_int("XADESK_REPLICA_MAX_LAG_SECONDS", 5, minimum=0)
DATABASE_REPLICA_CHECK_SECONDS = env_int("XADESK_REPLICA_CHECK_SECONDS", 1, minimum=0)
# A replica read may be up to the lag bound plus one cached check behind: a
# shorter pin would let a person's own write vanish from their next page.
if (
    DATABASE_REPLICA_PIN_SECONDS
    < DATABASE_REPLICA_MAX_LAG_SECONDS + DATABASE_REPLICA_CHECK_SECONDS + 1
):
    raise ImproperlyConfigured(
        "XADESK_REPLICA_PIN_SECONDS must be at least XADESK_REPLICA_MAX_LAG_SECONDS + "
        "XADESK_REPLICA_CHECK_SECONDS + 1 "
        f"({DATABASE_REPLICA_MAX_LAG_SECONDS + DATABASE_REPLICA_CHECK_SECONDS + 1} s now), "
        "so a person's own write never vanishes from their next page."
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# Folder of pg_dump/pg_restore for `make backup` / `make restore` (backup/).
# Empty: the newest /usr/lib/postgresql/<version>/bin, as scripts/provision.sh
# picks the server it runs, then PATH.
PG_BIN_DIR = env_str("XADESK_PG_BIN", "")

# --- Redis and Channels ---------------------------------------------------
REDIS_URL = env_str(
    "REDIS_URL", f"redis://127.0.0.1:{env_int('XADESK_REDIS_PORT', 56379, minimum=1)}/0"
)
# "memory" only works inside one process; it is chosen explicitly, never as
# a silent fallback when Redis is unreachable.
# The garbage collector's thresholds in the WebSocket (ASGI) processes, which
# hold every open socket's objects; config/asgi.py says why not Python's
# (700, 10, 10), which "off" keeps.
WS_GC_THRESHOLDS = env_ints("XADESK_WS_GC_THRESHOLDS", (10_000, 10, 10))
# A folder where each WebSocket process writes how long each of its collections
# took, a line as each ends (core/gc_probe.py); set only by bench/ws_fanout.py
# --gc-probe.
GC_PROBE_DIR = env_str("XADESK_GC_PROBE_DIR", "")
# Sockets one person may hold open in one WebSocket process (0: no limit). A
# signed-in page holds one or two (the unread badge, the case or the queue), so
# 30 is many tabs; a probe opened 600 from one key in 2.3 s. Per person, not
# per address: a commune hall's residents share one (core/group_socket.py).
WS_SOCKETS_PER_PERSON = env_int("XADESK_WS_SOCKETS_PER_PERSON", 30, minimum=0)
# A signed-in socket's log-in is read again after this long (0: never), a
# tenth either way, so that an end no message told (a session expired or
# deleted, a bulk update) reaches it too: 4401 if it is gone (core/socket_ends.py).
WS_MAX_AGE_SECONDS = env_int("XADESK_WS_MAX_AGE_SECONDS", 3600, minimum=0)
CHANNEL_LAYER_BACKEND = env_choice("CHANNEL_LAYER", "redis", ("redis", "redis-pubsub", "memory"))
# Past one Redis: the channel layer spreads channels and groups over several
# servers by a consistent hash of their names (channels-redis "sharding"), so
# each server carries a share of the pushes. Every process must list the same
# servers in the same order. Rate limits and one-time codes stay on REDIS_URL.
CHANNEL_REDIS_URLS = env_list("CHANNEL_REDIS_URLS", [REDIS_URL])
if not CHANNEL_REDIS_URLS or any(
    not url.startswith(("redis://", "rediss://", "unix://")) for url in CHANNEL_REDIS_URLS
):
    raise ImproperlyConfigured(
        "CHANNEL_REDIS_URLS must be one or more redis:// (or rediss://, unix://) "
        f"addresses separated by commas, not {os.environ.get('CHANNEL_REDIS_URLS')!r}."
    )
_REDIS_OPTIONS = {
    # redis-py 8 stops reading after 5 s by default, exactly as long as an idle
    # consumer waits for a message, so idle sockets died (bench/ws_fanout.py).
    "socket_timeout": env_int("REDIS_SOCKET_TIMEOUT", 15, minimum=6),
    "socket_connect_timeout": 2,
    # Connections per event loop. The layer's pool waits for a free one once
    # all are busy (core/channel_layer.py) rather than opening more, so a burst
    # of closing sockets no longer leaves hundreds open.
    "max_connections": env_int("REDIS_MAX_CONNECTIONS", 16, minimum=4),
}
_REDIS_HOSTS = [{"address": url, **_REDIS_OPTIONS} for url in CHANNEL_REDIS_URLS]
if CHANNEL_LAYER_BACKEND == "redis":
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "core.channel_layer.BoundedRedisChannelLayer",
            "CONFIG": {"hosts": _REDIS_HOSTS, "prefix": "xadesk"},
        }
    }
elif CHANNEL_LAYER_BACKEND == "redis-pubsub":
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
            "CONFIG": {"hosts": _REDIS_HOSTS, "prefix": "xadesk"},
        }
    }
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

# --- Accounts -------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Residents log in by one-time code; the officer console sends officers to its own
# password login page.
LOGIN_URL = "accounts:login"

# --- SMS gateway (one-time codes, case updates) ---------------------------
SMS_BACKEND = env_choice(
    "SMS_BACKEND", "console" if DEBUG else "http", ("console", "file", "memory", "http")
)
SMS_FILE_PATH = env_str("SMS_FILE_PATH", str(RUN_DIR / "sms.jsonl"))
SMS_HTTP_URL = env_str("SMS_HTTP_URL", "")
SMS_HTTP_TOKEN = env_str("SMS_HTTP_TOKEN", "")
SMS_HTTP_TIMEOUT_SECONDS = env_int("SMS_HTTP_TIMEOUT_SECONDS", 10, minimum=1)
# SMS a province may send a month before only the essential ones (case
# number, outcome, login codes) go out (notifications/sms_budget.py); 0: no cap.
SMS_MONTHLY_CAP = env_int("SMS_MONTHLY_CAP", 0, minimum=0)

# Cases the officer's queue map draws at once (console/views/queue.py); past
# it the page says how many more are in view. Each costs a marker and a list
# row: 500 took 150-400 ms to build at 1,000,000 cases (bench/queue_scale.py).
QUEUE_MAP_LIMIT = env_int("QUEUE_MAP_LIMIT", 200, minimum=1)

# --- Reports and questions by SMS (sms_intake/) -----------------------------
# The shared secret the gateway sends in X-Sms-Secret, or signs the body with
# (X-Sms-Signature: hex HMAC-SHA256). Empty: the webhook refuses everything.
SMS_INBOUND_SECRET = env_str("SMS_INBOUND_SECRET", "")
# The provinces this deployment serves (official codes); SMS commune names are
# matched among their communes only. Empty: the whole country.
XADESK_PROVINCES = env_list("XADESK_PROVINCES", [])
# The services an SMS report ("PA ...") and an SMS question ("HOI ...") file under.
SMS_REPORT_SERVICE = env_str("SMS_REPORT_SERVICE", "report_other")
SMS_QUESTION_SERVICE = env_str("SMS_QUESTION_SERVICE", "help_other")
# Addresses (IPs or CIDR networks) of the proxies in front of the app servers:
# X-Forwarded-For is read only on requests whose peer is one of them, and then
# the right-most address that is not one of them is the client
# (core/client_ip.py). Empty: never read, so a client that reaches gunicorn
# directly cannot forge its address and escape the per-IP limits.
TRUSTED_PROXIES = env_list("DJANGO_TRUSTED_PROXIES", [])
for _proxy in TRUSTED_PROXIES:
    if _proxy == "unix":  # requests over a Unix socket (core/client_ip.py)
        continue
    try:
        ipaddress.ip_network(_proxy, strict=False)
    except ValueError:
        raise ImproperlyConfigured(
            f"DJANGO_TRUSTED_PROXIES entry {_proxy!r} is not an IP address, a network or unix."
        ) from None
if os.environ.get("DJANGO_TRUST_X_FORWARDED_FOR"):
    # It trusted the header from any peer; a deployment still setting it would
    # otherwise silently count every client as the proxy.
    raise ImproperlyConfigured(
        "DJANGO_TRUST_X_FORWARDED_FOR is gone: list the proxies' addresses in "
        "DJANGO_TRUSTED_PROXIES instead."
    )

# --- Abuse limits (core/rate_limits.py) -----------------------------------
# Fixed windows counted in Redis, shared by every worker; (count, seconds) or
# None for off. They stop floods, not people: each is set far above what one
# honest person or one shared address does in an hour.
RATE_LIMITS: dict[str, tuple[int, int] | None] = {
    # A village digital-tech team member files for a whole village on a
    # campaign day; with a pin and photos each case takes a minute or more, so
    # 60 an hour is never reached by hand, while a script is stopped at 60.
    "filing.person": env_rate("XADESK_RATE_FILING_PERSON", "60/h"),
    # A commune hall's shared wifi, and mobile carriers' shared addresses
    # (CGNAT), put many residents and team members behind one IP.
    "filing.ip": env_rate("XADESK_RATE_FILING_IP", "300/h"),
    # An officer clearing a queue replies to a case every few minutes at most;
    # residents far less. Notes count as replies.
    "reply.person": env_rate("XADESK_RATE_REPLY_PERSON", "200/h"),
    # Every officer of a commune office may share one address.
    "reply.ip": env_rate("XADESK_RATE_REPLY_IP", "1000/h"),
    # "Me too" is one tap per report: 60 distinct reports an hour is a bot.
    "support.person": env_rate("XADESK_RATE_SUPPORT_PERSON", "60/h"),
    "support.ip": env_rate("XADESK_RATE_SUPPORT_IP", "600/h"),
    # Photos cost disk and ~200 ms of processing each: counted one by one,
    # across filings and replies (5 per case at most, so 60 full filings fit).
    "photo.person": env_rate("XADESK_RATE_PHOTO_PERSON", "300/h"),
    "photo.ip": env_rate("XADESK_RATE_PHOTO_IP", "1500/h"),
    # An Open311 client application (open311/) files for all of its users
    # under one API key, so its filings are counted per key, not per person:
    # a city app relays a whole city's reports, a script gone wrong is stopped.
    "filing.client": env_rate("XADESK_RATE_FILING_CLIENT", "1000/h"),
    "photo.client": env_rate("XADESK_RATE_PHOTO_CLIENT", "3000/h"),
    # One-time log-in codes asked from one address (accounts/otp.py), to stop a
    # script sending SMS to many numbers; each number has its own, tighter
    # limit. Mobile carriers' shared addresses (CGNAT) and a commune hall's
    # wifi put many residents behind one IP: 10 an hour locked out a new
    # resident who had asked for none (found by a helper walking the site).
    "otp.ip": env_rate("XADESK_RATE_OTP_IP", "60/h"),
    # Inbound SMS per sending number: a resident sends a report and a few
    # follow-ups; a phone stuck in a loop or a prank is stopped here, before
    # any case or answer, so the commune is not flooded.
    "sms_in.phone": env_rate("XADESK_RATE_SMS_IN_PHONE", "10/h"),
    # Answers we send to one number: never a storm back, whatever arrives.
    "sms_answer.phone": env_rate("XADESK_RATE_SMS_ANSWER_PHONE", "10/h"),
    # Scam checks (scams/): each one is stored, and the page and API are open to
    # anyone, so a script is stopped; a team member checking a village's phones
    # at a meeting stays far below.
    "scam_check.person": env_rate("XADESK_RATE_SCAM_CHECK_PERSON", "120/h"),
    "scam_check.ip": env_rate("XADESK_RATE_SCAM_CHECK_IP", "600/h"),
    # Zalo link codes (notifications/zalo_link.py): a person needs one, maybe
    # a second when the first ran out; a few more for a wrong tap.
    "zalo_link_code.person": env_rate("XADESK_RATE_ZALO_LINK_CODE_PERSON", "10/h"),
    # Codes tried by one Zalo follower through the OA (counted by follower
    # id, passed as the "phone" subject): 6 digits are a million codes, so a
    # follower guessing to link their Zalo to someone else's account is stopped
    # long before a guess is likely to hit a live code.
    "zalo_link_try.phone": env_rate("XADESK_RATE_ZALO_LINK_TRY", "20/h"),
    # And all followers together (one "phone" subject for all): a guesser with
    # many Zalo accounts meets this one (a second read). Far above the links
    # a province makes in an hour.
    "zalo_link_try_all.phone": env_rate("XADESK_RATE_ZALO_LINK_TRY_ALL", "300/h"),
}
# Start of every rate-limit key in Redis; tests give each test its own.
RATE_LIMIT_PREFIX = "xadesk:rl"

# --- Email (Django 6.1 MAILERS) ---------------------------------------------
EMAIL_MODE = env_choice("EMAIL_MODE", "console" if DEBUG else "smtp", ("console", "smtp"))
MAILERS = {
    "default": {
        "BACKEND": "django.core.mail.backends.console.EmailBackend"
        if EMAIL_MODE == "console"
        else "django.core.mail.backends.smtp.EmailBackend",
        "OPTIONS": {}
        if EMAIL_MODE == "console"
        else {
            "host": env_str("EMAIL_HOST", "localhost"),
            "port": env_int("EMAIL_PORT", 587, minimum=1),
            "username": env_str("EMAIL_HOST_USER", ""),
            "password": env_str("EMAIL_HOST_PASSWORD", ""),
            "use_tls": env_bool("EMAIL_USE_TLS", True),
            "timeout": 10,
        },
    }
}
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "XaDesk <no-reply@xadesk.local>")

# --- Notifications ------------------------------------------------------------
# Absolute prefix for links in emails and Zalo messages, e.g. https://xadesk.example.vn
SITE_URL = env_str("SITE_URL", "")
NOTIFICATIONS_MAX_ATTEMPTS = env_int("NOTIFICATIONS_MAX_ATTEMPTS", 6, minimum=1)
NOTIFICATIONS_DIGEST_HOUR = env_int("NOTIFICATIONS_DIGEST_HOUR", 7, minimum=0)
# How long a delivery worker's claim keeps other workers off a row
# (notifications/outbox.py); after a crash its rows wait this long. It must
# exceed one send: the gateways time out after at most their *_TIMEOUT_SECONDS.
NOTIFICATIONS_LEASE_SECONDS = env_int("NOTIFICATIONS_LEASE_SECONDS", 300, minimum=1)
# A message for more people than this (a reply on a case many follow) is told
# by the delivery worker, not in the request of the person who made the change
# (notifications/fanout.py; bench/case_notify_fanout.py measures both ways).
NOTIFICATIONS_INLINE_MAX = env_int("NOTIFICATIONS_INLINE_MAX", 50, minimum=0)
ZALO_BACKEND = env_choice(
    "ZALO_BACKEND", "console" if DEBUG else "off", ("off", "console", "memory", "http")
)
ZALO_OA_URL = env_str("ZALO_OA_URL", "")
ZALO_OA_ACCESS_TOKEN = env_str("ZALO_OA_ACCESS_TOKEN", "")
ZALO_HTTP_TIMEOUT_SECONDS = env_int("ZALO_HTTP_TIMEOUT_SECONDS", 10, minimum=1)
# Linking a person's Zalo (notifications/zalo_link.py): they send the OA a
# one-time code from their settings page, and Zalo calls our webhook
# (POST /api/v1/notifications/zalo/webhook) with it. The webhook is signed
# with the app id and the OA's secret key (the OA Secret Key of the app's
# Official Account page, not the App Secret Key); without both every event
# is refused. ZALO_OA_URL_FOLLOW is the OA's page (https://zalo.me/<oa id>),
# linked from the settings page; ZALO_OA_NAME is how the page names the OA.
ZALO_APP_ID = env_str("ZALO_APP_ID", "")
ZALO_OA_SECRET_KEY = env_str("ZALO_OA_SECRET_KEY", "")
ZALO_OA_NAME = env_str("ZALO_OA_NAME", "")
ZALO_OA_URL_FOLLOW = env_str("ZALO_OA_URL_FOLLOW", "")
# Minutes a link code stays valid: long enough to open Zalo, find the OA and
# follow it on a slow phone.
# At least 10: a code with under 5 minutes left is not shown (zalo_link.py).
ZALO_LINK_CODE_MINUTES = env_int("ZALO_LINK_CODE_MINUTES", 30, minimum=10)

# Outside debug, a backend that only prints or keeps messages in memory would
# mark SMS, email and Zalo messages sent while nobody receives them. Refused at
# start-up unless a demo says so (`make run` and docker compose do).
ALLOW_DEMO_BACKENDS = env_bool("XADESK_ALLOW_DEMO_BACKENDS", False)
if not DEBUG and not ALLOW_DEMO_BACKENDS:
    _demo = [
        name
        for name, chosen, demo in (
            ("SMS_BACKEND", SMS_BACKEND, ("console", "file", "memory")),
            ("EMAIL_MODE", EMAIL_MODE, ("console",)),
            ("ZALO_BACKEND", ZALO_BACKEND, ("console", "memory")),
        )
        if chosen in demo
    ]
    if _demo:
        raise ImproperlyConfigured(
            f"{', '.join(_demo)} would print messages instead of sending them: set a real "
            "backend, or XADESK_ALLOW_DEMO_BACKENDS=true for a demo."
        )

# --- Photos ------------------------------------------------------------------
# Originals (with their metadata) are not kept unless asked for.
REPORTS_KEEP_ORIGINALS = env_bool("REPORTS_KEEP_ORIGINALS", False)
# A photo file no attachment refers to is deleted by sweep_orphan_files once it
# is this old: younger ones may belong to a filing that has not committed yet.
ORPHAN_GRACE_HOURS = env_int("XADESK_ORPHAN_GRACE_HOURS", 24, minimum=1)
# Where report photos are decoded, resized and stripped. "worker": the request
# checks headers only and stores the original privately, the case commits at
# once and run_photo_worker makes the served images (bench/intake.py: the
# request path is what caps intake at 2 cores). "request": all in the request,
# as officers' after-photos and message photos always are.
PHOTO_PROCESSING = env_choice("XADESK_PHOTO_PROCESSING", "worker", ("worker", "request"))
# How long a claimed photo job is kept from other workers (one photo: < 1 s).
PHOTO_JOB_LEASE_SECONDS = env_int("XADESK_PHOTO_JOB_LEASE_SECONDS", 120, minimum=1)

# --- Voice notes ----------------------------------------------------------------
# One voice note a case or reply (helpdesk/voice.py). Two minutes of speech
# from a phone's recorder is 0.5-2 MB; the cap leaves room for WAV from a picker.
VOICE_MAX_BYTES = env_int("XADESK_VOICE_MAX_MB", 5, minimum=1) * 1024 * 1024
VOICE_MAX_SECONDS = env_int("XADESK_VOICE_MAX_SECONDS", 120, minimum=1)

# --- Background processes (core/worker_loop.py, core/scheduler.py) ----------
# Seconds between two runs of each periodic job of `manage.py run_scheduler`
# (helpdesk/schedule.py); however many schedulers run, each job runs once per
# interval.
SCHEDULE_SECONDS = {
    "close_resolved_cases": env_int("XADESK_SCHEDULE_CLOSE_RESOLVED_SECONDS", 3600, minimum=1),
    "sweep_orphan_files": env_int("XADESK_SCHEDULE_SWEEP_ORPHANS_SECONDS", 3600, minimum=1),
    # A renamed account's cases wait for it (helpdesk/search_text.py): the
    # admin is told "within minutes". Idle, a run is two index probes.
    "search_text_fill": env_int("XADESK_SCHEDULE_SEARCH_TEXT_SECONDS", 60, minimum=1),
}

# --- Boot -------------------------------------------------------------------
# Seconds a WSGI worker waits at boot for the batch-lookup index (geo/warmup.py)
# before it starts anyway; 0 leaves the build to the first batch lookup. Below
# gunicorn's worker timeout (30 s), which would kill a worker still booting.
WARM_INDEX_SECONDS = env_int("XADESK_WARM_INDEX_SECONDS", 10, minimum=0)

# --- Language -------------------------------------------------------------
LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Vietnamese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Day-first dates and a 24-hour clock in both languages (config/formats/).
FORMAT_MODULE_PATH = ["config.formats"]
TIME_ZONE = env_str("DJANGO_TIME_ZONE", "Asia/Ho_Chi_Minh")
USE_I18N = True
USE_TZ = True

# --- Static and media -----------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = Path(env_str("DJANGO_STATIC_ROOT", str(RUN_DIR / "static")))
STATICFILES_DIRS = [BASE_DIR / "static"]
# Media (photos, voice notes) on the local folder MEDIA_ROOT, or in an S3-API
# bucket with XADESK_MEDIA_STORAGE=s3 and the XADESK_S3_* variables, checked by
# config/media_settings.py. Only Django's storage API touches media, so the
# rest of the code is the same on both.
MEDIA_STORAGE = env_choice("XADESK_MEDIA_STORAGE", "filesystem", ("filesystem", "s3"))
# Collected static files carry a hash of their content in their names
# (xadesk.3f2a….css), so browsers, nginx and the service worker may keep them
# for good and a deploy can never mix an old script with a new page. While
# developing (DEBUG, and the tests, which serve from the source folders
# without collectstatic) the names stay plain; the service worker's version
# (config/pwa.py) changes with any file's content instead.
STORAGES = {
    "default": media_storage_settings(MEDIA_STORAGE),
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        # Hashed names, and our scripts and stylesheets minified (config/static_storage.py).
        else "config.static_storage.MinifiedManifestStaticFilesStorage"
    },
}
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env_str("DJANGO_MEDIA_ROOT", str(RUN_DIR / "media")))
# Only approved public copies (MEDIA_URL + "public/") are served by the web
# server directly; every other photo goes through helpdesk/photo_views.py. Set
# this to the web server's internal location for the media folder (nginx:
# `location /_media/ { internal; alias MEDIA_ROOT/; }`) to let it send the
# file after the check. Empty: the app streams the file itself. With the S3
# storage it is not used: the app answers with a presigned address instead.
MEDIA_ACCEL_REDIRECT = env_str("XADESK_MEDIA_ACCEL_REDIRECT", "")
if MEDIA_ACCEL_REDIRECT and not re.fullmatch(r"/[A-Za-z0-9_\-/]*/", MEDIA_ACCEL_REDIRECT):
    raise ImproperlyConfigured(
        f"XADESK_MEDIA_ACCEL_REDIRECT {MEDIA_ACCEL_REDIRECT!r} must be a path like /_media/."
    )

# --- Upload limits ----------------------------------------------------------
# One request carries at most 5 photos (helpdesk.attachments.MAX_PHOTOS) of at
# most 15 MB each (helpdesk.photos.MAX_BYTES, checked on each file while the
# form is read: config.body_limits.PhotoSizeUploadHandler): 75 MB, plus the
# text fields and multipart framing. 80 MB is nginx's client_max_body_size too
# (scripts/nginx.conf.in, docker/nginx.conf; tests/test_upload_limits.py
# checks they agree), so whichever server refuses a body, it is the same one.
MAX_REQUEST_BODY_BYTES = env_int("XADESK_MAX_BODY_MB", 80, minimum=1) * 1024 * 1024
# Text of one request (form fields, a JSON body), files not counted: a
# description is at most a few KB; Django's default of 2.5 MB leaves room.
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("DJANGO_DATA_UPLOAD_MAX_MEMORY_SIZE", 2_621_440, minimum=1)
# Files bigger than this are spooled to a temporary file while the form is
# read, rather than held in the worker's memory (Django's default, 2.5 MB).
FILE_UPLOAD_MAX_MEMORY_SIZE = env_int("DJANGO_FILE_UPLOAD_MAX_MEMORY_SIZE", 2_621_440, minimum=1)
# More than MAX_PHOTOS, so that 6 to 10 photos get the app's own sentence
# ("at most 5 photos", 422); a form of hundreds of files is cut off at 413
# while it is read, before each one is put in memory or on disk.
DATA_UPLOAD_MAX_NUMBER_FILES = env_int("DJANGO_DATA_UPLOAD_MAX_NUMBER_FILES", 10, minimum=5)
# The longest form (the console's filters and actions) has a few dozen fields.
DATA_UPLOAD_MAX_NUMBER_FIELDS = env_int("DJANGO_DATA_UPLOAD_MAX_NUMBER_FIELDS", 1000, minimum=100)
FILE_UPLOAD_HANDLERS = [
    "config.body_limits.PhotoSizeUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]

# --- Security -------------------------------------------------------------
SESSION_COOKIE_SECURE = env_bool("DJANGO_SECURE_COOKIES", not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# Behind TLS (a proxy that terminates it and sets X-Forwarded-Proto): redirect
# plain http, tell browsers to use https for a year, and believe the proxy's
# word on the scheme. Off by default: `make run` serves plain http on loopback.
SECURE_SSL = env_bool("DJANGO_SECURE_SSL", False)
if SECURE_SSL:
    SECURE_SSL_REDIRECT = True
    SECURE_HSTS_SECONDS = 31_536_000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    # A public service on its own domain: browsers may learn https before the
    # first visit (a village phone's first request can be intercepted).
    SECURE_HSTS_PRELOAD = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = True
# Map tiles are the only thing the pages load from elsewhere (and media, when
# they are in a bucket).
MAP_TILE_ORIGIN = "https://tile.openstreetmap.org"
# The pages carry no inline script or style (tests/browser/test_csp.py opens
# each one in Chromium and fails on any violation), so the policy can be
# strict: everything from this site, tiles as images, sockets to this site.
# Scripts, styles, fonts and connections (sockets included) fall back to
# default-src: written out as well, they were 74 bytes more in every page's
# headers for the same policy (tests/config/test_deploy.py reads the policy
# as a browser does).
SECURE_CSP = {
    "default-src": ["'self'"],
    # Photos and voice notes in a bucket: the views redirect there.
    "img-src": ["'self'", "data:", "blob:", MAP_TILE_ORIGIN, *media_origins(STORAGES["default"])],
    # Voice notes: played from this site; the recorder's preview plays a blob.
    "media-src": ["'self'", "blob:", *media_origins(STORAGES["default"])],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}
# Only the report form asks for the camera (a photo) and the place (GPS);
# voice notes will ask for the microphone. Nothing may ask from a frame.
PERMISSIONS_POLICY = "camera=(self), geolocation=(self), microphone=(self), payment=(), usb=()"

# GDAL < 3.9 cannot be told to refuse file/network access (gis.W001). No GDAL
# object is ever built from untrusted input here: geometries come from our own
# GeoJSON files and from lat/lon floats, so the warning is acknowledged.
SILENCED_SYSTEM_CHECKS = ["gis.W001"]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("DJANGO_LOG_LEVEL", "INFO")},
}
