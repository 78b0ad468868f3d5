"""config.asgi, plus the static files (which nginx serves in production)."""

from typing import Any

from django.contrib.staticfiles.handlers import ASGIStaticFilesHandler
from django.core.signals import request_started

from config.asgi import application as site  # sets Django up: import models after it

from django.contrib.contenttypes.models import ContentType  # isort: skip


def _forget_content_types(**_kwargs: Any) -> None:
    # Each transactional test flushes the database under this long-lived server,
    # and the flush recreates django_content_type with new ids; the cached ids
    # would then point nowhere (an officer's act wrote an audit row naming a
    # deleted content type, after another test had run). A deployment never
    # renumbers its content types, so only this test server forgets them.
    ContentType.objects.clear_cache()


request_started.connect(_forget_content_types)

application = ASGIStaticFilesHandler(site)
