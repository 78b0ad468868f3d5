"""Frames encoded once for many sockets are the bytes wsproto would send to each."""

from __future__ import annotations

from typing import Any

import pytest
from wsproto.frame_protocol import FrameProtocol

from core.websocket_frames import FrameWriter, text_frame


@pytest.mark.parametrize("size", [0, 1, 125, 126, 65535, 65536, 200_000])
def test_text_frame_matches_wsproto_server_frames(size: int) -> None:
    text = ("đường " * (size // 6 + 1))[:size]
    expected = FrameProtocol(client=False, extensions=[]).send_data(text, fin=True)
    assert text_frame(text) == expected


async def test_a_send_that_is_not_uvicorns_wsproto_gets_no_writer() -> None:
    async def send(message: dict[str, object]) -> None:
        return None

    assert FrameWriter.for_send(send) is None


async def test_an_open_socket_keeps_none_of_its_handshake_but_the_log_in() -> None:
    """A phone's handshake (~700 bytes of headers) stayed in the server for the
    socket's life, three times over: 4.8 KB a socket. After forget_handshake
    only the cookie and the authorization header are left, and the socket still
    reads, writes and closes as before. Real uvicorn protocol, real wsproto,
    real sockets."""
    import asyncio

    from uvicorn.config import Config
    from uvicorn.protocols.websockets.wsproto_impl import WSProtocol
    from uvicorn.server import ServerState
    from websockets.asyncio.client import connect

    from accounts.ws_auth import cookie_value

    seen: dict[str, object] = {}
    closed = asyncio.Event()

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        assert (await receive())["type"] == "websocket.connect"
        await send({"type": "websocket.accept"})
        writer = FrameWriter.for_send(send)
        assert writer is not None
        handshake = writer.protocol.conn.handshake
        seen["before"] = handshake._initiating_request is not None
        writer.forget_handshake()
        seen["request"] = handshake._initiating_request
        seen["parser"] = handshake._h11_connection
        seen["headers"] = list(scope["headers"])
        # What a socket's log-in is read again from, hourly (accounts/ws_auth.py).
        seen["session"] = cookie_value(scope, "sessionid")
        while True:
            message = await receive()
            if message["type"] == "websocket.disconnect":
                seen["closed"] = message["code"]
                closed.set()
                return
            assert writer.write(text_frame("nghe: " + message["text"]))

    config = Config(app=app, ws="wsproto", ws_per_message_deflate=False, lifespan="off")
    config.load()
    state = ServerState()
    loop = asyncio.get_running_loop()
    server = await loop.create_server(
        lambda: WSProtocol(config=config, server_state=state, app_state={}),
        "127.0.0.1",
        0,
    )
    port = server.sockets[0].getsockname()[1]
    cookie = "csrftoken=" + "c" * 32 + "; sessionid=" + "s" * 32 + "; django_language=vi"
    try:
        async with connect(
            f"ws://127.0.0.1:{port}/ws/inbox/",
            additional_headers={"Cookie": cookie, "Accept-Language": "vi-VN,vi;q=0.9"},
            user_agent_header="Mozilla/5.0 (Linux; Android 10; K) Chrome/131.0 Mobile",
        ) as ws:
            await ws.send("xin chào")
            assert await ws.recv() == "nghe: xin chào"
            await ws.send("lần hai")
            assert await ws.recv() == "nghe: lần hai"
        await asyncio.wait_for(closed.wait(), timeout=10)
    finally:
        server.close()
        await server.wait_closed()
    assert seen["before"] is True
    assert seen["request"] is None
    assert seen["parser"] is None
    assert seen["headers"] == [(b"cookie", cookie.encode())]
    assert seen["session"] == "s" * 32
    assert seen["closed"] == 1000
