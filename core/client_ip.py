"""The client's address, for per-IP limits and logs: the one place it is read.

X-Forwarded-For is written by whoever sends the request, so it says something
only when the peer is a proxy we run (settings.TRUSTED_PROXIES): a client that
reached gunicorn directly could otherwise send any address and escape the
per-IP limit on one-time codes (issue 18, finding 5). Proxies append to the
header, so the addresses they wrote are at its right end; the client's own
entries, left of them, are whatever it chose. The client is therefore the
right-most address that is not one of our proxies.

``unix`` in the list trusts requests that arrived over a Unix socket (the
server reports no peer address for them). `make run` puts gunicorn and uvicorn
on Unix sockets in a folder only nginx's workers may enter (scripts/serve.sh):
any program on the machine can open a TCP connection to a loopback port and
send an X-Forwarded-For of its choosing, so 127.0.0.1 proves nothing.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence
from functools import lru_cache

from django.conf import settings
from django.http import HttpRequest

# In TRUSTED_PROXIES: requests that came over a Unix socket (no peer address).
UNIX = "unix"
Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=8)
def _networks(proxies: tuple[str, ...]) -> tuple[Network, ...]:
    # config/settings.py has already refused entries that are not networks.
    return tuple(ipaddress.ip_network(proxy, strict=False) for proxy in proxies)


def _address(value: str) -> Address | None:
    try:
        address = ipaddress.ip_address(value.strip())
    except ValueError:
        return None
    # A dual-stack listener reports IPv4 peers as ::ffff:a.b.c.d.
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def forwarded_client(*, peer: str, forwarded_for: str, proxies: Sequence[str]) -> str:
    """The client behind ``peer``, given the X-Forwarded-For it sent.

    ``forwarded_for`` is the header's value, several headers joined with commas
    (as WSGI servers join them). Returns ``peer`` unless it is a trusted proxy.
    """
    networks = _networks(tuple(p for p in proxies if p != UNIX))

    def trusted(address: Address) -> bool:
        return any(address in network for network in networks)

    nearest = _address(peer)
    if nearest is None:
        # No peer address: the request came over a Unix socket (or the server
        # did not say). Believed only when our proxies are listed as "unix".
        if peer or UNIX not in proxies:
            return peer
    elif not trusted(nearest):
        return peer
    known = peer
    for hop in reversed(forwarded_for.split(",")):
        address = _address(hop)
        if address is None:
            # Not an address our proxies would write: from here leftwards the
            # header is the client's, so the last proxy is all that is known.
            break
        known = str(address)
        if not trusted(address):
            break
    return known


def client_ip(request: HttpRequest) -> str:
    """The address the request came from, as far as our proxies can tell."""
    return forwarded_client(
        peer=str(request.META.get("REMOTE_ADDR", "")),
        forwarded_for=request.META.get("HTTP_X_FORWARDED_FOR", ""),
        proxies=settings.TRUSTED_PROXIES,
    )
