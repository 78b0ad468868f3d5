"""Abuse limits shared by every worker: fixed windows counted in Redis.

A limit is (action, subject): the subject is the person (their id), the
client's address (core/client_ip.py), a client application filing for many
people (its API key, open311/), or the sender's number for what arrives by
SMS. settings.RATE_LIMITS gives each ``<action>.person``, ``<action>.ip``,
``<action>.client`` and ``<action>.phone`` a (count, seconds) window, or None
for no limit. The services call ``rate_limits_take`` (or, where they store
what a person sent, ``rate_limits_charged``) with what the request costs (a
filing costs 1 "filing" and one "photo" per photo), so the pages and the API
meet the same rule in the same place.

Every window of a request is checked and, only when all have room, counted,
in one Lua script: a refused request uses up nothing, and concurrent requests
from any number of workers cannot slip between the check and the count (the
same approach as the one-time-code limits in accounts/otp.py).

A request that then fails for an outage of ours (the media bucket or the
database away: a 503 saying nothing was saved, send again) gets its count
back: ``rate_limits_charged`` takes the charges for the work done inside it
and gives them back when that work fails so. Taking first and giving back
after, rather than counting only once the work is done, keeps the costly
part (photos, voice notes) behind the limit and two concurrent requests
from both passing it. A failure that is the sender's (a photo that does not
decode, a form refused late) keeps its count: a flood of those costs us
the same work. A filing that turns out to be a replay after all (it lost
the race to its twin, helpdesk/filing.py) gives its count back too.

Redis down: the request is allowed and a warning logged (fail open). These
actions are all by logged-in people, whose accounts the one-time-code limits
(which do fall back to the database, because each code is a paid SMS) already
ration; the limits here only blunt floods. Refusing every report while Redis
is away would stop residents reporting for no gain, and counting in the
database would add writes to every filing, reply and "me too" to cover an
outage that the health check (/healthz) already reports.
"""

from __future__ import annotations

import ipaddress
import logging
import math
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache

import redis
from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.utils.functional import lazy
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from core.errors import DatabaseUnavailable, MediaUnavailable, TooManyRequests

logger = logging.getLogger(__name__)

REDIS_TIMEOUT_SECONDS = 0.5


def wait_sentence(seconds: int) -> str:
    """How long to wait, for the person: seconds under a minute, else whole minutes."""
    if seconds < 60:
        return ngettext(
            "Please try again in %(count)d second.",
            "Please try again in %(count)d seconds.",
            seconds,
        ) % {"count": seconds}
    minutes = math.ceil(seconds / 60)
    return ngettext(
        "Please try again in %(count)d minute.",
        "Please try again in %(count)d minutes.",
        minutes,
    ) % {"count": minutes}


# Rendered when shown, in the language active then (like every domain message).
_wait_sentence_lazy = lazy(wait_sentence, str)


class RateLimited(TooManyRequests):
    """An abuse limit was reached; ``retry_after`` says how many seconds to wait.

    Each action has its own subclass with a stable ``code`` and a sentence;
    the message adds the wait, so the pages need nothing more to say it.
    """

    code = "rate_limited"
    default_message = _("You have done this many times in a short while.")

    def __init__(self, *, retry_after: int) -> None:
        self.retry_after = max(1, retry_after)
        super().__init__(
            format_lazy("{} {}", self.default_message, _wait_sentence_lazy(self.retry_after)),
            details={"retry_after": self.retry_after},
        )


@dataclass(frozen=True)
class Charge:
    """What a request costs of one action: ``cost`` units, refused with ``error``."""

    action: str
    cost: int
    error: type[RateLimited]


@dataclass(frozen=True)
class _Window:
    action: str
    key: str
    cost: int
    limit: int
    seconds: int
    error: type[RateLimited]


# The end of a window, in Unix ms, by Redis's own clock: TIME plus the key's
# PTTL (Redis 7's PEXPIRETIME would do, but Ubuntu 22.04 still packages
# Redis 6, where a script calling it fails half-way, after counting).
_WINDOW_END = """
local function window_end(key)
  local now = redis.call('TIME')
  return tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000) + redis.call('PTTL', key)
end
"""

