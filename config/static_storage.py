"""Collected scripts and stylesheets are minified; the sources keep their comments.

The comments in static/ say why each script does what it does, and they were
about a third of what a phone downloaded (the report form's first load was
62.7 KB against its 60 KB target, bench/page_weight.py). collectstatic now
writes each script and stylesheet of ours minified (rjsmin, rcssmin: comments
and needless spaces out, nothing renamed or reordered), then hashes it as
before. Vendored libraries (static/geo/vendor/) come already minified and are
left as they are, license comments included, as are Django's own (the admin);
"/*!" comments of ours are kept too.

While developing and in the tests (DEBUG) the sources are served as they are,
so tests/config/test_static_minify.py checks that every minified script parses
to the same program as its source.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import rcssmin
import rjsmin
from django.conf import settings
from django.contrib.staticfiles.storage import ManifestStaticFilesStorage
from django.core.files.base import ContentFile
from django.core.files.storage import Storage

# What the minified bytes depend on besides the sources: the minifiers and
# this file. config/pwa.py puts it in the service worker's version.
_THIS_FILE = hashlib.sha256(Path(__file__).read_bytes()).hexdigest()[:12]
MINIFIER_VERSION = f"{rjsmin.__version__} {rcssmin.__version__} {_THIS_FILE}"


def minifiable(name: str) -> bool:
    """Whether the static file ``name`` is one of ours to minify."""
    if "/vendor/" in f"/{name}" or name.endswith((".min.js", ".min.css")):
        return False
    return name.endswith((".js", ".css"))


def minified(name: str, text: str) -> str:
    """``text``, the content of the static file ``name``, minified."""
    if name.endswith(".css"):
        return str(rcssmin.cssmin(text, keep_bang_comments=True))
    return str(rjsmin.jsmin(text, keep_bang_comments=True))


def _ours(storage: Storage) -> bool:
    location = getattr(storage, "location", None)
    return location is not None and Path(location).resolve() in {
        Path(folder).resolve() for folder in settings.STATICFILES_DIRS
    }


class MinifiedManifestStaticFilesStorage(ManifestStaticFilesStorage):
    """Django's hashed names and manifest, over minified copies of our files."""

    def post_process(
        self, *args: Any, **kwargs: Any
    ) -> Iterator[tuple[str, str, bool] | tuple[str, None, RuntimeError]]:
        # collectstatic calls post_process(paths, dry_run=..., ...).
        paths: dict[str, tuple[Storage, str]] = args[0] if args else kwargs.pop("paths")
        dry_run = args[1] if len(args) > 1 else kwargs.get("dry_run", False)
        if not dry_run:
            paths = {name: self._minify(name, source) for name, source in paths.items()}
        yield from super().post_process(paths, *args[1:], **kwargs)

    def _minify(self, name: str, source: tuple[Storage, str]) -> tuple[Storage, str]:
        storage, path = source
        # Ours only: Django's admin scripts are modern JavaScript that a
        # minifier of ES5 should not be trusted with, and they are no phone's.
        if not minifiable(name) or not _ours(storage):
            return source
        with storage.open(path) as original:
            text = original.read().decode("utf-8")
        # collectstatic has copied the source here; the copy becomes the
        # minified one, which the hashing then reads (read from the source
        # each time, so a second collectstatic gives the same file).
        self.delete(name)
        self.save(name, ContentFile(minified(name, text).encode("utf-8")))
        return (self, name)
