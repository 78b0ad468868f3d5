"""One pushed message to thousands of sockets: encode the frame once, write it to each.

The ASGI way to push is ``await send({"type": "websocket.send", "text": ...})``
per socket, and the server encodes the same WebSocket frame again for each one.
A server-to-client text frame carries no per-socket state (servers never mask,
RFC 6455 5.1; no extension is in use when per-message deflate is off, as
`make run` serves it), so every follower gets the very same bytes. Under
uvicorn's wsproto protocol, ``FrameWriter`` writes those bytes straight to the
socket's transport, with the checks uvicorn's own send makes first.

This reaches into uvicorn's protocol object, which ASGI does not offer; so it
is used only when the server is exactly that protocol with deflate off, and a
socket that is closing, has a full write buffer, or is served by anything else
(Daphne, the test communicator, deflate on) gets ``None`` / ``False`` and goes
the ASGI way. Measured with bench/ws_fanout.py: see the notes of issue 5.
"""

from __future__ import annotations

from typing import Any

from uvicorn.protocols.websockets.wsproto_impl import WSProtocol

# The headers read after the handshake: a socket's log-in is read again from
# them (accounts/ws_auth.py, _credentials).
KEPT_HEADERS = frozenset((b"cookie", b"authorization"))


def text_frame(text: str) -> bytes:
    """A final, unmasked text frame holding ``text`` (RFC 6455 5.2)."""
    payload = text.encode()
    size = len(payload)
    if size < 126:
        header = bytes((0x81, size))
    elif size < 1 << 16:
        header = bytes((0x81, 126)) + size.to_bytes(2, "big")
    else:
        header = bytes((0x81, 127)) + size.to_bytes(8, "big")
    return header + payload


class FrameWriter:
    """Writes ready frames to one socket that uvicorn's wsproto protocol serves."""

    __slots__ = ("protocol",)

    def __init__(self, protocol: Any) -> None:
        self.protocol = protocol

    @classmethod
    def for_send(cls, send: Any) -> FrameWriter | None:
        """The writer for the socket behind an ASGI ``send``, or None (use ``send``)."""
        protocol = getattr(send, "__self__", None)
        if type(protocol) is not WSProtocol:
            return None
        if protocol.config.ws_per_message_deflate:
            return None  # the frame may have to be compressed for this socket
        return cls(protocol)

    def forget_handshake(self) -> None:
        """Free what the server keeps of the handshake once the socket is open.

        uvicorn's wsproto protocol keeps, for the socket's whole life, wsproto's
        handshake request (every header, as sent) and its HTTP/1.1 parser, and
        the scope's own list of the headers. A phone's Chrome sends ~700 bytes of
        them (user agent, languages, every cookie of the site), and all that
        came to 4.8 KB of the socket's memory (tracemalloc, 1,000 handshakes as
        bench/ws_fanout.py --handshake browser sends them). Once accepted, the
        handshake is done with them: wsproto reads frames with its own
        connection object, and this app reads only the cookie and the
        authorization again (accounts/ws_auth.py, when a socket's log-in is read
        again). The scope's list is trimmed in place, since the server and
        every copy of the scope share it.
        """
        protocol = self.protocol
        if not protocol.handshake_complete or protocol.conn.connection is None:
            return
        handshake = protocol.conn.handshake
        for name in ("_initiating_request", "_h11_connection"):
            if hasattr(handshake, name):
                setattr(handshake, name, None)
        headers = protocol.scope.get("headers")
        if isinstance(headers, list):
            headers[:] = [(name, value) for name, value in headers if name in KEPT_HEADERS]

    def write(self, frame: bytes) -> bool:
        """Write ``frame`` now if uvicorn's send would; False: use the ASGI send."""
        protocol = self.protocol
        if (
            not protocol.handshake_complete
            or protocol.close_sent
            or protocol.response_started
            or protocol.disconnected
            or not protocol.writable.is_set()
            or protocol.transport.is_closing()
        ):
            return False
        protocol.transport.write(frame)
        return True
