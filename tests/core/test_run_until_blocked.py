"""Pushes run each socket's send in place, and only a send that has to wait becomes a task."""

from __future__ import annotations

import asyncio

import pytest

from core.group_socket import run_until_blocked


async def test_a_send_that_never_waits_finishes_in_place() -> None:
    done: list[str] = []

    async def send() -> None:
        done.append("sent")

    assert run_until_blocked(send()) is None
    assert done == ["sent"]


async def test_a_send_that_waits_resumes_when_awaited_and_returns_its_value() -> None:
    writable = asyncio.Event()
    steps: list[str] = []

    async def send() -> str:
        steps.append("before")
        await writable.wait()
        steps.append("after")
        return "written"

    rest = run_until_blocked(send())
    assert rest is not None
    assert steps == ["before"]
    task = asyncio.ensure_future(rest)
    await asyncio.sleep(0)
    assert not task.done()
    writable.set()
    assert await task == "written"
    assert steps == ["before", "after"]


async def test_errors_before_and_after_waiting_reach_the_caller() -> None:
    async def closed() -> None:
        raise ConnectionResetError("gone")

    with pytest.raises(ConnectionResetError):
        run_until_blocked(closed())

    gate = asyncio.Event()

    async def fails_later() -> None:
        await gate.wait()
        raise ConnectionResetError("gone later")

    rest = run_until_blocked(fails_later())
    assert rest is not None
    task = asyncio.ensure_future(rest)
    gate.set()
    with pytest.raises(ConnectionResetError):
        await task


async def test_cancelling_the_waiting_rest_cancels_the_send() -> None:
    cleaned: list[str] = []

    async def send() -> None:
        try:
            await asyncio.Event().wait()
        finally:
            cleaned.append("cleaned")

    rest = run_until_blocked(send())
    assert rest is not None
    task = asyncio.ensure_future(rest)
    await asyncio.sleep(0)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert cleaned == ["cleaned"]
