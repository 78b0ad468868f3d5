"""The Origin check for WebSockets: scheme, host and port, not the host alone.

A browser sends the session cookie with any socket to our host, whichever page
opened it, so a cookie-authenticated socket is only as safe as its Origin
check. Channels' AllowedHostsOriginValidator compares the Origin's host with
ALLOWED_HOSTS and ignores scheme and port: a page on http://localhost:9999
(any other program on the machine, or a plain-http page of an https site)
could follow a resident's cases with the resident's cookie (issue 18, finding 4).

Here an Origin is accepted only when its (scheme, host, port) is one of the
site's origins:

* ``settings.SITE_ORIGINS`` when it is set (``DJANGO_SITE_ORIGINS``): then
  exactly those. ``make run`` sets it (scripts/serve.sh) to the origins it
  serves, so the check does not rest on a Host header a proxy may rewrite.
* otherwise the socket's own origin, as Django's CSRF check builds it for a
  request: the scheme the socket arrived with (wss -> https, ws -> http) and
  the Host header, if that host is in ALLOWED_HOSTS; plus CSRF_TRUSTED_ORIGINS,
  the origins Django already trusts to act for the site.

A socket with no Origin is refused: browsers always send one, so a client
without it is not a browser and authenticates with a bearer token instead,
which a foreign page cannot attach (``unless`` exempts those sockets; see
accounts/ws_auth.py). Refused sockets are closed before they are accepted,
which the server answers with 403 at the handshake.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.http.request import split_domain_port, validate_host

Scope = dict[str, Any]
App = Any
# (scheme, host, port); a host starting with "*." also matches its subdomains,
# as in CSRF_TRUSTED_ORIGINS.
Origin = tuple[str, str, int]

_DEFAULT_PORTS = {"http": 80, "https": 443}


def parse_origin(value: str) -> Origin | None:
    """``scheme://host[:port]`` as (scheme, host, port); None if it is not one."""
    try:
        parts = urlsplit(value.strip())
        port = parts.port
    except ValueError:  # a port that is not a number, or out of range
        return None
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    if scheme not in _DEFAULT_PORTS or not host or parts.path not in ("", "/"):
        return None
    if parts.username is not None or parts.query or parts.fragment:
        return None
    return scheme, host, port if port is not None else _DEFAULT_PORTS[scheme]


def _header(scope: Scope, name: bytes) -> list[str]:
    headers: list[tuple[bytes, bytes]] = scope.get("headers", [])
    return [value.decode("latin-1") for header, value in headers if header == name]


def own_origin(scope: Scope) -> Origin | None:
    """The origin the socket was opened at: its scheme and Host header."""
    hosts = _header(scope, b"host")
    if len(hosts) != 1:
        return None
    domain, _port = split_domain_port(hosts[0])
    if not domain or not validate_host(domain, settings.ALLOWED_HOSTS):
        return None
    scheme = "https" if scope.get("scheme", "ws") == "wss" else "http"
    return parse_origin(f"{scheme}://{hosts[0]}")


def _matches(origin: Origin, allowed: Origin) -> bool:
    scheme, host, port = allowed
    if (origin[0], origin[2]) != (scheme, port):
        return False
    if host.startswith("*."):
        return origin[1] == host[2:] or origin[1].endswith(host[1:])
    return origin[1] == host


def _configured(values: Iterable[str]) -> list[Origin]:
    parsed = [parse_origin(value) for value in values]
    return [origin for origin in parsed if origin is not None]


def site_origins(scope: Scope) -> list[Origin]:
    """The origins whose pages may open a cookie-authenticated socket."""
    configured = _configured(getattr(settings, "SITE_ORIGINS", []))
    if configured:
        return configured
    own = own_origin(scope)
    trusted = _configured(settings.CSRF_TRUSTED_ORIGINS)
    return [own, *trusted] if own is not None else trusted


def origin_allowed(scope: Scope) -> bool:
    """True if the socket's one Origin header is one of the site's origins."""
    values = _header(scope, b"origin")
    if len(values) != 1:  # none (not a browser), or several (not one page)
        return False
    origin = parse_origin(values[0])
    return origin is not None and any(_matches(origin, allowed) for allowed in site_origins(scope))


def site_origin_only(inner: App, *, unless: Callable[[Scope], bool] | None = None) -> App:
    """Refuse sockets from other origins before ``inner`` sees them.

    ``unless(scope)`` true lets a socket through unchecked: for clients that
    prove who they are with something a foreign page cannot send.
    """

    async def app(scope: Scope, receive: Any, send: Any) -> Any:
        if scope["type"] != "websocket":
            raise ValueError("site_origin_only guards WebSocket connections only.")
        if (unless is not None and unless(scope)) or origin_allowed(scope):
            return await inner(scope, receive, send)
        return await refuse(receive, send)

    return app


async def refuse(receive: Any, send: Any) -> None:
    """Close the socket before accepting it: the server answers 403 to the handshake."""
    message = await receive()
    if message["type"] == "websocket.connect":
        # Nothing follows a refused handshake, so the application ends here.
        await send({"type": "websocket.close", "code": 1008})  # policy violation
