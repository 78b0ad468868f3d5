"""The abuse limiter (core/rate_limits.py) against the real Redis.

Each test counts under its own key prefix (the autouse fixture in
tests/conftest.py) and its keys are deleted afterwards. Windows are made a
second long where a test waits one out: Redis keeps the clock, so nothing is
mocked. Two real processes prove the count is shared between workers.
"""

from __future__ import annotations

import logging
import os
import textwrap
import time
from collections.abc import Callable
from typing import Any

import pytest
import redis
from django.conf import settings as django_settings
from django.db import OperationalError
from django.utils import translation
from django.utils.translation import gettext_lazy
from pytest_django import Settings

from core.errors import DatabaseUnavailable, InvalidInput, MediaUnavailable
from core.rate_limits import (
    Charge,
    RateLimited,
    ip_subject,
    rate_limit_key,
    rate_limits_charged,
    rate_limits_take,
)
from tests.processes import run_together


class WidgetRateLimited(RateLimited):
    code = "widget_rate_limited"
    default_message = gettext_lazy("Many widgets.")


class GadgetRateLimited(RateLimited):
    code = "gadget_rate_limited"
    default_message = gettext_lazy("Many gadgets.")


WIDGET = Charge(action="widget", cost=1, error=WidgetRateLimited)


def _take(*charges: Charge, person: int | None = 1, ip: str | None = "203.0.113.9") -> None:
    rate_limits_take(charges=charges or (WIDGET,), person_id=person, ip=ip)


def _count(action: str, subject: str) -> int:
    client = redis.Redis.from_url(django_settings.REDIS_URL)
    try:
        return int(client.get(rate_limit_key(action=action, subject=subject)) or 0)
    finally:
        client.close()


def test_the_limit_holds_and_a_refusal_counts_nothing(settings: Settings) -> None:
    settings.RATE_LIMITS = {"widget.person": (3, 600)}
    for _ in range(3):
        _take()
    with pytest.raises(WidgetRateLimited) as refused:
        _take()
    assert 590 <= refused.value.retry_after <= 600
    assert refused.value.details == {"retry_after": refused.value.retry_after}
    assert refused.value.http_status == 429
    assert _count("widget", "person:1") == 3
    _take(person=2)  # another person has their own count


def test_the_window_expires(settings: Settings) -> None:
    settings.RATE_LIMITS = {"widget.person": (2, 1)}
    _take()
    _take()
    with pytest.raises(WidgetRateLimited) as refused:
        _take()
    assert refused.value.retry_after == 1
    time.sleep(1.1)
    _take()


def test_people_behind_one_address_share_its_limit(settings: Settings) -> None:
    settings.RATE_LIMITS = {"widget.person": (10, 600), "widget.ip": (2, 600)}
    _take(person=1, ip="198.51.100.4")
    _take(person=2, ip="198.51.100.4")
    with pytest.raises(WidgetRateLimited):
        _take(person=3, ip="198.51.100.4")
    _take(person=3, ip="198.51.100.5")
    _take(person=3, ip=None)  # no address known: the person's limit alone


def test_an_ipv6_subscriber_is_counted_by_its_64(settings: Settings) -> None:
    settings.RATE_LIMITS = {"widget.ip": (1, 600)}
    _take(ip="2001:db8:1:2::1")
    with pytest.raises(WidgetRateLimited):
        _take(ip="2001:db8:1:2:ffff::7")
    _take(ip="2001:db8:1:3::1")
    assert ip_subject("2001:db8:1:2::1") == "2001:db8:1:2::/64"
    assert ip_subject("::ffff:198.51.100.4") == "198.51.100.4"
    assert ip_subject("") is None
    assert ip_subject("not an address") is None


