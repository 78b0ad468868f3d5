"""Helpers for tests of live pushes: channel layers, a private Redis, sessions."""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

from asgiref.testing import ApplicationCommunicator
from django.conf import settings
from django.test import Client

from accounts.models import User

ORIGIN = (b"origin", b"http://127.0.0.1")


def redis_layers(url: str) -> dict[str, Any]:
    """CHANNEL_LAYERS on a real Redis, with a prefix no other test run shares.

    redis-py 8 reads with a 5 s socket timeout by default, the same 5 s that
    channels-redis blocks in BZPOPMIN for, so an idle consumer dies after ~5 s
    with "Timeout reading from ...": the socket timeout must be longer.
    """
    host = {"address": url, "socket_timeout": 15, "socket_connect_timeout": 2}
    return {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": [host], "prefix": f"test-{uuid.uuid4().hex[:8]}"},
        }
    }


def default_redis_layers() -> dict[str, Any]:
    return redis_layers(settings.REDIS_URL)


def session_cookie(user: User) -> str:
    """Log the person in through a real session; return the sessionid value."""
    client = Client()
    client.force_login(user)
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def ws_headers(user: User | None) -> list[tuple[bytes, bytes]]:
    headers = [ORIGIN]
    if user is not None:
        cookie = f"{settings.SESSION_COOKIE_NAME}={session_cookie(user)}"
        headers.append((b"cookie", cookie.encode()))
    return headers


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class PrivateRedis:
    """A throwaway redis-server that a test may stop and start again."""

    directory: Path
    port: int
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        binary = shutil.which("redis-server")
        assert binary, "redis-server is not installed"
        self.process = subprocess.Popen(  # noqa: S603
            [
                binary,
                "--bind",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.directory),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2) as conn:
                    conn.sendall(b"PING\r\n")
                    if conn.recv(16).startswith(b"+PONG"):
                        return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("private redis-server did not start")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None


def private_redis(directory: Path) -> Iterator[PrivateRedis]:
    server = PrivateRedis(directory=directory, port=free_port())
    server.start()
    try:
        yield server
    finally:
        server.stop()


class WebsocketCommunicator(ApplicationCommunicator):
    """channels.testing.WebsocketCommunicator, minus the package import of daphne.

    ``channels.testing`` imports its Daphne live-server helper at package level,
    and daphne is not a dependency here (uvicorn serves ASGI), so the few
    WebSocket shortcuts the tests need sit on asgiref's communicator directly.
    """

    def __init__(
        self, application: Any, path: str, headers: list[tuple[bytes, bytes]] | None = None
    ) -> None:
        parsed = urlparse(path)
        scope = {
            "type": "websocket",
            "path": unquote(parsed.path),
            "query_string": parsed.query.encode(),
            "headers": headers or [],
            "subprotocols": [],
        }
        super().__init__(application, scope)  # type: ignore[no-untyped-call]

    # asgiref's communicator has no annotations; these give mypy the types.
    async def receive_output(self, timeout: float = 1) -> dict[str, Any]:  # noqa: ASYNC109
        result: dict[str, Any] = await super().receive_output(timeout)  # type: ignore[no-untyped-call]
        return result

    async def receive_nothing(self, timeout: float = 0.1, interval: float = 0.01) -> bool:  # noqa: ASYNC109
        nothing: bool = await super().receive_nothing(timeout, interval)  # type: ignore[no-untyped-call]
        return nothing

    async def send_input(self, message: dict[str, Any]) -> None:
        await super().send_input(message)  # type: ignore[no-untyped-call]

    async def wait(self, timeout: float = 1) -> None:  # noqa: ASYNC109
        await super().wait(timeout)  # type: ignore[no-untyped-call]

    async def connect(self, timeout: float = 1) -> tuple[bool, Any]:  # noqa: ASYNC109 - channels' API
        await self.send_input({"type": "websocket.connect"})
        response = await self.receive_output(timeout)
        if response["type"] == "websocket.close":
            return False, response.get("code", 1000)
        assert response["type"] == "websocket.accept"
        return True, response.get("subprotocol")

    async def receive_from(self, timeout: float = 1) -> str:  # noqa: ASYNC109 - channels' API
        """The next text frame as the server wrote it."""
        response = await self.receive_output(timeout)
        assert response["type"] == "websocket.send", response
        text: str = response["text"]
        return text

    async def receive_json_from(self, timeout: float = 1) -> Any:  # noqa: ASYNC109 - channels' API
        return json.loads(await self.receive_from(timeout))

    async def disconnect(self, code: int = 1000, timeout: float = 1) -> None:  # noqa: ASYNC109 - channels' API
        await self.send_input({"type": "websocket.disconnect", "code": code})
        await self.wait(timeout)
