"""ASGI entry point: HTTP and WebSockets (Channels) under uvicorn."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

# Django must be set up before anything imports models, so the HTTP app is
# built first and the WebSocket routing imported after it.
django_asgi_app = get_asgi_application()

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402

from accounts.ws_auth import PersonMiddleware, sends_bearer_key  # noqa: E402
from config.routing import websocket_urlpatterns  # noqa: E402
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
