"""Voice notes of a case, served only to people who may hear them.

Like private photos (helpdesk/photo_views.py): asked of ``selectors.voice_get``
on each fetch, through X-Accel-Redirect when nginx fronts the app, or a
redirect to a presigned address when the media are in a bucket (the bucket
then answers the player's Range requests). There is no public copy of a voice
note and no public address for one.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from django.conf import settings
from django.core.files.storage import default_storage
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.views.decorators.http import require_GET

from accounts.auth import request_person
from core.api_fields import uploads_of
from core.media_outage import media_open
from helpdesk import errors
from helpdesk.models import Attachment
from helpdesk.permissions import scope_for
from helpdesk.photo_views import CACHE_CONTROL, private_media_response
from helpdesk.selectors import voice_get
from helpdesk.voice import CONTENT_TYPE, max_bytes
from helpdesk.voice_errors import AudioTooLarge, TooManyVoiceNotes

# One range only ("bytes=10-", "bytes=10-20", "bytes=-500"): what <audio> asks.
_RANGE = re.compile(r"bytes=(\d*)-(\d*)")


def voice_upload(request: HttpRequest) -> bytes | None:
    """The one voice note of a request (form or API part ``voice``), or None.

    Refused before it is read when it is too big or there are several.
    """
    uploads = uploads_of(request, "voice", request.FILES.getlist("voice"))
    if len(uploads) > 1:
        raise TooManyVoiceNotes()
    if not uploads:
        return None
    upload = uploads[0]
    if upload.size is not None and upload.size > max_bytes():
        raise AudioTooLarge(max_bytes=max_bytes(), size=upload.size)
    data: bytes = upload.read()
    return data or None


def voice_url(*, attachment: Attachment) -> str:
    return reverse("voice:file", args=[attachment.pk])


@require_GET
def voice_file(request: HttpRequest, voice_id: int) -> HttpResponse:
    try:
        attachment = voice_get(
            scope=scope_for(user=request_person(request)), attachment_id=voice_id
        )
    except errors.CaseNotFound:
        raise Http404 from None
    name = attachment.display
    redirect = private_media_response(name=name, content_type=CONTENT_TYPE)
    if redirect is not None:
        return redirect
    accel = settings.MEDIA_ACCEL_REDIRECT
    response: HttpResponse
    if accel:
        response = HttpResponse(content_type=CONTENT_TYPE)
        response["X-Accel-Redirect"] = f"{accel}{name}"
    else:
        try:
            with media_open(default_storage, name) as file:
                # At most a few hundred KB (2 minutes at ~24 kbit/s).
                data = file.read()
        except FileNotFoundError:
            raise Http404 from None
        response = _ranged(data, request.headers.get("Range", ""))
    response["Cache-Control"] = CACHE_CONTROL
    return response


def _ranged(data: bytes, header: str) -> HttpResponse:
    """The file, or the one byte range asked for (206).

    Browsers read an Ogg file's length from its last page, fetched with a
    Range request: without one, <audio> shows no duration and cannot seek
    (nginx answers ranges itself when it sends the file).
    """
    size = len(data)
    match = _RANGE.fullmatch(header.strip())
    if match is None:
        response = HttpResponse(data, content_type=CONTENT_TYPE)
        response["Accept-Ranges"] = "bytes"
        return response
    first, last = match.groups()
    if first:
        start, end = int(first), min(int(last) if last else size - 1, size - 1)
    elif last:
        start, end = max(size - int(last), 0), size - 1
    else:
        start, end = 1, 0  # "bytes=-": no range at all
    if start > end or start >= size:
        response = HttpResponse(status=416)
        response["Content-Range"] = f"bytes */{size}"
        return response
    response = HttpResponse(data[start : end + 1], status=206, content_type=CONTENT_TYPE)
    response["Content-Range"] = f"bytes {start}-{end}/{size}"
    response["Accept-Ranges"] = "bytes"
    return response


def voice_notes_shown(notes: Iterable[Attachment]) -> list[dict[str, object]]:
    """What a case page shows of each voice note the person may hear."""
    return [
        {
            "url": voice_url(attachment=note),
            "created_at": note.created_at,
            "length": _length(note.duration_ms or 0),
            # On a reply: an officer's answer; without an event: the report's own.
            "answer": note.event_id is not None,
        }
        for note in notes
    ]


def _length(ms: int) -> str:
    seconds = round(ms / 1000)
    return f"{seconds // 60}:{seconds % 60:02d}"
