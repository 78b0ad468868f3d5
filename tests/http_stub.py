"""A stand-in HTTP gateway on 127.0.0.1 for the adapters of services outside the
machine (SMS gateway, Zalo Official Account): it records each request and
answers as the test tells it, so the real adapter code runs end to end."""

from __future__ import annotations

import contextlib
import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest


@dataclass
class Gateway:
    """Records requests, answers as told (status, body, after a delay)."""

    url: str
    base: str = ""
    status: int = 200
    body: bytes = b'{"id": "gw-1"}'
    delay: float = 0.0
    received: list[dict[str, Any]] = field(default_factory=list)


@pytest.fixture
def gateway() -> Iterator[Gateway]:
    state = Gateway(url="")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            state.received.append(
                {
                    "path": self.path,
                    "authorization": self.headers.get("Authorization"),
                    "content_type": self.headers.get("Content-Type"),
                    # Header names are case-insensitive: kept lower-case.
                    "headers": {k.lower(): v for k, v in self.headers.items()},
                    "json": json.loads(self.rfile.read(length)),
                    # Wall-clock time, to compare with times the database holds.
                    "at": time.time(),
                }
            )
            time.sleep(state.delay)
            # The client may have given up (timeout test) before the answer.
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                self.send_response(state.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(state.body)))
                self.end_headers()
                self.wfile.write(state.body)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.url = f"http://127.0.0.1:{server.server_address[1]}/v1/sms"
    state.base = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield state
    server.shutdown()
    server.server_close()
    thread.join()
