"""WSGI entry point: serves plain HTTP (pages and the API) under gunicorn."""

import gc
import importlib
import os

from django.core.wsgi import get_wsgi_application

from config.request_body import CompleteBodyMiddleware

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

# A body cut short by a dropped connection is refused, not read as a shorter
# form (config/request_body.py).
application = CompleteBodyMiddleware(get_wsgi_application())

# gunicorn imports this module in each worker after the fork (no --preload)
# and before the worker accepts a request, so what the first request would
# otherwise pay for is done here (bench/cold_start.py): the URLconf, whose
# import builds every app's views and the ninja API with its schemas, and the
# batch-lookup index (geo/warmup.py). Not in config/asgi.py: make run and
# docker compose send only /ws/ to uvicorn, whose processes would hold the
# index without ever using it.
from django.conf import settings  # noqa: E402

from geo.warmup import commune_index_warm  # noqa: E402

importlib.import_module(settings.ROOT_URLCONF)
commune_index_warm()


# What is loaded by now lives as long as the worker. Python's full (oldest
# generation) garbage collection walks every tracked object each time it runs:
# with the URLconf, the API schemas and the commune index loaded that was
# 100-220 ms, and it struck about one request in ten of the queue API at
# 1,000,000 cases (p50 25 ms, p95 95-104 ms; bench/queue_scale.py). Frozen
# objects are left out of every collection; what requests create is still
# collected as before.
gc.collect()
gc.freeze()
