"""One-time codes by SMS: sign up and log in with a Vietnamese mobile number.

Sign-up and login are one flow: ``otp_request`` sends a 6-digit code to the
number, ``otp_verify`` checks it and returns the person, creating the account
on the first success.

- Only an HMAC-SHA256 of the code (keyed with SECRET_KEY, bound to the number)
  is stored; the code itself lives only in the SMS.
- A code expires after 5 minutes, works once, and dies after 5 wrong tries.
  Only the newest code of a number counts.
- Sending is limited per number (3 codes per 15 minutes, 60 seconds apart) and
  per client IP (settings.RATE_LIMITS["otp.ip"], XADESK_RATE_OTP_IP, 60 an
  hour by default), counted in Redis.
- No log line written here ever holds a code.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import ipaddress
import logging
import math
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache

import redis
from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.models import OneTimeCode, User
from accounts.phones import phone_normalize
from accounts.signup import account_for_phone
from core.errors import DomainError, InvalidInput, PermissionDenied, TooManyRequests, Unavailable
from core.sms import SmsDeliveryFailed, phone_mask, sms_backend, sms_sent

logger = logging.getLogger(__name__)

CODE_DIGITS = 6
CODE_TTL = timedelta(minutes=5)
MAX_WRONG_ATTEMPTS = 5
PHONE_MAX_CODES = 3
PHONE_WINDOW_SECONDS = 15 * 60
PHONE_MIN_INTERVAL_SECONDS = 60
REDIS_TIMEOUT_SECONDS = 0.5


class RateLimited(TooManyRequests):
    """Too many codes were asked for; ``retry_after`` says how many seconds to wait."""

    code = "otp_rate_limited"
    default_message = _("Too many codes were requested. Please wait a little and try again.")

    def __init__(self, *, retry_after: int) -> None:
        self.retry_after = max(1, retry_after)
        super().__init__(details={"retry_after": self.retry_after})


class OtpInvalid(InvalidInput):
    code = "otp_invalid"
    default_message = _("This code is not right. Check the SMS and try again.")


class OtpExpired(InvalidInput):
    code = "otp_expired"
    default_message = _("This code has expired. Ask for a new one.")


class OtpUsed(InvalidInput):
    code = "otp_used"
    default_message = _("This code has already been used. Ask for a new one.")


class OtpTooManyAttempts(InvalidInput):
    code = "otp_too_many_attempts"
    default_message = _("Too many wrong tries for this code. Ask for a new one.")


class SmsUnavailable(Unavailable):
    code = "sms_unavailable"
    default_message = _("We could not send the SMS just now. Please try again in a few minutes.")


class AccountDisabled(PermissionDenied):
    code = "account_disabled"
    default_message = _("This account is disabled. Please contact your commune office.")


@dataclass(frozen=True)
class OtpRequestResult:
    phone: str
    expires_at: datetime
    retry_after: int


def code_hash(*, phone: str, code: str) -> str:
    """Return the stored form of a code: HMAC-SHA256 keyed with SECRET_KEY, bound to the number."""
    message = f"{phone}:{code}".encode()
    return hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()


def otp_request(*, phone_raw: str, ip: str, now: datetime | None = None) -> OtpRequestResult:
    """Send a new one-time code to the number by SMS, within the rate limits."""
    phone = phone_normalize(phone_raw)
    now = now or timezone.now()
    client_ip = _ip_or_none(ip)
    _rate_limit(phone=phone, ip=client_ip, now=now)

    code = f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"
    row = OneTimeCode(
        phone=phone,
        code_hash=code_hash(phone=phone, code=code),
        requested_ip=client_ip,
        created_at=now,
        expires_at=now + CODE_TTL,
    )
    row.full_clean()
    row.save()

    # Sent now, not on commit: the person is waiting on this page for the SMS
    # and must be told at once when the gateway refuses it.
    person = User.objects.filter(phone=phone).values("pk", "language").first()
    text = _message(code=code, language=person["language"] if person else None)
    try:
        sms_backend().send(to=phone, text=text)
    except SmsDeliveryFailed:
        # They never got this code: drop it and lift the 60-second wait so
        # they can try again; the window counts stay, which also spares the gateway.
        row.delete()
        _cooldown_release(phone=phone)
        logger.warning("One-time code for %s not delivered: SMS gateway failed", phone_mask(phone))
        raise SmsUnavailable() from None
    logger.info("One-time code sent to %s (requested from %s)", phone_mask(phone), client_ip)
    # Counted on the SMS bill (its receiver lives above accounts). A login
    # code is essential: it is never held back by the monthly cap, and a
    # failure to count it must not tell the person their code was not sent.
    for receiver, error in sms_sent.send_robust(
        sender=None,
        phone=phone,
        user_id=person["pk"] if person else None,
        kind="otp",
        text=text,
        sent_at=now,
    ):
        if isinstance(error, Exception):
            logger.error(
                "One-time code to %s not counted on the SMS bill by %s",
                phone_mask(phone),
                getattr(receiver, "__qualname__", receiver),
                exc_info=error,
            )
    return OtpRequestResult(
        phone=phone, expires_at=row.expires_at, retry_after=PHONE_MIN_INTERVAL_SECONDS
    )


def otp_verify(*, phone_raw: str, code: str, ip: str, now: datetime | None = None) -> User:
    """Check the newest code of the number and return its person, signing them up if new."""
    phone = phone_normalize(phone_raw)
    now = now or timezone.now()
    submitted = "".join((code or "").split())
    user: User | None = None
    with transaction.atomic():
        # The row lock serialises concurrent tries of one code, so a code
        # cannot be used twice and every wrong try is counted.
        row = (
            OneTimeCode.objects.select_for_update()
            .filter(phone=phone)
            .order_by("-created_at", "-pk")
            .first()
        )
        failure = _check(row=row, phone=phone, submitted=submitted, now=now)
        if failure is None and row is not None:
            row.used_at = now
            row.save(update_fields=["used_at"])
            user, created = account_for_phone(phone)
            if created:
                logger.info("Signed up %s by one-time code", phone_mask(phone))
    # Raised outside the block so the counted wrong try is committed.
    if failure is not None:
        logger.info(
            "One-time code for %s refused (%s), from %s", phone_mask(phone), failure.code, ip
        )
        raise failure
    assert user is not None
    if not user.is_active:
        raise AccountDisabled()
    logger.info("Logged in %s by one-time code, from %s", phone_mask(phone), ip)
    return user


def _check(
    *, row: OneTimeCode | None, phone: str, submitted: str, now: datetime
) -> DomainError | None:
    """Return why the submitted code is refused, or None; count a wrong try on the row."""
    if row is None:
        return OtpInvalid()
    if row.used_at is not None:
        return OtpUsed()
    if row.attempts >= MAX_WRONG_ATTEMPTS:
        return OtpTooManyAttempts()
    if now >= row.expires_at:
        return OtpExpired()
    if hmac.compare_digest(row.code_hash, code_hash(phone=phone, code=submitted)):
        return None
    row.attempts += 1
    row.save(update_fields=["attempts"])
    left = MAX_WRONG_ATTEMPTS - row.attempts
    if left <= 0:
        return OtpTooManyAttempts()
    return OtpInvalid(details={"attempts_left": left})


def _message(*, code: str, language: str | None) -> str:
    """Return the SMS text in the person's language if they have an account, else Vietnamese."""
    with translation.override(language or User.Language.VIETNAMESE):
        return gettext(
            "Your XaDesk verification code is %(code)s. It is valid for %(minutes)s minutes. "
            "Do not share this code with anyone."
        ) % {"code": code, "minutes": int(CODE_TTL.total_seconds() // 60)}


def _ip_or_none(ip: str) -> str | None:
    try:
        return str(ipaddress.ip_address((ip or "").strip()))
    except ValueError:
        return None


# ---- Rate limits -------------------------------------------------------------

# Checks all three limits and, only when all pass, counts the request, in one
# atomic step: a refused request uses up nothing, and concurrent requests
# cannot slip past a limit between the check and the INCR. Returns 0 when
# allowed, else the seconds until the longest of the limits hit lifts.
# KEYS: wait, phone, ip. ARGV: interval, phone max, phone window, ip max, ip window.
# (Single Redis node: the three keys need not share a cluster slot.)
_LIMIT_SCRIPT = """
local retry = 0
local function blocked(key)
  local ttl = redis.call('TTL', key)
  if ttl < 1 then ttl = 1 end
  if ttl > retry then retry = ttl end
end
if redis.call('EXISTS', KEYS[1]) == 1 then blocked(KEYS[1]) end
if tonumber(redis.call('GET', KEYS[2]) or '0') >= tonumber(ARGV[2]) then blocked(KEYS[2]) end
if tonumber(redis.call('GET', KEYS[3]) or '0') >= tonumber(ARGV[4]) then blocked(KEYS[3]) end
if retry > 0 then return retry end
redis.call('SET', KEYS[1], '1', 'EX', ARGV[1])
if redis.call('INCR', KEYS[2]) == 1 then redis.call('EXPIRE', KEYS[2], ARGV[3]) end
if redis.call('INCR', KEYS[3]) == 1 then redis.call('EXPIRE', KEYS[3], ARGV[5]) end
return 0
"""


@lru_cache(maxsize=4)
def _redis_client(url: str) -> redis.Redis:
    return redis.Redis.from_url(
        url, socket_connect_timeout=REDIS_TIMEOUT_SECONDS, socket_timeout=REDIS_TIMEOUT_SECONDS
    )


def rate_limit_keys(*, phone: str, ip: str | None) -> tuple[str, str, str]:
    """Return the Redis keys of the 60-second wait, the number's and the IP's counts."""
    prefix = getattr(settings, "OTP_RATE_LIMIT_PREFIX", "otp")
    return (
        f"{prefix}:phone-wait:{phone}",
        f"{prefix}:phone:{phone}",
        f"{prefix}:ip:{ip or 'unknown'}",
    )


def ip_limit() -> tuple[int, int] | None:
    """(codes, seconds) one client IP may ask for, or None: settings.RATE_LIMITS["otp.ip"]."""
    return settings.RATE_LIMITS.get("otp.ip")


def _rate_limit(*, phone: str, ip: str | None, now: datetime) -> None:
    # Off: as many as the per-number limits allow (the count is never reached).
    ip_codes, ip_window = ip_limit() or (2**31, 1)
    client = _redis_client(settings.REDIS_URL)
    try:
        retry = int(
            client.eval(
                _LIMIT_SCRIPT,
                3,
                *rate_limit_keys(phone=phone, ip=ip),
                PHONE_MIN_INTERVAL_SECONDS,
                PHONE_MAX_CODES,
                PHONE_WINDOW_SECONDS,
                ip_codes,
                ip_window,
            )
        )
    except redis.RedisError as exc:
        # Redis down must not lock everyone out, nor open the gate to SMS
        # flooding: count this number's (and this IP's) recent codes in the
        # database instead. Not atomic, which is acceptable while degraded.
        logger.warning(
            "Redis unavailable (%s); one-time code limits counted in the database",
            exc.__class__.__name__,
        )
        retry = _rate_limit_retry_from_database(phone=phone, ip=ip, now=now, limit=ip_limit())
    if retry > 0:
        logger.info("One-time code for %s rate limited (%ss)", phone_mask(phone), retry)
        raise RateLimited(retry_after=retry)


def _rate_limit_retry_from_database(
    *, phone: str, ip: str | None, now: datetime, limit: tuple[int, int] | None
) -> int:
    """Return the seconds to wait per the rows of recent codes (sliding windows), or 0."""
    waits = [0.0]
    sent = list(
        OneTimeCode.objects.filter(
            phone=phone, created_at__gt=now - timedelta(seconds=PHONE_WINDOW_SECONDS)
        )
        .order_by("created_at")
        .values_list("created_at", flat=True)
    )
    if sent:
        waits.append(PHONE_MIN_INTERVAL_SECONDS - (now - sent[-1]).total_seconds())
    if len(sent) >= PHONE_MAX_CODES:
        waits.append(PHONE_WINDOW_SECONDS - (now - sent[-PHONE_MAX_CODES]).total_seconds())
    if ip is not None and limit is not None:
        codes, window = limit
        from_ip = list(
            OneTimeCode.objects.filter(
                requested_ip=ip, created_at__gt=now - timedelta(seconds=window)
            )
            .order_by("-created_at")
            .values_list("created_at", flat=True)[:codes]
        )
        if len(from_ip) >= codes:
            waits.append(window - (now - from_ip[-1]).total_seconds())
    return max(0, math.ceil(max(waits)))


def _cooldown_release(*, phone: str) -> None:
    wait_key, _phone_key, _ip_key = rate_limit_keys(phone=phone, ip=None)
    with contextlib.suppress(redis.RedisError):
        _redis_client(settings.REDIS_URL).delete(wait_key)
