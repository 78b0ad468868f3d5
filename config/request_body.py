"""A request body that ends before its Content-Length is an error, not a shorter request.

gunicorn hands the app what arrived when the connection closes part-way
through the body, with no error (its LengthReader returns the bytes it got),
and nginx does close it part-way: a phone that goes away after uploading,
while nginx is still passing the buffered body on, makes nginx drop the
connection to gunicorn (proxy_ignore_client_abort is off). Django's multipart
parser then drops the cut-off part without a word, so a report sent with two
photos was filed with one, under the phone's Idempotency-Key: the phone's
retry of the whole report was refused as other content (409), and a photo was
lost (bench/retry_storm.py: 18 of 200 flaky submissions).

CompleteBodyMiddleware wraps ``wsgi.input`` so that reading past the end of
what arrived raises BodyCutShort, a MultiPartParserError: the form is
unreadable (400 ``malformed_request``, config/body_limits.py and
config/api.py), nothing is filed, and the retry files the whole report. A JSON
body cut short fails the same way. Under uvicorn (ASGI) Django reads the whole
body before any view and raises RequestAborted on a disconnect instead.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import IO
from wsgiref.types import StartResponse, WSGIApplication, WSGIEnvironment

from django.http.multipartparser import MultiPartParserError


class BodyCutShort(MultiPartParserError):
    """The connection ended before the body's declared Content-Length."""


class CompleteBody:
    """``wsgi.input`` that raises BodyCutShort at an end before ``length`` bytes."""

    def __init__(self, stream: IO[bytes], length: int) -> None:
        self._stream = stream
        self._remaining = length

    def read(self, size: int | None = -1) -> bytes:
        if size is None or size < 0:
            return self._counted(self._stream.read(), ended=True)
        data = self._stream.read(size)
        # A short read is not an end in itself; an empty one (or a read of
        # everything that stops short) is.
        return self._counted(data, ended=size != 0 and not data)

    def readline(self, size: int | None = -1) -> bytes:
        data = self._stream.readline(-1 if size is None else size)
        return self._counted(data, ended=size != 0 and not data)

    def __iter__(self) -> Iterator[bytes]:
        while line := self.readline():
            yield line

    def _counted(self, data: bytes, *, ended: bool) -> bytes:
        self._remaining -= len(data)
        if ended and self._remaining > 0:
            raise BodyCutShort(f"The body ended {self._remaining} bytes before its length.")
        return data


class CompleteBodyMiddleware:
    """WSGI middleware: give the app a ``wsgi.input`` that cannot end early unnoticed."""

    def __init__(self, app: WSGIApplication) -> None:
        self.app = app

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0  # Django reads no body then either
        if length > 0:
            environ["wsgi.input"] = CompleteBody(environ["wsgi.input"], length)
        return self.app(environ, start_response)
