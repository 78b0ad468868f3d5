"""Build the batch-lookup index when an app worker boots, not on its first request.

The first batch lookup of each fresh gunicorn worker used to build the
in-process index (geo/index.py) itself: about 1.3 s for all of Vietnam's
communes, paid by whichever client came first. config/wsgi.py calls
``commune_index_warm`` once the app is loaded and before gunicorn's worker
takes its first request. It never stops a worker from starting: with no
boundaries imported, the database down, or a build slower than the time
allowed, the worker boots without the index and the first batch builds it,
as before.
"""

from __future__ import annotations

import logging
import threading
import time

from django.conf import settings
from django.db import connection

from geo.index import commune_index_get
from geo.models import AdminUnit, BoundaryPiece
from geo.selectors import boundary_version_current_id

logger = logging.getLogger(__name__)


def commune_index_preload() -> int:
    """Build the index for the newest boundary version; return its commune count.

    Returns 0, building nothing, when no commune boundary is imported yet.
    """
    if not BoundaryPiece.objects.filter(level=AdminUnit.Level.COMMUNE).exists():
        return 0
    index = commune_index_get(version_id=boundary_version_current_id(max_age=0))
    return len(index.matches)


def commune_index_warm(*, timeout: float | None = None) -> bool:
    """Preload the index, waiting at most ``timeout`` seconds; True if it is ready.

    The build runs in a thread of its own so that a database that does not
    answer (no connect timeout is set) cannot hold up the boot: after the
    timeout the worker starts anyway, and a request that needs the index
    waits for the build in progress (geo/index.py's lock) rather than start
    another.
    """
    if timeout is None:
        timeout = float(getattr(settings, "WARM_INDEX_SECONDS", 10))
    if timeout <= 0:
        return False
    started = time.monotonic()
    outcome: list[int] = []

    def build() -> None:
        try:
            outcome.append(commune_index_preload())
        except Exception:
            # Whatever went wrong (database down, a bad row), the worker must
            # still start; the first batch lookup will try again and answer
            # with the real error.
            logger.warning("Commune index not built at boot", exc_info=True)
        finally:
            connection.close()  # this thread's own connection

    thread = threading.Thread(target=build, name="commune-index-warmup", daemon=True)
    thread.start()
    thread.join(timeout)
    elapsed = time.monotonic() - started
    if thread.is_alive():
        logger.warning(
            "Commune index still building after %.1f s; the worker starts without waiting",
            elapsed,
        )
        return False
    if not outcome:
        return False
    if outcome[0] == 0:
        logger.info("No commune boundaries imported yet: the lookup index is built later")
        return False
    logger.info("Commune lookup index ready at boot: %d communes in %.2f s", outcome[0], elapsed)
    return True
