"""config.asgi, plus the static files (which nginx serves in production)."""

from django.contrib.staticfiles.handlers import ASGIStaticFilesHandler

from config.asgi import application as site

application = ASGIStaticFilesHandler(site)
