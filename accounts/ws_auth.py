"""WebSocket authentication for mobile clients: the same API token as the HTTP API.

Browsers authenticate sockets with the session cookie, so their Origin must be
one of ours (a foreign page could otherwise open a socket with the resident's
cookie). An app sends ``Authorization: Bearer <key>`` instead; a bearer key is
not sent by browsers on their own, so such a connection needs no Origin check.
"""

from __future__ import annotations

from typing import Any

from channels.db import database_sync_to_async
from channels.security.websocket import AllowedHostsOriginValidator
from django.contrib.auth.models import AnonymousUser

from accounts.auth import api_token_user

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


class BearerTokenMiddleware:
    """Put the token's person in ``scope["user"]`` (anonymous for a bad key)."""

    def __init__(self, inner: App) -> None:
        self.inner = inner

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> Any:
        key = bearer_key_from_scope(scope)
        if key is not None:
            user = await database_sync_to_async(api_token_user)(key=key)
            scope = {**scope, "user": user or AnonymousUser()}
        return await self.inner(scope, receive, send)


def origin_checked_unless_bearer(inner: App) -> App:
    """Check the Origin of cookie-authenticated sockets; token clients skip it."""
    checked = AllowedHostsOriginValidator(inner)

    async def app(scope: Scope, receive: Any, send: Any) -> Any:
        if bearer_key_from_scope(scope) is not None:
            return await inner(scope, receive, send)
        return await checked(scope, receive, send)

    return app