def test_costs_count_units_and_a_request_is_refused_whole(settings: Settings) -> None:
    settings.RATE_LIMITS = {"widget.person": (5, 600), "gadget.person": (4, 600)}
    gadgets = Charge(action="gadget", cost=3, error=GadgetRateLimited)
    _take(WIDGET, gadgets)
    # Room for the widget, none for three more gadgets: nothing is counted.
    with pytest.raises(GadgetRateLimited):
        _take(WIDGET, gadgets)
    assert (_count("widget", "person:1"), _count("gadget", "person:1")) == (1, 3)
    _take(WIDGET, Charge(action="gadget", cost=1, error=GadgetRateLimited))
    _take(WIDGET, Charge(action="gadget", cost=0, error=GadgetRateLimited))
    assert (_count("widget", "person:1"), _count("gadget", "person:1")) == (3, 4)


def test_an_action_without_a_limit_is_never_counted(settings: Settings) -> None:
    settings.RATE_LIMITS = {"widget.person": None}
    for _ in range(20):
        _take()
    assert _count("widget", "person:1") == 0


def test_the_message_says_how_long_to_wait_in_the_language_shown() -> None:
    error = WidgetRateLimited(retry_after=125)
    with translation.override("en"):
        assert str(error.message) == "Many widgets. Please try again in 3 minutes."
        assert str(WidgetRateLimited(retry_after=1).message).endswith("in 1 second.")
    with translation.override("vi"):
        assert "3 phút" in str(error.message)


