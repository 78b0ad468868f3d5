"""Voice notes of a case, served only to people who may hear them.

Like private photos (helpdesk/photo_views.py): asked of ``selectors.voice_get``
on each fetch, through X-Accel-Redirect when nginx fronts the app. There is no
public copy of a voice note and no public address for one.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.views.decorators.http import require_GET

from accounts.auth import request_person
from helpdesk import errors
from helpdesk.models import Attachment
from helpdesk.permissions import scope_for
from helpdesk.photo_views import CACHE_CONTROL
from helpdesk.selectors import voice_get
from helpdesk.voice import CONTENT_TYPE


def voice_url(*, attachment: Attachment) -> str:
    return reverse("voice:file", args=[attachment.pk])


@require_GET
def voice_file(request: HttpRequest, voice_id: int) -> HttpResponse | FileResponse:
    try:
        attachment = voice_get(
            scope=scope_for(user=request_person(request)), attachment_id=voice_id
        )
    except errors.CaseNotFound:
        raise Http404 from None
    name = attachment.display
    accel = settings.MEDIA_ACCEL_REDIRECT
    response: HttpResponse | FileResponse
    if accel:
        response = HttpResponse(content_type=CONTENT_TYPE)
        response["X-Accel-Redirect"] = f"{accel}{name}"
    else:
        try:
            # FileResponse answers Range requests, which <audio> uses to seek.
            response = FileResponse(default_storage.open(name, "rb"), content_type=CONTENT_TYPE)
        except FileNotFoundError:
            raise Http404 from None
    response["Cache-Control"] = CACHE_CONTROL
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
