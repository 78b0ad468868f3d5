"""Sending SMS through a pluggable gateway.

Accounts (one-time codes) and notifications (case updates) both send SMS, and
accounts may not import notifications, so the gateway lives here. Callers ask
``sms_backend()`` for the configured backend at call time and call
``send(to=..., text=...)`` with an E.164 number.

Message text may hold secrets (one-time codes), so this module never logs the
text; its log lines name the number masked. The console backend prints the
whole message because it exists to let a developer read the code.
"""

from __future__ import annotations

import json
import logging
import math
import sys
import unicodedata
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.dispatch import Signal
from django.utils import timezone
from django.utils.module_loading import import_string

from core.visible_text import CONTROL_CHARACTERS

logger = logging.getLogger(__name__)

DEFAULT_BACKEND = "core.sms.ConsoleSmsBackend"
DEFAULT_HTTP_TIMEOUT_SECONDS = 10.0

# Short names accepted in settings.SMS_BACKEND besides a dotted path, so the
# environment can say SMS_BACKEND=http and a typo fails loudly.
BACKEND_ALIASES = {
    "console": "core.sms.ConsoleSmsBackend",
    "file": "core.sms.FileSmsBackend",
    "memory": "core.sms.MemorySmsBackend",
    "http": "core.sms.HttpSmsBackend",
}


