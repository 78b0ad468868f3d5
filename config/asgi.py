"""ASGI entry point: HTTP and WebSockets (Channels) under uvicorn."""

import gc
import os

from django.conf import settings
from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

# Django must be set up before anything imports models, so the HTTP app is
# built first and the WebSocket routing imported after it.
django_asgi_app = get_asgi_application()

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402

from accounts.ws_auth import PersonMiddleware, sends_bearer_key  # noqa: E402
from config.routing import websocket_urlpatterns  # noqa: E402
from core.gc_probe import gc_probe_install  # noqa: E402
from core.ws_origin import site_origin_only  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        # A bearer token (mobile apps), else the session cookie (pages), whose
        # sockets must come from one of the site's origins (scheme, host, port).
        "websocket": site_origin_only(
            PersonMiddleware(URLRouter(websocket_urlpatterns)), unless=sends_bearer_key
        ),
    }
)

# Each open socket keeps ~100 tracked objects alive for as long as it stays
# open, so the full (oldest generation) collection, which walks all of them,
# grows with the sockets. With Python's thresholds (700, 10, 10) it ran 11-14
# times per process while 10,000 sockets connected, 327-381 ms each, ~2.2-2.6 s
# in all; with (10000, 10, 10) it ran 0-1 times (396 ms, once), and the
# younger collections took at most 70-117 ms (bench/ws_fanout.py --sockets
# 10000 --workers 2, with a gc.callbacks probe; README "Scaling"). Cyclic
# garbage waits a little longer to be freed: a young collection comes every
# 10,000 new objects, not 700.
if settings.WS_GC_THRESHOLDS is not None:
    gc.set_threshold(*settings.WS_GC_THRESHOLDS)
if settings.GC_PROBE_DIR:
    gc_probe_install(settings.GC_PROBE_DIR)