# KEYS: the windows. ARGV: cost, limit, seconds for each key in turn.
# Returns {0, 0, end of each window} when counted, else {seconds to wait,
# 1-based index of the window that lifts last}.
_TAKE_SCRIPT = (
    _WINDOW_END
    + """
local retry, blocker = 0, 0
for i, key in ipairs(KEYS) do
  local cost, limit = tonumber(ARGV[3*i-2]), tonumber(ARGV[3*i-1])
  if tonumber(redis.call('GET', key) or '0') + cost > limit then
    local ms = redis.call('PTTL', key)
    if ms < 0 then ms = tonumber(ARGV[3*i]) * 1000 end
    local wait = math.ceil(ms / 1000)
    if wait > retry then retry, blocker = wait, i end
  end
end
if retry > 0 then return {retry, blocker} end
local counted = {0, 0}
for i, key in ipairs(KEYS) do
  redis.call('INCRBY', key, ARGV[3*i-2])
  if redis.call('PTTL', key) < 0 then redis.call('EXPIRE', key, ARGV[3*i]) end
  counted[i + 2] = window_end(key)
end
return counted
"""
)

# KEYS: the windows counted. ARGV: cost, end (as the take returned it) for
# each key in turn. A window that ended meanwhile is left alone: the key
# now counts a new window, which the failed request never took from, and a
# person must not get a free request in it. A new window ends at least a
# window's length (>= 1 s) after the old one; the same window's end, read
# again, differs by a millisecond of rounding at most.
_GIVE_BACK_SCRIPT = (
    _WINDOW_END
    + """
for i, key in ipairs(KEYS) do
  if math.abs(window_end(key) - tonumber(ARGV[2*i])) < 500 then
    local count = tonumber(redis.call('GET', key) or '0')
    redis.call('DECRBY', key, math.min(tonumber(ARGV[2*i-1]), count))
  end
end
return 0
"""
)

# What gives the charges back (see the module's docstring): the bucket or the
# database away (core/errors.py), and the database errors config/db_outage.py
# answers as DatabaseUnavailable, raised as they are from inside a service's
# transaction (a COMMIT that failed is one of them only when PostgreSQL says it
# aborted: core/saving.py; one that may have landed is SaveUnconfirmed, and
# keeps its count). Not every Unavailable: an SMS gateway away (accounts/otp.py)
# says nothing about what a filing saved. OperationalError also covers a
# cancelled query or a lock timeout; none is set today, and one set later
# would give a flood on one locked case its counts back.
_OUTAGES = (MediaUnavailable, DatabaseUnavailable, OperationalError, InterfaceError)


@lru_cache(maxsize=4)
def _redis_client(url: str) -> redis.Redis:
    return redis.Redis.from_url(
        url, socket_connect_timeout=REDIS_TIMEOUT_SECONDS, socket_timeout=REDIS_TIMEOUT_SECONDS
    )


def ip_subject(ip: str | None) -> str | None:
    """The address a per-IP limit counts: IPv4 as is, IPv6 by its /64.

    One IPv6 subscriber is handed a whole /64, so counting single addresses
    would let one device rotate past the limit. None when there is no usable
    address: requests of unknown origin are not lumped into one shared bucket
    (the per-person limit still holds for them).
    """
    try:
        address = ipaddress.ip_address((ip or "").strip())
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.IPv6Network(f"{address}/64", strict=False).network_address) + "/64"
    return str(address)


def rate_limit_key(*, action: str, subject: str) -> str:
    """The Redis key counting ``action`` for ``subject`` (``person:<id>`` or ``ip:<address>``)."""
    return f"{settings.RATE_LIMIT_PREFIX}:{action}:{subject}"


def _windows(
    *,
    charges: Sequence[Charge],
    person_id: int | None,
    ip: str | None,
    client_id: int | None,
    phone: str | None,
) -> list[_Window]:
    limits: dict[str, tuple[int, int] | None] = settings.RATE_LIMITS
    address = ip_subject(ip)
    windows = []
    for charge in charges:
        if charge.cost <= 0:
            continue
        subjects = (
            ("person", f"person:{person_id}" if person_id is not None else None),
            ("ip", f"ip:{address}" if address is not None else None),
            ("client", f"client:{client_id}" if client_id is not None else None),
            ("phone", f"phone:{phone}" if phone else None),
        )
        for kind, subject in subjects:
            rate = limits.get(f"{charge.action}.{kind}")
            if rate is None or subject is None:
                continue
            windows.append(
                _Window(
                    action=charge.action,
                    key=rate_limit_key(action=charge.action, subject=subject),
                    cost=charge.cost,
                    limit=rate[0],
                    seconds=rate[1],
                    error=charge.error,
                )
            )
    return windows


