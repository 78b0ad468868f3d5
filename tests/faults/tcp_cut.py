"""A TCP relay in front of PostgreSQL that a test can cut, like a restart would.

The app under test connects to the relay instead of the database. ``cut()``
closes every relayed connection and stops accepting new ones (the server is
gone: connection refused), ``restore()`` listens again on the same port.
``cut_after_next(b"COMMIT\\x00")`` lets the next COMMIT reach the server and
then drops its connection before the answer comes back, as a network that
fails at that moment does: the change is saved, the client cannot know. Any
other statement may be named instead, to fail a transaction before its COMMIT;
the COMMIT may also be lost on its way, or the server refuse new connections
from then on (``cut_after_next``'s options). The database
itself, shared with the rest of the suite, is never touched.
"""

from __future__ import annotations

import contextlib
import socket
import threading

from django.db import connection


class TcpCut:
    def __init__(self, *, target: tuple[str, int]) -> None:
        self.target = target
        self._lock = threading.Lock()
        self._pairs: list[tuple[socket.socket, socket.socket]] = []
        self._listener: socket.socket | None = None
        self._cut_after: bytes | None = None
        self._delivered = True
        self._then_refuse = False
        self._following: bytes | None = None
        self.cut_done = threading.Event()
        probe = socket.socket()
        probe.bind(("127.0.0.1", 0))
        self.port: int = probe.getsockname()[1]
        probe.close()
        self.restore()

    def restore(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(64)
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def cut(self) -> None:
        """Drop every connection and refuse new ones, as a stopped server does."""
        with self._lock:
            listener, self._listener = self._listener, None
            pairs, self._pairs = self._pairs, []
        if listener is not None:
            _listener_close(listener)
        for client, server in pairs:
            for end in (client, server):
                with contextlib.suppress(OSError):
                    end.shutdown(socket.SHUT_RDWR)
                end.close()

    def close(self) -> None:
        self.cut()

    def cut_after_next(
        self,
        statement: bytes,
        *,
        delivered: bool = True,
        then_refuse: bool = False,
        following: bytes | None = None,
    ) -> None:
        """Drop the connection that next sends ``statement`` (bytes of its SQL).

        ``delivered=False``: the statement itself is lost on the way, so the
        server never runs it. ``then_refuse``: new connections are refused from
        then on (the server is gone too), until ``restore()``. ``following``:
        only a ``statement`` sent after this one on the same connection counts
        (the COMMIT of the transaction that wrote a given table).
        """
        self._delivered = delivered
        self._then_refuse = then_refuse
        self._following = following
        self._cut_after = statement

    def refuse(self) -> None:
        """Refuse new connections; the ones open go on."""
        with self._lock:
            listener, self._listener = self._listener, None
        if listener is not None:
            _listener_close(listener)

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return  # cut: the listener was closed
            try:
                server = socket.create_connection(self.target, timeout=5)
            except OSError:
                client.close()
                continue
            server.settimeout(None)
            with self._lock:
                if self._listener is not listener:
                    client.close()
                    server.close()
                    return
                self._pairs.append((client, server))
            answers_dropped = threading.Event()
            threading.Thread(
                target=self._requests, args=(client, server, answers_dropped), daemon=True
            ).start()
            threading.Thread(
                target=self._answers, args=(server, client, answers_dropped), daemon=True
            ).start()

    def _requests(
        self, client: socket.socket, server: socket.socket, answers_dropped: threading.Event
    ) -> None:
        """Client to server; when armed, the connection ends right after its statement."""
        seen: set[bytes] = set()  # the ``following`` statements this connection sent
        with contextlib.suppress(OSError):
            while chunk := client.recv(65536):
                # psycopg sends each statement in a Parse message: its text, NUL-ended.
                statement, following = self._cut_after, self._following
                cut = (
                    statement is not None
                    and statement in chunk
                    and (following is None or following in seen)
                )
                if following is not None and following in chunk:
                    seen.add(following)
                if cut:
                    self._cut_after = None
                    answers_dropped.set()  # before the server can answer it
                if cut and self._then_refuse:
                    self.refuse()  # before the client can notice and reconnect
                if not cut or self._delivered:
                    server.sendall(chunk)
                if cut:
                    # The server reads the COMMIT (if delivered), then the end of
                    # its stream (FIN, not a reset, so nothing it has received is
                    # lost); the client's end closes with no answer relayed to it.
                    # Marked done first: the client may see its connection
                    # gone, answer, and be asked whether the cut came, at once.
                    self.cut_done.set()
                    client.shutdown(socket.SHUT_RDWR)
                    server.shutdown(socket.SHUT_WR)
                    return
        self._end(client, server)

    @staticmethod
    def _answers(server: socket.socket, client: socket.socket, dropped: threading.Event) -> None:
        with contextlib.suppress(OSError):
            while chunk := server.recv(65536):
                if not dropped.is_set():
                    client.sendall(chunk)
        TcpCut._end(server, client)

    @staticmethod
    def _end(source: socket.socket, sink: socket.socket) -> None:
        for end in (source, sink):
            with contextlib.suppress(OSError):
                end.shutdown(socket.SHUT_RDWR)


def _listener_close(listener: socket.socket) -> None:
    # A thread blocked in accept() keeps a closed listener listening on Linux
    # (the port then still takes connections and cannot be bound again);
    # shutting it down first wakes that thread.
    with contextlib.suppress(OSError):
        listener.shutdown(socket.SHUT_RDWR)
    listener.close()


class Relayed:
    """The test process's database connection, through a relay until ``direct()``."""

    def __init__(self) -> None:
        database = connection.settings_dict  # the same dict as settings.DATABASES's
        self.address = (database["HOST"], database["PORT"])
        self.relay = TcpCut(target=(database["HOST"], int(database["PORT"])))
        connection.close()
        database["HOST"], database["PORT"] = "127.0.0.1", self.relay.port

    def direct(self) -> None:
        connection.close()
        connection.settings_dict["HOST"], connection.settings_dict["PORT"] = self.address
        self.relay.close()
