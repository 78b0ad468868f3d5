"""X-Forwarded-For is believed only from our proxies (issue 18, finding 5)."""

from __future__ import annotations

import pytest

from core.client_ip import forwarded_client

PROXY = ["127.0.0.1"]


@pytest.mark.parametrize(
    ("peer", "header", "proxies", "client"),
    [
        # A client that reaches gunicorn directly writes what it likes: ignored.
        ("203.0.113.7", "198.51.100.1", PROXY, "203.0.113.7"),
        ("203.0.113.7", "198.51.100.1", [], "203.0.113.7"),
        # From our nginx: the address nginx appended, not the client's own entries.
        ("127.0.0.1", "198.51.100.1, 203.0.113.7", PROXY, "203.0.113.7"),
        # Two proxies of ours in a row: the first address that is not one of them.
        ("10.0.0.2", "203.0.113.7, 10.0.0.3", ["10.0.0.0/8"], "203.0.113.7"),
        # The proxy sent no header: it is all that is known.
        ("127.0.0.1", "", PROXY, "127.0.0.1"),
        # Garbage in the header stops the walk at the last proxy.
        ("127.0.0.1", "not-an-address", PROXY, "127.0.0.1"),
        # IPv4 peers of a dual-stack listener.
        ("::ffff:127.0.0.1", "203.0.113.7", PROXY, "203.0.113.7"),
    ],
)
def test_forwarded_for_is_read_only_from_trusted_proxies(
    peer: str, header: str, proxies: list[str], client: str
) -> None:
    assert forwarded_client(peer=peer, forwarded_for=header, proxies=proxies) == client


@pytest.mark.parametrize(
    ("peer", "header", "proxies", "client"),
    [
        # nginx over the Unix socket of make run: its entry is the client.
        ("", "198.51.100.1, 203.0.113.7", ["unix"], "203.0.113.7"),
        # A program on the machine reaching a loopback port is not nginx.
        ("127.0.0.1", "198.51.100.1", ["unix"], "127.0.0.1"),
        # A Unix-socket peer is not trusted unless "unix" is listed.
        ("", "198.51.100.1", ["127.0.0.1"], ""),
    ],
)
def test_unix_socket_peers_are_trusted_only_when_listed(
    peer: str, header: str, proxies: list[str], client: str
) -> None:
    assert forwarded_client(peer=peer, forwarded_for=header, proxies=proxies) == client
