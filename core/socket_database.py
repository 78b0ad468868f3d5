"""Database work for a WebSocket, in a context the socket does not keep afterwards.

channels' ``database_sync_to_async`` (asgiref's ``SyncToAsync``) runs the call
in a copy of the calling task's contextvars and then sets every one of them
back into the task's context (``asgiref.sync._restore_context``), re-homing
each ``asgiref.local`` storage as a new object. A socket's task lives as long
as the socket, and its context carries one such storage per URL resolver
(``URLResolver._local``) plus the active translation: after its connect-time
calls an idle socket kept ~60 fresh storage objects and a context tree of its
own, ~4.7 KiB of the ~31 KiB tracemalloc counted per socket. Nothing a socket
does afterwards reads what those calls set (URL resolver state, the
translation a session chose), so here each call runs in its own copy of the
context, dropped when it returns, and the socket's task keeps the context it
was started with, shared with every other socket.
"""

from __future__ import annotations

import contextvars
from collections.abc import Awaitable, Callable

from channels.db import database_sync_to_async


def socket_database[**P, R](func: Callable[P, R]) -> Callable[P, Awaitable[R]]:
    """``func`` on the database thread, as ``database_sync_to_async`` would run it,
    without carrying its context changes back into the socket's task."""

    async def call(*args: P.args, **kwargs: P.kwargs) -> R:
        run = database_sync_to_async(func, context=contextvars.copy_context())
        result: R = await run(*args, **kwargs)
        return result

    return call
