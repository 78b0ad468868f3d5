"""Test settings: the production settings with a handful of overrides."""

from config.settings import *  # noqa: F403

# A fast hash keeps the persona fixtures cheap; production keeps the default.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
# One-time codes land in an in-memory outbox the tests read.
SMS_BACKEND = "memory"
# The origin of the pages the socket tests open sockets from (ORIGIN in
# tests/notifications/live.py); their handshakes carry no Host header.
SITE_ORIGINS = ["http://127.0.0.1"]
# Tests build the lookup index when they need it (tests/geo), not when a
# module imports config.wsgi at collection, before the test database exists.
WARM_INDEX_SECONDS = 0
# The test runner empties the tables between transactional tests with one
# TRUNCATE, which the audit trail refuses unless the session says so
# (audit/migrations/0002_append_only.py). Production never sets this.
DATABASES["default"]["OPTIONS"]["options"] += " -c xadesk.audit_truncate=on"  # noqa: F405
# A replica alias that is the test database itself, so that the router's
# code runs in every test; ordinary tests read the primary (routing off).
# tests/core/test_db_routing.py points it at the real replica server and
# turns routing on.
DATABASES["replica"] = {  # noqa: F405
    **DATABASES["default"],  # noqa: F405
    "OPTIONS": dict(DATABASES["default"]["OPTIONS"]),  # noqa: F405
    "TEST": {"MIRROR": "default"},
}
DATABASE_REPLICA_ENABLED = False