# The GSM 03.38 default alphabet; the extension table's characters take two
# septets each. A message with any other character is sent as UCS-2.
GSM7_BASIC = (
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENSION = "^{}\\[~]|€\f"


# What one SMS holds, and each part of a longer one (the rest of a part carries
# the header that joins them): in GSM-7 septets, and in UCS-2 units.
GSM7_SINGLE, GSM7_PART = 160, 153
UCS2_SINGLE, UCS2_PART = 70, 67


@dataclass(frozen=True)
class SmsSize:
    """A text's length as the SMS counts it (septets, or UCS-2 units), and its parts."""

    length: int
    segments: int


def sms_size(text: str) -> SmsSize:
    """The text's length in what its SMS encoding counts, and how many SMS it costs.

    The console's counter counts by the same alphabet and limits (sms_rule)."""
    if all(c in GSM7_BASIC or c in GSM7_EXTENSION for c in text):
        length = sum(2 if c in GSM7_EXTENSION else 1 for c in text)
        single, part = GSM7_SINGLE, GSM7_PART
    else:
        # UTF-16 code units: a character outside the BMP (an emoji) takes two.
        length = len(text.encode("utf-16-le")) // 2
        single, part = UCS2_SINGLE, UCS2_PART
    return SmsSize(length, 1 if length <= single else math.ceil(length / part))


def sms_rule() -> dict[str, object]:
    """``sms_size``'s alphabet and limits, for a page's script that counts as
    the officer types (static/console/sms-count.js): the rule stays here."""
    return {
        "basic": GSM7_BASIC,
        "extension": GSM7_EXTENSION,
        "gsm": [GSM7_SINGLE, GSM7_PART],
        "ucs2": [UCS2_SINGLE, UCS2_PART],
        # Removed before counting, as sending removes them (a zero-width space
        # pasted from Zalo made the script count 70 where the server counted 160).
        "removed": CONTROL_CHARACTERS,
    }


def sms_segments(text: str) -> int:
    """How many SMS the text costs: 160/153 GSM-7 septets, or 70/67 UCS-2 units a segment."""
    return sms_size(text).segments


# Typographic marks the pages use that GSM-7 lacks: one of them made a whole
# SMS UCS-2 as surely as a Vietnamese mark ("… trạng thái “Đã đóng”" was two
# SMS where the same words in plain quotes are one; a second read).
_TYPOGRAPHY = str.maketrans(
    {"“": '"', "”": '"', "„": '"', "‘": "'", "’": "'", "–": "-", "—": "-", "…": "..."}
)


def sms_plain(text: str) -> str:
    """Return Vietnamese text without its marks (Đại Từ → Dai Tu), case kept.

    Vietnamese SMS are customarily written this way: one mark makes the whole
    message UCS-2, 70 characters a segment instead of 160.
    """
    decomposed = unicodedata.normalize(
        "NFD", text.replace("Đ", "D").replace("đ", "d").translate(_TYPOGRAPHY)
    )
    return unicodedata.normalize(
        "NFC", "".join(c for c in decomposed if not unicodedata.combining(c))
    )


class SmsDeliveryFailed(Exception):
    """The gateway did not accept the message; it was not sent."""


@dataclass(frozen=True)
class SmsResult:
    """What a backend reports about a message it accepted."""

    backend: str
    message_id: str


@dataclass(frozen=True)
class SmsMessage:
    to: str
    text: str
    sent_at: datetime = field(default_factory=timezone.now)


# Sent after the gateway accepted an SMS that left outside
# notifications/sms_budget.py (which counts the ones it sends itself): today
# the one-time codes of accounts/otp.py. Arguments: ``phone`` (E.164),
# ``user_id`` (the person with that number, None if they have no account yet),
# ``kind`` ("otp"), ``text`` (for its segments; never log it, it holds the
# code) and ``sent_at``. accounts sits below notifications and may not import
# the SMS bill, so the bill listens here (helpdesk/sms_bill.py). A refused
# message sends nothing, as sms_budget counts nothing for it.
sms_sent = Signal()


# Messages "sent" by MemorySmsBackend, like django.core.mail.outbox. Tests clear it.
outbox: list[SmsMessage] = []


def phone_mask(e164: str) -> str:
    """Return the number with the middle digits hidden, for log lines: +84981****67."""
    if len(e164) <= 7:
        return "*" * len(e164)
    return e164[:6] + "*" * (len(e164) - 8) + e164[-2:]


class SmsBackend:
    """Send one text message to one E.164 number, or raise SmsDeliveryFailed.

    ``key`` names the message across retries (the outbox row's, notifications/
    gateways.py): a gateway that dedupes on it turns a resend after a crash
    into a no-op. Empty for messages that are never retried (one-time codes).
    """

    name = "base"

    def send(self, *, to: str, text: str, key: str = "") -> SmsResult:
        raise NotImplementedError


class ConsoleSmsBackend(SmsBackend):
    """Print each message to stdout. Development only: the text is printed in full."""

    name = "console"

    def __init__(self, stream: IO[str] | None = None) -> None:
        self.stream = stream

    def send(self, *, to: str, text: str, key: str = "") -> SmsResult:
        # sys.stdout is looked up per call so capture (pytest, runserver) sees it.
        stream = self.stream or sys.stdout
        stream.write(f"[SMS to {to}] {text}\n")
        stream.flush()
        return SmsResult(backend=self.name, message_id=uuid.uuid4().hex)


class FileSmsBackend(SmsBackend):
    """Append each message as one JSON line to settings.SMS_FILE_PATH (dev and tests)."""

    name = "file"

    def __init__(self, path: str | Path | None = None) -> None:
        configured = path or getattr(settings, "SMS_FILE_PATH", "")
        if not configured:
            raise ImproperlyConfigured("FileSmsBackend needs settings.SMS_FILE_PATH.")
        self.path = Path(configured)

    def send(self, *, to: str, text: str, key: str = "") -> SmsResult:
        message_id = uuid.uuid4().hex
        line = json.dumps(
            {"id": message_id, "to": to, "text": text, "sent_at": timezone.now().isoformat()},
            ensure_ascii=False,
        )
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # One write call per line in append mode: concurrent workers do not
        # interleave lines this short.
        with self.path.open("a", encoding="utf-8") as handle:
            handle.write(line + "\n")
        return SmsResult(backend=self.name, message_id=message_id)


class MemorySmsBackend(SmsBackend):
    """Keep each message in ``core.sms.outbox`` (tests)."""

    name = "memory"

    def send(self, *, to: str, text: str, key: str = "") -> SmsResult:
        outbox.append(SmsMessage(to=to, text=text))
        return SmsResult(backend=self.name, message_id=uuid.uuid4().hex)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    # A redirected POST would be replayed as a GET without the message; treat
    # any 3xx as a failure instead.
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


class HttpSmsBackend(SmsBackend):
    """POST ``{"to", "text"}`` as JSON to settings.SMS_HTTP_URL with a bearer token,
    and an ``Idempotency-Key`` header when the caller names the message.

    Any answer outside 2xx, a timeout or a network error raises SmsDeliveryFailed.
    The gateway's message id is taken from ``id`` or ``message_id`` in a JSON answer.
    """

    name = "http"

    def __init__(
        self, *, url: str | None = None, token: str | None = None, timeout: float | None = None
    ) -> None:
        self.url = url if url is not None else getattr(settings, "SMS_HTTP_URL", "")
        self.token = token if token is not None else getattr(settings, "SMS_HTTP_TOKEN", "")
        self.timeout = float(
            timeout
            if timeout is not None
            else getattr(settings, "SMS_HTTP_TIMEOUT_SECONDS", DEFAULT_HTTP_TIMEOUT_SECONDS)
        )
        if not self.url.startswith(("https://", "http://")):
            raise ImproperlyConfigured("HttpSmsBackend needs settings.SMS_HTTP_URL (http[s]://).")
        if not self.token:
            raise ImproperlyConfigured("HttpSmsBackend needs settings.SMS_HTTP_TOKEN.")

    def send(self, *, to: str, text: str, key: str = "") -> SmsResult:
        body = json.dumps({"to": to, "text": text}, ensure_ascii=False).encode("utf-8")
        request = urllib.request.Request(  # noqa: S310 - scheme checked in __init__
            self.url,
            data=body,
            method="POST",
            headers={
                "Authorization": f"Bearer {self.token}",
                "Content-Type": "application/json; charset=utf-8",
                "Accept": "application/json",
                **({"Idempotency-Key": key} if key else {}),
            },
        )
        opener = urllib.request.build_opener(_NoRedirect)
        try:
            with opener.open(request, timeout=self.timeout) as response:
                status = response.status
                payload = response.read()
        except urllib.error.HTTPError as exc:
            # The answer body is not logged or kept: a gateway may echo the text.
            exc.close()
            logger.warning("SMS gateway refused a message to %s: HTTP %s", phone_mask(to), exc.code)
            raise SmsDeliveryFailed(f"SMS gateway answered HTTP {exc.code}.") from None
        except (OSError, TimeoutError) as exc:
            logger.warning(
                "SMS gateway unreachable for a message to %s: %s",
                phone_mask(to),
                exc.__class__.__name__,
            )
            raise SmsDeliveryFailed(
                f"SMS gateway unreachable ({exc.__class__.__name__})."
            ) from None
        if not 200 <= status < 300:
            logger.warning("SMS gateway refused a message to %s: HTTP %s", phone_mask(to), status)
            raise SmsDeliveryFailed(f"SMS gateway answered HTTP {status}.")
        message_id = _message_id(payload)
        logger.info("SMS to %s accepted by the gateway (id %s)", phone_mask(to), message_id)
        return SmsResult(backend=self.name, message_id=message_id)


def _message_id(payload: bytes) -> str:
    try:
        data = json.loads(payload or b"null")
    except ValueError:
        return ""
    if isinstance(data, dict):
        for key in ("id", "message_id"):
            if data.get(key) is not None:
                return str(data[key])
    return ""


def sms_backend() -> SmsBackend:
    """Return the backend named by settings.SMS_BACKEND (an alias or a dotted path)."""
    configured = getattr(settings, "SMS_BACKEND", DEFAULT_BACKEND) or DEFAULT_BACKEND
    path = BACKEND_ALIASES.get(configured, configured)
    try:
        backend_class = import_string(path)
    except ImportError as exc:
        raise ImproperlyConfigured(f"settings.SMS_BACKEND={configured!r}: {exc}") from exc
    if not (isinstance(backend_class, type) and issubclass(backend_class, SmsBackend)):
        raise ImproperlyConfigured(f"settings.SMS_BACKEND={configured!r} is not an SmsBackend.")
    backend: SmsBackend = backend_class()
    return backend
