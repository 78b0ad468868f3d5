"""A socket's database calls leave its task's context as it was."""

from __future__ import annotations

import contextvars

from channels.db import database_sync_to_async

from core.socket_database import socket_database

MARK: contextvars.ContextVar[str] = contextvars.ContextVar("mark", default="unset")


def _mark_and_answer() -> int:
    MARK.set("set by the call")
    return 7


async def test_a_call_returns_its_result_and_leaves_the_sockets_context_alone() -> None:
    assert await socket_database(_mark_and_answer)() == 7
    assert MARK.get() == "unset"


async def test_database_sync_to_async_would_have_copied_the_calls_context_back() -> None:
    # Why socket_database exists: the socket's task would keep this for its whole life.
    await database_sync_to_async(_mark_and_answer)()
    assert MARK.get() == "set by the call"