def test_redis_down_lets_the_request_through_with_a_warning(
    settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    settings.RATE_LIMITS = {"widget.person": (1, 600)}
    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    with caplog.at_level(logging.WARNING, logger="core.rate_limits"):
        _take()
        _take()
    assert [r.getMessage() for r in caplog.records] == [
        "Redis unavailable (ConnectionError); abuse limits not applied to widget"
    ] * 2


def _charged(*charges: Charge) -> Any:
    return rate_limits_charged(charges=charges or (WIDGET,), person_id=1, ip="203.0.113.9")


def _work_failing(
    error: Exception, *charges: Charge, meanwhile: Callable[[], None] = lambda: None
) -> None:
    """A request whose work, run inside its charge, does ``meanwhile`` and fails with ``error``."""
    with _charged(*charges):
        meanwhile()
        raise error


@pytest.mark.parametrize(
    "outage",
    [MediaUnavailable(), DatabaseUnavailable(), OperationalError("server closed the connection")],
)
def test_work_failing_for_an_outage_of_ours_gives_the_charge_back(
    settings: Settings, outage: Exception
) -> None:
    settings.RATE_LIMITS = {"widget.person": (1, 600), "widget.ip": (5, 600)}

    def meanwhile() -> None:
        # Taken while the work runs: a second request meanwhile is refused.
        assert _count("widget", "person:1") == 1
        with pytest.raises(WidgetRateLimited):
            _take()

    with pytest.raises(type(outage)):
        _work_failing(outage, meanwhile=meanwhile)
    assert _count("widget", "person:1") == 0
    assert _count("widget", "ip:203.0.113.9") == 0
    with _charged():
        pass  # the allowance is there again, and what succeeds keeps it
    with pytest.raises(WidgetRateLimited):
        _take()


@pytest.mark.parametrize("error", [InvalidInput(), ValueError("a bug")])
def test_work_failing_for_anything_else_keeps_the_charge(
    settings: Settings, error: Exception
) -> None:
    """A photo that does not decode costs us the work all the same."""
    settings.RATE_LIMITS = {"widget.person": (3, 600)}
    with pytest.raises(type(error)):
        _work_failing(error, Charge(action="widget", cost=2, error=WidgetRateLimited))
    assert _count("widget", "person:1") == 2


def test_a_charge_is_given_back_only_to_the_window_it_was_taken_from(settings: Settings) -> None:
    settings.RATE_LIMITS = {"widget.person": (5, 1)}

    def meanwhile() -> None:
        time.sleep(1.1)  # the window ends while the work runs
        _take()  # and another request counts in the next one

    with pytest.raises(MediaUnavailable):
        _work_failing(MediaUnavailable(), meanwhile=meanwhile)
    assert _count("widget", "person:1") == 1


def test_a_charge_given_back_by_hand_is_not_given_back_twice(settings: Settings) -> None:
    settings.RATE_LIMITS = {"widget.person": (5, 600)}
    _take()  # another request's count, which stays

    def replay_then_outage() -> None:
        with _charged() as charge:
            assert _count("widget", "person:1") == 2
            charge.give_back()
            raise MediaUnavailable()

    with pytest.raises(MediaUnavailable):
        replay_then_outage()
    assert _count("widget", "person:1") == 1


def test_redis_down_when_giving_back_keeps_the_outage_error(
    settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    settings.RATE_LIMITS = {"widget.person": (1, 600)}

    def redis_goes_away() -> None:
        settings.REDIS_URL = "redis://127.0.0.1:1/0"

    with (
        caplog.at_level(logging.WARNING, logger="core.rate_limits"),
        pytest.raises(MediaUnavailable),
    ):
        _work_failing(MediaUnavailable(), meanwhile=redis_goes_away)
    assert [r.getMessage() for r in caplog.records] == [
        "Redis unavailable (ConnectionError); abuse limits not given back for widget"
    ]


# ---- two worker processes ------------------------------------------------------

# Each worker: argv = Redis key prefix, limit, attempts; prints how many passed.
_WORKER_START = textwrap.dedent(
    """
    import sys
    import django
    django.setup()
    from django.conf import settings
    from core.errors import MediaUnavailable
    from core.rate_limits import Charge, RateLimited, rate_limits_charged, rate_limits_take

    settings.RATE_LIMIT_PREFIX = sys.argv[1]
    settings.RATE_LIMITS = {"widget.person": (int(sys.argv[2]), 600)}
    charge = (Charge(action="widget", cost=1, error=RateLimited),)
    print("ready", flush=True)
    sys.stdin.readline()  # start together
    """
)

WORKER = _WORKER_START + textwrap.dedent(
    """
    allowed = 0
    for _ in range(int(sys.argv[3])):
        try:
            rate_limits_take(charges=charge, person_id=1, ip=None)
        except RateLimited:
            continue
        allowed += 1
    print(allowed, flush=True)
    """
)


def _two_workers(script: str, prefix: str, *, limit: int, attempts: int) -> list[int]:
    env = os.environ | {"DJANGO_SETTINGS_MODULE": "config.test_settings"}
    argv = [prefix, str(limit), str(attempts)]
    return [int(line) for line in run_together(script, [argv, argv], env=env)]


def test_a_limit_holds_across_two_worker_processes(rate_limit_prefix: str) -> None:
    limit, attempts = 25, 40
    allowed = _two_workers(WORKER, rate_limit_prefix, limit=limit, attempts=attempts)
    print(f"two processes, {2 * attempts} attempts, limit {limit}: allowed {allowed}")
    assert sum(allowed) == limit
    assert _count("widget", "person:1") == limit


CHARGED_WORKER = _WORKER_START + textwrap.dedent(
    """
    kept = 0
    for attempt in range(int(sys.argv[3])):
        try:
            with rate_limits_charged(charges=charge, person_id=1, ip=None):
                if attempt % 2:
                    raise MediaUnavailable()
        except (RateLimited, MediaUnavailable):
            continue
        kept += 1
    print(kept, flush=True)
    """
)


def test_charges_given_back_never_let_two_workers_past_the_limit(rate_limit_prefix: str) -> None:
    """Every other request's work fails for an outage and gives its charge back."""
    limit, attempts = 15, 60
    kept = _two_workers(CHARGED_WORKER, rate_limit_prefix, limit=limit, attempts=attempts)
    print(f"two processes, {2 * attempts} attempts, limit {limit}: kept {kept}")
    assert sum(kept) == limit
    assert _count("widget", "person:1") == limit
