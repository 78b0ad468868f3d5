"""Frames encoded once for many sockets are the bytes wsproto would send to each."""

from __future__ import annotations

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
