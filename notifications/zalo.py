"""Zalo Official Account messages through a pluggable backend, like core.sms.

``zalo_backend()`` returns the backend named by settings.ZALO_BACKEND:
"console" (default; prints), "memory" (tests; keeps messages in ``outbox``) or
"http", which POSTs ``{"recipient": {"user_id"}, "message": {"text"}}`` as JSON
to settings.ZALO_OA_URL with the OA access token in the ``access_token``
header, the shape of Zalo's OA message API. Credentials come from the
environment through settings, read at call time.
"""

from __future__ import annotations

import json
import logging
import sys
import urllib.error
import urllib.request
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

logger = logging.getLogger(__name__)

DEFAULT_HTTP_TIMEOUT_SECONDS = 10.0


class ZaloDeliveryFailed(Exception):
    """The Official Account API did not accept the message."""


class ZaloTokenExpired(ZaloDeliveryFailed):
    """The OA access token is no longer valid: an administrator must renew it
    (ZALO_OA_ACCESS_TOKEN). Retrying with the same token cannot succeed."""


# Error codes of the OA API that mean the access token is invalid or expired.
TOKEN_ERRORS = frozenset({-216, -124})


@dataclass(frozen=True)
class ZaloMessage:
    user_id: str
    text: str


outbox: list[ZaloMessage] = []


class ZaloBackend:
    name = "base"

    def send(self, *, user_id: str, text: str) -> None:
        raise NotImplementedError


class ConsoleZaloBackend(ZaloBackend):
    name = "console"

    def send(self, *, user_id: str, text: str) -> None:
        sys.stdout.write(f"[Zalo to {user_id}] {text}\n")
        sys.stdout.flush()


class OffZaloBackend(ZaloBackend):
    """No Official Account configured: a Zalo message is a failed delivery (the
    outbox records it, other channels still reach the person), never printed
    and marked sent."""

    name = "off"

    def send(self, *, user_id: str, text: str) -> None:
        raise ZaloDeliveryFailed("Zalo is not configured (ZALO_BACKEND=off).")


class MemoryZaloBackend(ZaloBackend):
    name = "memory"

    def send(self, *, user_id: str, text: str) -> None:
        outbox.append(ZaloMessage(user_id=user_id, text=text))


class HttpZaloBackend(ZaloBackend):
    name = "http"

    def __init__(self) -> None:
        self.url: str = getattr(settings, "ZALO_OA_URL", "")
        self.token: str = getattr(settings, "ZALO_OA_ACCESS_TOKEN", "")
        self.timeout = float(
            getattr(settings, "ZALO_HTTP_TIMEOUT_SECONDS", DEFAULT_HTTP_TIMEOUT_SECONDS)
        )
        if not self.url.startswith(("https://", "http://")):
            raise ImproperlyConfigured("HttpZaloBackend needs settings.ZALO_OA_URL (http[s]://).")
        if not self.token:
            raise ImproperlyConfigured("HttpZaloBackend needs settings.ZALO_OA_ACCESS_TOKEN.")

    def send(self, *, user_id: str, text: str) -> None:
        body = json.dumps(
            {"recipient": {"user_id": user_id}, "message": {"text": text}}, ensure_ascii=False
        ).encode("utf-8")
        request = urllib.request.Request(  # noqa: S310 - scheme checked in __init__
            self.url,
            data=body,
            method="POST",
            headers={"access_token": self.token, "Content-Type": "application/json"},
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                payload = json.loads(response.read() or b"{}")
        except urllib.error.HTTPError as exc:
            exc.close()
            raise ZaloDeliveryFailed(f"Zalo answered HTTP {exc.code}.") from None
        except (OSError, ValueError) as exc:
            raise ZaloDeliveryFailed(f"Zalo unreachable ({type(exc).__name__}).") from None
        # The OA API answers 200 with a non-zero "error" when it refuses.
        if isinstance(payload, dict) and payload.get("error", 0) != 0:
            code = payload.get("error")
            if code in TOKEN_ERRORS:
                logger.error("Zalo OA access token rejected (error %s): renew it.", code)
                raise ZaloTokenExpired(f"Zalo access token rejected (error {code}).")
            raise ZaloDeliveryFailed(f"Zalo refused the message (error {code}).")


BACKENDS: dict[str, type[ZaloBackend]] = {
    "off": OffZaloBackend,
    "console": ConsoleZaloBackend,
    "memory": MemoryZaloBackend,
    "http": HttpZaloBackend,
}


def zalo_backend() -> ZaloBackend:
    configured = getattr(settings, "ZALO_BACKEND", "console") or "console"
    if configured not in BACKENDS:
        raise ImproperlyConfigured(
            f"settings.ZALO_BACKEND={configured!r}: expected one of {', '.join(BACKENDS)}."
        )
    return BACKENDS[configured]()
