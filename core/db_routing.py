"""Reads from the streaming replica, only where a view asks for it.

A view marked with :func:`replica_reads` (officer lists, dashboards, public
maps) reads through the ``replica`` database alias; everything else, every
write and every read inside ``transaction.atomic``, uses the primary.
Selectors never know which one they read.

Read-your-writes: a request that wrote, or used an unsafe method, sets a
signed cookie; for ``DATABASE_REPLICA_PIN_SECONDS`` after it the person's reads
stay on the primary, so their own report or action never seems to vanish
while the replica catches up (the "pinning" of django-multidb-router).

The replica is used only while it answers and lags less than
``DATABASE_REPLICA_MAX_LAG_SECONDS``; that check is one query, cached for
``DATABASE_REPLICA_CHECK_SECONDS`` per process, not one per read. A replica
that fails under a read between two checks turns that read's answer into a
503 (config/db_outage.py); the middleware then holds the replica unusable and
answers the request (a GET that wrote nothing) again from the primary.
"""

from __future__ import annotations

import functools
import logging
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core import signing
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections
from django.db.models import Model
from django.http import HttpRequest, HttpResponse

logger = logging.getLogger(__name__)

REPLICA = "replica"
PIN_COOKIE = "xadesk_primary"
_PIN_SALT = "core.db_routing.pin"
_UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# Requests answered a second time when the replica fails under them: reads only.
_SAFE_RETRY_METHODS = frozenset({"GET", "HEAD"})

# How far behind the primary the replica is, in seconds. A replica that has
# replayed all it received is current (an idle primary sends nothing, and the
# last replayed commit's time would make it look ever older); NULL (not yet
# replayed anything) counts as unusable. A server not in recovery is the
# primary itself (a test mirror, or a promoted replica): no lag.
# "Replayed all it received" counts only while a WAL receiver runs: a replica
# cut off from the primary (network, password, slot) has replayed all it
# will ever receive, and would otherwise look current forever; without a
# receiver the last replayed commit's age decides, as it should.
_LAG_SQL = """
SELECT CASE
  WHEN NOT pg_is_in_recovery() THEN 0
  WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn()
       AND EXISTS (SELECT 1 FROM pg_stat_wal_receiver WHERE pid IS NOT NULL) THEN 0
  ELSE EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp())
END
"""
# A replica found unusable is not asked again for this long: when it does not
# answer, each check waits out the connect timeout, and every marked read of
# every request would pay it.
_UNUSABLE_HOLD_SECONDS = 10.0


@dataclass
class _RequestState:
    pinned: bool = False
    wrote: bool = False
    # Set by a marked view for the rest of its request: django-ninja
    # serialises a handler's (lazy, paginated) result after it returns.
    replica_reads: bool = False
    # Some read of this request went to the replica.
    read_replica: bool = False


_request_state: ContextVar[_RequestState | None] = ContextVar("db_request_state", default=None)
_replica_reads: ContextVar[bool] = ContextVar("db_replica_reads", default=False)

_health_lock = threading.Lock()
# monotonic time of the last check, and whether the replica was usable then.
_health: dict[str, tuple[float, bool]] = {}


def replica_configured() -> bool:
    return bool(getattr(settings, "DATABASE_REPLICA_ENABLED", False)) and REPLICA in connections


@contextmanager
def replica_reading() -> Iterator[None]:
    """Let the reads inside go to the replica (when the rules above allow)."""
    token = _replica_reads.set(True)
    try:
        yield
    finally:
        _replica_reads.reset(token)