@dataclass(frozen=True)
class _Counted:
    window: _Window
    end_ms: int


def _take(
    *,
    charges: Sequence[Charge],
    person_id: int | None,
    ip: str | None,
    client_id: int | None,
    phone: str | None,
) -> list[_Counted]:
    """Count or refuse (see rate_limits_take); return the windows counted."""
    windows = _windows(
        charges=charges, person_id=person_id, ip=ip, client_id=client_id, phone=phone
    )
    if not windows:
        return []
    arguments: list[int] = []
    for window in windows:
        arguments += [window.cost, window.limit, window.seconds]
    try:
        retry, blocker, *ends = _redis_client(settings.REDIS_URL).eval(
            _TAKE_SCRIPT, len(windows), *(w.key for w in windows), *arguments
        )
    except redis.RedisError as exc:
        logger.warning(
            "Redis unavailable (%s); abuse limits not applied to %s",
            exc.__class__.__name__,
            ", ".join(sorted({w.action for w in windows})),
        )
        return []
    if int(retry) > 0:
        window = windows[int(blocker) - 1]
        logger.info("Rate limited: %s over %s/%ss", window.key, window.limit, window.seconds)
        raise window.error(retry_after=int(retry))
    return [_Counted(window=w, end_ms=int(end)) for w, end in zip(windows, ends, strict=True)]


def _give_back(counted: Sequence[_Counted]) -> None:
    """Uncount what ``_take`` counted, in the windows it counted in.

    Called while another error propagates: Redis away only logs, so that
    error (the one the person must see) is not replaced.
    """
    if not counted:
        return
    arguments: list[int] = []
    for item in counted:
        arguments += [item.window.cost, item.end_ms]
    try:
        _redis_client(settings.REDIS_URL).eval(
            _GIVE_BACK_SCRIPT, len(counted), *(c.window.key for c in counted), *arguments
        )
    except redis.RedisError as exc:
        logger.warning(
            "Redis unavailable (%s); abuse limits not given back for %s",
            exc.__class__.__name__,
            ", ".join(sorted({c.window.action for c in counted})),
        )


def rate_limits_take(
    *,
    charges: Sequence[Charge],
    person_id: int | None,
    ip: str | None,
    client_id: int | None = None,
    phone: str | None = None,
) -> None:
    """Count the request against every limit of its charges, or refuse it whole.

    ``phone`` (E.164) is the subject of ``<action>.phone`` limits, for what
    arrives by SMS: the number, not an address or a session, is who sent it.

    Raises the error of the charge whose limit lifts last, with the seconds to
    wait; nothing is counted then. Allows (and logs) when Redis cannot be reached.
    """
    _take(charges=charges, person_id=person_id, ip=ip, client_id=client_id, phone=phone)


class ChargeTaken:
    """The charges a ``rate_limits_charged`` block took, to give back once at most."""

    def __init__(self, counted: Sequence[_Counted]) -> None:
        self._counted = list(counted)

    def give_back(self) -> None:
        """Uncount them now: the request turned out to be no new work (a
        retry that lost the race to its twin and gets the twin's case)."""
        counted, self._counted = self._counted, []
        _give_back(counted)


@contextmanager
def rate_limits_charged(
    *,
    charges: Sequence[Charge],
    person_id: int | None,
    ip: str | None,
    client_id: int | None = None,
    phone: str | None = None,
) -> Iterator[ChargeTaken]:
    """``rate_limits_take`` for the work done inside the block, given back if
    that work fails for an outage of ours (the media bucket or the database
    away), when nothing was saved and the person is told to send again.

    The services that store what a person sent (a filing, a reply, a
    resolution with photos) wrap their storing and their transaction in it,
    so the rule is kept here, once.
    """
    taken = ChargeTaken(
        _take(charges=charges, person_id=person_id, ip=ip, client_id=client_id, phone=phone)
    )
    try:
        yield taken
    except _OUTAGES:
        taken.give_back()
        raise
