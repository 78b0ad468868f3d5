# syntax=docker/dockerfile:1
# XaDesk image. Three stages:
#   base   Python deps, source, compiled messages, collected static files
#   proxy  nginx with the collected static files baked in (compose: target proxy)
#   app    the default target: base + non-root user + entrypoint
# The app stage is last so a plain `docker build .` produces the app image.

FROM python:3.12-slim-bookworm AS base

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=config.settings \
    DJANGO_STATIC_ROOT=/app/staticfiles \
    DJANGO_MEDIA_ROOT=/data/media

# GeoDjango needs GDAL, GEOS and PROJ at run time (Django finds them without
# GDAL_LIBRARY_PATH); gettext provides msgfmt for compilemessages.
RUN apt-get update \
 && apt-get install -y --no-install-recommends libgdal32 libgeos-c1v5 libproj25 gettext \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /app

# Dependencies first so source edits do not reinstall them. `-e .` installs
# pyproject's [project] dependencies (the runtime set; no [dev] extras), each
# held to the frozen version in requirements/lock.txt. `packages = []` in
# pyproject means nothing but pyproject.toml is needed for this step.
COPY pyproject.toml ./
COPY requirements/lock.txt requirements/lock.txt
RUN pip install --only-binary=:all: -c requirements/lock.txt -e .

COPY . .

# Settings refuse to load without a secret key when DEBUG is off; this one
# exists only for these two build commands and is not kept in the image.
# locale/ and static/ may be absent from a fresh clone (git keeps no empty
# directories); compilemessages refuses to run without any locale directory.
RUN mkdir -p locale static \
 && DJANGO_SECRET_KEY=build-only-not-a-secret python manage.py compilemessages --ignore=.git \
 && DJANGO_SECRET_KEY=build-only-not-a-secret python manage.py collectstatic --noinput


FROM nginx:1.27-alpine AS proxy
COPY docker/nginx.conf /etc/nginx/conf.d/default.conf
# What nginx answers itself (413, 414, 400), shared with make run's nginx; not in
# conf.d, whose files the image includes whole at the http level.
COPY scripts/nginx-refusal-maps.conf scripts/nginx-refusals.conf /etc/nginx/xadesk/
COPY --from=base /app/staticfiles /srv/static


FROM base AS app

# Runs as an unprivileged user. It writes to /data/media (media on disk, when
# run without S3) and /tmp (the workers' heartbeats, XADESK_RUN_DIR in compose).
RUN useradd --system --uid 10001 --user-group --home-dir /app --no-create-home xadesk \
 && mkdir -p /data/media \
 && chown xadesk:xadesk /data/media \
 && chmod 0755 docker/entrypoint.sh
USER xadesk

EXPOSE 8001 8002
ENTRYPOINT ["/app/docker/entrypoint.sh"]
CMD ["web"]
