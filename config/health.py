"""GET /healthz: is the database, PostGIS and Redis reachable?

Load balancers and `make run` poll this, so it answers quickly and never raises:
each check reports its own failure and the whole answer is 503 naming what is down.
"""

from __future__ import annotations

from collections.abc import Callable

import redis
from django.conf import settings
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

REDIS_TIMEOUT_SECONDS = 1.0


def _check_database() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return "ok"


def _check_postgis() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT postgis_lib_version()")
        row = cursor.fetchone()
    return f"ok ({row[0]})" if row else "missing"


def _check_redis() -> str:
    client = redis.Redis.from_url(
        settings.REDIS_URL,
        socket_connect_timeout=REDIS_TIMEOUT_SECONDS,
        socket_timeout=REDIS_TIMEOUT_SECONDS,
    )
    try:
        client.ping()
    finally:
        client.close()
    return "ok"


CHECKS: dict[str, Callable[[], str]] = {
    "database": _check_database,
    "postgis": _check_postgis,
    "redis": _check_redis,
}


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    results: dict[str, str] = {}
    down: list[str] = []
    for name, check in CHECKS.items():
        try:
            results[name] = check()
        except Exception as exc:  # noqa: BLE001 - a health probe reports every failure
            results[name] = f"down: {exc.__class__.__name__}"
        if not results[name].startswith("ok"):
            down.append(name)
    status = 503 if down else 200
    return JsonResponse(
        {"status": "down" if down else "ok", "down": down, "checks": results}, status=status
    )