def replica_reads[F: Callable[..., Any]](view: F) -> F:
    """Mark a view (or API handler) whose reads may come from the replica.

    Within a request the mark lasts until the response is made, so what the
    view returns lazily (a paginated queryset, an API schema's fields) is read
    from the replica too.
    """

    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        state = _request_state.get()
        if state is not None:
            state.replica_reads = True
        with replica_reading():
            return view(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


def replica_reads_from_here() -> None:
    """Let the rest of this request's reads go to the replica (when the rules
    allow): for a view that knows only part-way whose list it reads (staff
    queues, not a resident's own cases, whose new report must show at once)."""
    state = _request_state.get()
    if state is not None:
        state.replica_reads = True


def replica_health_forget() -> None:
    """Forget the cached lag check, so the next read checks again."""
    with _health_lock:
        _health.clear()


def _replica_failed() -> None:
    """A read on the replica failed: hold it unusable, as a failed check would."""
    with _health_lock:
        _health_record(False)
    connections[REPLICA].close()


def replica_usable() -> bool:
    """Whether the replica answers and lags within the bound, checked at most
    once per DATABASE_REPLICA_CHECK_SECONDS in this process."""
    with _health_lock:
        checked = _health.get(REPLICA)
        if checked is not None:
            hold = settings.DATABASE_REPLICA_CHECK_SECONDS if checked[1] else _UNUSABLE_HOLD_SECONDS
            if time.monotonic() - checked[0] < hold:
                return checked[1]
        usable = _replica_lag_within_bound()
        # Stamped after the check: one that waited out a timeout still counts.
        _health_record(usable)
        return usable


def _health_record(usable: bool) -> None:
    """Note now whether the replica is usable (the caller holds ``_health_lock``)."""
    _health[REPLICA] = (time.monotonic(), usable)


def replica_lag_seconds() -> float | None:
    """How far the replica is behind the primary (see ``_LAG_SQL``), None if it
    has replayed nothing yet; raises DatabaseError when it does not answer."""
    replica = connections[REPLICA]
    try:
        with replica.cursor() as cursor:
            cursor.execute(_LAG_SQL)
            row = cursor.fetchone()
    except DatabaseError:
        # A broken connection is not reused by the next check.
        replica.close()
        raise
    return None if row is None or row[0] is None else float(row[0])


def _replica_lag_within_bound() -> bool:
    try:
        lag = replica_lag_seconds()
    except DatabaseError as exc:
        # Down or restarting: read the primary; the next check tries again.
        logger.warning("Database replica unavailable, reading the primary: %s", exc)
        return False
    if not replica_lag_within_bound(lag):
        logger.info("Database replica lags %s s, reading the primary", lag)
        return False
    return True


def replica_lag_within_bound(lag: float | None) -> bool:
    """Whether a replica ``lag`` seconds behind (None: nothing replayed yet) may be read."""
    return lag is not None and lag <= settings.DATABASE_REPLICA_MAX_LAG_SECONDS


class ReplicaRouter:
    """Django database router: see the module's docstring."""

    def db_for_read(self, model: type[Model], **hints: Any) -> str:
        state = _request_state.get()
        marked = _replica_reads.get() or (state is not None and state.replica_reads)
        if not marked or not replica_configured():
            return DEFAULT_DB_ALIAS
        if state is not None and (state.pinned or state.wrote):
            return DEFAULT_DB_ALIAS
        # Reads inside a transaction belong with its writes.
        if connections[DEFAULT_DB_ALIAS].in_atomic_block:
            return DEFAULT_DB_ALIAS
        if not replica_usable():
            return DEFAULT_DB_ALIAS
        if state is not None:
            state.read_replica = True
        return REPLICA

    def db_for_write(self, model: type[Model], **hints: Any) -> str:
        state = _request_state.get()
        if state is not None:
            state.wrote = True
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1: Model, obj2: Model, **hints: Any) -> bool:
        # Both aliases hold the same rows.
        return True

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool:
        return db != REPLICA


class ReplicaPinMiddleware:
    """Keep a person's reads on the primary for a while after their own write."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        pin_seconds = settings.DATABASE_REPLICA_PIN_SECONDS
        state = _RequestState(pinned=_pinned(request, pin_seconds))
        response = self._respond(request, state)
        if (
            response.status_code == 503
            and state.read_replica
            and request.method in _SAFE_RETRY_METHODS
            and not state.wrote  # a second answer must not write twice
            and connections[REPLICA].errors_occurred
        ):
            # The replica failed under this read (it stopped, restarted, or
            # cancelled the query over a conflict with replay) after the
            # check said it was fine: the outage answer came from it, not from
            # the primary. Hold it unusable and answer again from the
            # primary, so a replica's crash costs nobody a failed page.
            logger.warning(
                "Database replica failed during %s; read again from the primary", request.path
            )
            _replica_failed()
            state = _RequestState(pinned=True)
            response = self._respond(request, state)
        if replica_configured() and (state.wrote or request.method in _UNSAFE_METHODS):
            response.set_signed_cookie(
                PIN_COOKIE,
                "1",
                salt=_PIN_SALT,
                max_age=pin_seconds,
                secure=settings.SESSION_COOKIE_SECURE,
                httponly=True,
                samesite="Lax",
            )
        return response

    def _respond(self, request: HttpRequest, state: _RequestState) -> HttpResponse:
        token = _request_state.set(state)
        try:
            return self.get_response(request)
        finally:
            _request_state.reset(token)


def _pinned(request: HttpRequest, pin_seconds: int) -> bool:
    if PIN_COOKIE not in request.COOKIES:
        return False
    try:
        # The signature's own timestamp says when the write was.
        request.get_signed_cookie(PIN_COOKIE, salt=_PIN_SALT, max_age=pin_seconds)
    except (signing.BadSignature, KeyError):
        return False
    return True
