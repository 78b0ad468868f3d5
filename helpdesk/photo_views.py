"""Photos of a case, served only to people who may see them.

nginx serves ``/media/public/`` (approved copies) and nothing else of the media
folder; every other photo goes through this view, which asks
``selectors.photo_get`` on each fetch, so a withdrawn approval or a transfer
takes effect at once (issue 18, finding 3). With
``XADESK_MEDIA_ACCEL_REDIRECT`` set, nginx sends the file after the check
(X-Accel-Redirect to an internal location) and no app worker streams it.
With the media in an S3 bucket (core/media_storage.py) the answer is instead a
redirect to a presigned address that expires after XADESK_S3_SIGNED_SECONDS.
"""

from __future__ import annotations

import mimetypes

from django.conf import settings
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.views.decorators.http import require_GET

from accounts.auth import request_person
from core.media_outage import media_open
from core.media_storage import media_signed_only, media_signed_url
from helpdesk import errors
from helpdesk.models import Attachment
from helpdesk.permissions import scope_for
from helpdesk.photo_publishing import VARIANTS
from helpdesk.selectors import photo_get

# A person's own photos change rarely, but access can be withdrawn: let their
# browser keep a copy for an hour and no shared cache keep one at all. Apps
# fetch with their bearer key, pages with the session cookie.
CACHE_CONTROL = "private, max-age=3600"
# A redirect to a presigned address is kept by no cache at all: the address
# expires within minutes, and a copy would outlive a withdrawn access.
REDIRECT_CACHE_CONTROL = "private, no-store"


def private_media_response(*, name: str, content_type: str) -> HttpResponse | None:
    """The redirect to a presigned address of ``name``, or None on a local folder."""
    url = media_signed_url(name=name, content_type=content_type)
    if url is None:
        return None
    response = HttpResponseRedirect(url)
    response["Cache-Control"] = REDIRECT_CACHE_CONTROL
    return response


@require_GET
def photo_file(
    request: HttpRequest, attachment_id: int, variant: str
) -> HttpResponse | FileResponse:
    if variant not in VARIANTS:
        raise Http404
    try:
        attachment = photo_get(
            scope=scope_for(user=request_person(request)), attachment_id=attachment_id
        )
    except errors.CaseNotFound:
        raise Http404 from None
    if attachment.state != Attachment.State.READY:
        # No served image yet (or never): the pages show a placeholder instead.
        raise Http404
    name = attachment.display if variant == "display" else attachment.thumbnail
    content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    redirect = private_media_response(name=name, content_type=content_type)
    if redirect is not None:
        return redirect
    accel = settings.MEDIA_ACCEL_REDIRECT
    response: HttpResponse | FileResponse
    if accel:
        response = HttpResponse(content_type=content_type)
        response["X-Accel-Redirect"] = f"{accel}{name}"
    else:
        try:
            response = FileResponse(media_open(default_storage, name), content_type=content_type)
        except FileNotFoundError:
            raise Http404 from None
    response["Cache-Control"] = CACHE_CONTROL
    return response


# The redirect to a public copy's fresh signature may be kept briefly by
# anyone: well inside the signature's life, and a withdrawn copy is deleted.
PUBLIC_REDIRECT_CACHE_CONTROL = "public, max-age=60"


@require_GET
def public_photo_file(request: HttpRequest, attachment_id: int, variant: str) -> HttpResponse:
    """An approved public copy in a bucket's ``signed`` mode: a redirect to a
    fresh signed address (photo_publishing.photo_public_url hands this out).

    Anyone may fetch it, as anyone may fetch ``/media/public/`` on a folder;
    only the public copies are ever signed here, never an original.
    """
    if variant not in VARIANTS:
        raise Http404
    attachment = (
        Attachment.objects.filter(pk=attachment_id, public_approved_at__isnull=False)
        .only("public_thumbnail", "public_display")
        .first()
    )
    if attachment is None:
        raise Http404
    name = attachment.public_thumbnail if variant == "thumbnail" else attachment.public_display
    if not name or not media_signed_only(name):
        # On a folder the web server serves /media/public/; in public-read
        # mode the page holds the bucket's plain address.
        raise Http404
    response = HttpResponseRedirect(str(default_storage.url(name)))
    response["Cache-Control"] = PUBLIC_REDIRECT_CACHE_CONTROL
    return response
