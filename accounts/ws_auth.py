"""WebSocket authentication for mobile clients: the same API token as the HTTP API.

Browsers authenticate sockets with the session cookie, so their Origin must be
one of ours (a foreign page could otherwise open a socket with the resident's
cookie; core/ws_origin.py compares scheme, host and port). An app sends
``Authorization: Bearer <key>`` instead; a bearer key is not sent by browsers
on their own, so such a connection needs no Origin check.
"""

from __future__ import annotations

import logging
import time
from importlib import import_module
from types import SimpleNamespace
from typing import Any

from channels.layers import get_channel_layer
from django.conf import settings
from django.contrib import auth
from django.contrib.auth.models import AnonymousUser
from django.http.cookie import parse_cookie

from accounts.auth import api_token_user, key_hash
from core.socket_database import socket_database
from core.socket_ends import (
    LAYER_DOWN,
    SCOPE_KEY,
    Watch,
    person_key,
    session_credential,
    socket_ends,
    token_credential,
)

logger = logging.getLogger(__name__)

Scope = dict[str, Any]
App = Any


def bearer_key_from_scope(scope: Scope) -> str | None:
    headers: list[tuple[bytes, bytes]] = scope.get("headers", [])
    for name, value in headers:
        if name == b"authorization":
            scheme, _, key = value.decode("latin-1").partition(" ")
            if scheme.lower() == "bearer" and key.strip():
                return key.strip()
    return None


def session_user(session_key: str | None) -> Any:
    """The person logged in with this session, as Django's auth checks it for a request."""
    if not session_key:
        return AnonymousUser()
    store = import_module(settings.SESSION_ENGINE).SessionStore(session_key)
    # django.contrib.auth.get_user reads only request.session (and flushes a
    # session whose password hash no longer matches, as for a page).
    return auth.get_user(SimpleNamespace(session=store))  # type: ignore[arg-type]


def cookie_value(scope: Scope, name: str) -> str | None:
    headers: list[tuple[bytes, bytes]] = scope.get("headers", [])
    for header, value in headers:
        if header == b"cookie":
            found = parse_cookie(value.decode("latin-1")).get(name)
            if found:
                return found
    return None


class PersonMiddleware:
    """Put the socket's person in ``scope["user"]``: the API token's, else the session's.

    Instead of Channels' AuthMiddlewareStack, which keeps a session object and
    wraps every send of the socket for its whole life (to save the session on
    HTTP responses, which a socket never sends): at 5,000 followers that was a
    session, a lazy user and a wrapper call per socket and pushed event. The
    person is read once, at the handshake, with one trip to the database.

    The socket then ends with that log-in, and reconnects when the person's
    rights change (core/socket_ends.py): the process hears those ends before
    the person is read, so an end committed meanwhile is not missed.
    """

    def __init__(self, inner: App) -> None:
        self.inner = inner

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> Any:
        key, session_key = _credentials(scope)
        if key is None and session_key is None:  # nobody: the stream says 4401
            return await self.inner({**scope, "user": AnonymousUser()}, receive, send)
        # Before the join: an end or a failure while waiting on it counts too.
        since = time.monotonic()
        try:
            await socket_ends(get_channel_layer()).ready()
        except Exception as exc:  # noqa: BLE001 - the layer is down: the socket says 1011
            logger.warning("Socket ends not joined: %s: %s", type(exc).__name__, exc)
            return await self.inner(
                {**scope, "user": AnonymousUser(), LAYER_DOWN: True}, receive, send
            )
        user, credential = await _person(key, session_key)
        person: dict[str, Any] = {"user": user}
        if user.is_authenticated:
            person[SCOPE_KEY] = Watch(
                credential=credential, person=person_key(user.pk), since=since, reread=person_reread
            )
        return await self.inner({**scope, **person}, receive, send)


def _credentials(scope: Scope) -> tuple[str | None, str | None]:
    """The bearer key, else the session key, the socket was opened with."""
    key = bearer_key_from_scope(scope)
    return key, None if key is not None else cookie_value(scope, settings.SESSION_COOKIE_NAME)


async def _person(key: str | None, session_key: str | None) -> tuple[Any, str]:
    """The person a bearer key, else a session key, logs in, and that credential's name."""
    if key is not None:
        user = await socket_database(api_token_user)(key=key) or AnonymousUser()
        return user, token_credential(key_hash(key))
    user = await socket_database(session_user)(session_key)
    return user, session_credential(session_key or "")


async def person_reread(scope: Scope) -> Any | None:
    """The person the socket's log-in still logs in, read afresh, or None (core/socket_ends.py)."""
    user, _credential = await _person(*_credentials(scope))
    return user if user.is_authenticated else None


def sends_bearer_key(scope: Scope) -> bool:
    """True for a token client: PersonMiddleware then ignores any session cookie."""
    return bearer_key_from_scope(scope) is not None
