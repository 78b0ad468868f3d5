"""Bearer tokens for mobile clients, and the client address of a request.

Other routers protect their operations with ``auth=ApiTokenAuth()`` (or
``person_auth`` to accept the web session as well, ``PageSessionAuth``);
``request.auth`` and ``request.user`` are then the person.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest
from django.utils import timezone
from ninja.errors import HttpError
from ninja.security import HttpBearer, SessionAuth

from accounts.models import ApiToken, User
from core.errors import CsrfFailed

TOKEN_PREFIX = "xd_"  # noqa: S105 - a marker for secret scanners, not a secret
# last_used_at is a hint for people reviewing their devices, not an audit
# trail: writing it on every request would turn each read into a write.
LAST_USED_RESOLUTION = timedelta(minutes=1)


def key_hash(key: str) -> str:
    # The key carries 256 random bits, so a plain SHA-256 cannot be reversed
    # by guessing, and rotating SECRET_KEY does not log every device out.
    return hashlib.sha256(key.encode()).hexdigest()


def api_token_create(*, user: User) -> str:
    """Create a token for the person and return its key; only its hash is kept."""
    key = TOKEN_PREFIX + secrets.token_urlsafe(32)
    ApiToken.objects.create(user=user, key_hash=key_hash(key))
    return key


def api_token_revoke(*, key: str) -> bool:
    """Delete the token with this key; return whether there was one."""
    deleted, _ = ApiToken.objects.filter(key_hash=key_hash(key)).delete()
    return deleted > 0


def api_token_user(*, key: str, now: datetime | None = None) -> User | None:
    """Return the active person the key belongs to, or None."""
    token = ApiToken.objects.select_related("user").filter(key_hash=key_hash(key)).first()
    if token is None or not token.user.is_active:
        return None
    now = now or timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


class ApiTokenAuth(HttpBearer):
    """``Authorization: Bearer <key>`` with a key from POST /api/v1/auth/otp/verify."""

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        user = api_token_user(key=token)
        if user is not None:
            request.user = user
        return user


def bearer_key(request: HttpRequest) -> str | None:
    """Return the bearer key sent with the request, if any."""
    scheme, _, key = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not key.strip():
        return None
    return key.strip()


def request_person(request: HttpRequest) -> User | object:
    """Who asks: the owner of a bearer key when one is sent (apps), else the
    session's user (pages). A wrong key is nobody, whatever the cookie says."""
    key = bearer_key(request)
    if key is not None:
        return api_token_user(key=key) or AnonymousUser()
    return request.user


class PageSessionAuth(SessionAuth):
    """The session cookie of the web pages' scripts, CSRF-checked, as ninja's
    django_auth, with two answers of ours: nobody logged in is told to log in
    (401 ``not_authenticated``; ninja checked the CSRF token first, so an
    anonymous POST got 403 "CSRF check Failed"), and a logged-in page whose
    token is missing or stale gets 403 ``csrf_failed`` with a sentence."""

    def _get_key(self, request: HttpRequest) -> str | None:
        if not request.user.is_authenticated:
            return None
        try:
            return super()._get_key(request)
        except HttpError as exc:
            if exc.status_code == 403:
                raise CsrfFailed() from exc
            raise


page_session_auth = PageSessionAuth()
# Every endpoint for a logged-in person accepts an API token (mobile) or the
# session cookie (web pages' scripts; CSRF-checked).
person_auth = [ApiTokenAuth(), page_session_auth]
