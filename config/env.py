"""Read settings from the environment, failing loudly on malformed values.

A typo in production configuration must stop the process at start-up, not
silently fall back to a default: ``DJANGO_DEBUG=yes`` is an error, not True.
"""

from __future__ import annotations

import os

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"true", "1"}
_FALSE = {"false", "0"}
_UNSET = object()


def _raw(name: str) -> str | None:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return None
    return value.strip()


def env_str(name: str, default: str | object = _UNSET) -> str:
    """Return the variable, or the default; raise if it is required and unset."""
    value = _raw(name)
    if value is not None:
        return value
    if default is _UNSET:
        raise ImproperlyConfigured(f"Environment variable {name} is required.")
    return str(default)


def env_bool(name: str, default: bool) -> bool:
    """Return a boolean written as true/false/1/0; anything else is an error."""
    value = _raw(name)
    if value is None:
        return default
    lowered = value.lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ImproperlyConfigured(
        f"Environment variable {name}={value!r} is not a boolean: use true, false, 1 or 0."
    )


def env_int(name: str, default: int, *, minimum: int | None = None) -> int:
    """Return an integer; reject non-numbers and values under the minimum."""
    value = _raw(name)
    if value is None:
        return default
    try:
        number = int(value)
    except ValueError:
        raise ImproperlyConfigured(
            f"Environment variable {name}={value!r} is not an integer."
        ) from None
    if minimum is not None and number < minimum:
        raise ImproperlyConfigured(
            f"Environment variable {name}={number} must be at least {minimum}."
        )
    return number


def env_list(name: str, default: list[str]) -> list[str]:
    """Return a comma-separated list with blanks dropped."""
    value = _raw(name)
    if value is None:
        return list(default)
    return [item.strip() for item in value.split(",") if item.strip()]


def env_ints(name: str, default: tuple[int, ...]) -> tuple[int, ...] | None:
    """Return as many positive integers as ``default`` has, comma-separated, or
    None for ``off``; anything else is an error."""
    value = _raw(name)
    if value is None:
        return default
    if value.lower() == "off":
        return None
    parts = [part.strip() for part in value.split(",")]
    numbers = all(part.isascii() and part.isdigit() and int(part) > 0 for part in parts)
    if len(parts) != len(default) or not numbers:
        example = ",".join(str(number) for number in default)
        raise ImproperlyConfigured(
            f"Environment variable {name}={value!r} must be {len(default)} positive "
            f"integers separated by commas (e.g. {example}), or off."
        )
    return tuple(int(part) for part in parts)


def env_choice(name: str, default: str, choices: tuple[str, ...]) -> str:
    """Return one of the allowed words; anything else is an error."""
    value = env_str(name, default)
    if value not in choices:
        allowed = ", ".join(choices)
        raise ImproperlyConfigured(
            f"Environment variable {name}={value!r} must be one of: {allowed}."
        )
    return value


_PERIOD_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def env_rate(name: str, default: str) -> tuple[int, int] | None:
    """Return a rate limit written ``<count>/<period>`` as (count, seconds), or None for ``off``.

    The period is a unit (s, m, h, d), optionally after a number: ``60/h``,
    ``300/15m``, ``5/10s``. A count of 0 would refuse everything, which no
    one means to configure, so it is an error: ``off`` says "no limit".
    """
    value = env_str(name, default)
    if value.lower() == "off":
        return None
    count, slash, period = value.partition("/")
    period = period.strip()
    unit = _PERIOD_SECONDS.get(period[-1:].lower()) if period else None
    number = period[:-1].strip() or "1"
    if not slash or unit is None or not count.strip().isdigit() or not number.isdigit():
        raise ImproperlyConfigured(
            f"Environment variable {name}={value!r} is not a rate: write <count>/<period> "
            "such as 60/h or 300/15m (units s, m, h, d), or off."
        )
    if int(count) < 1 or int(number) < 1:
        raise ImproperlyConfigured(
            f"Environment variable {name}={value!r}: count and period must be at least 1 "
            "(write off for no limit)."
        )
    return int(count), int(number) * unit
