#!/usr/bin/env bash
# Container entry point: wait for the database, migrate, then start one role.
#
#   entrypoint.sh web      gunicorn (WSGI: pages and the API) on :8001
#   entrypoint.sh ws       uvicorn (ASGI: WebSockets) on :8002
#   entrypoint.sh setup    migrate, import the 2025 boundaries, load demo data; exits
#   entrypoint.sh CMD...   anything else, e.g. `python manage.py shell`, or the
#                          loops of compose's worker, photo-worker and scheduler
#                          (`python manage.py run_delivery_worker`, ...), which
#                          wait out a database that is not up yet themselves
#
# XADESK_MIGRATE (true/false, default true) lets web/ws migrate on start when
# the image runs on its own. docker-compose.yml sets it to false there: the
# one-shot `setup` service migrates before web and ws start, so two servers
# never run migrate at the same moment.
# XADESK_DB_WAIT_SECONDS (default 60) bounds the wait for the database.
# WEB_CONCURRENCY (read by gunicorn and uvicorn themselves) sets the workers.
set -euo pipefail

manage() { python /app/manage.py "$@"; }

wait_for_db() {
  python /app/docker/wait_for_db.py --timeout "${XADESK_DB_WAIT_SECONDS:-60}"
}

maybe_migrate() {
  case "${XADESK_MIGRATE:-true}" in
    true | 1) manage migrate --noinput ;;
    false | 0) ;;
    *) echo "XADESK_MIGRATE=${XADESK_MIGRATE} is not a boolean: use true, false, 1 or 0." >&2; exit 2 ;;
  esac
}

role="${1:-web}"
case "$role" in
  web)
    wait_for_db
    maybe_migrate
    # --limit-request-line: what nginx lets through (docker/nginx.conf), as
    # scripts/serve.sh says why.
    exec gunicorn config.wsgi:application \
      --bind 0.0.0.0:8001 \
      --workers "${WEB_CONCURRENCY:-2}" \
      --worker-tmp-dir /dev/shm \
      --limit-request-line 8190 \
      --no-control-socket \
      --forwarded-allow-ips '*' \
      --access-logfile -
    ;;
  ws)
    wait_for_db
    maybe_migrate
    # Channels broadcasts go through Redis, so more than one worker is safe.
    exec uvicorn config.asgi:application \
      --host 0.0.0.0 \
      --port 8002 \
      --proxy-headers \
      --forwarded-allow-ips '*' \
      --ws wsproto \
      --ws-per-message-deflate false \
      --ws-max-size 4096 \
      --no-server-header
    ;;
  setup)
    wait_for_db
    manage migrate --noinput
    # Both commands must be safe to run again: setup runs on every `compose up`.
    manage import_boundaries --commit
    manage load_demo
    ;;
  *)
    exec "$@"
    ;;
esac
