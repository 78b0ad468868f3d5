#!/usr/bin/env bash
# Migrate, load the demo data once, and serve XaDesk on http://127.0.0.1:${XADESK_PORT:-8000}.
#
# nginx on the public port sends /ws/ to uvicorn (ASGI: WebSockets) and the
# rest to gunicorn (WSGI: pages and API). Measured here, sync WSGI workers
# serve plain HTTP about five times faster than one ASGI worker, and a
# WebSocket needs ASGI, so each protocol gets the server that is good at it.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# Its own folder for a second site on this machine (bench/page_weight.py --serve
# serves `make run`'s stack beside it); .run/ otherwise. The settings read the
# same variable (config/settings.py RUN_DIR: static and media files, the demo
# SMS, the heartbeats), so the app writes where nginx below reads.
RUN="${XADESK_RUN_DIR:-$ROOT/.run}"
export XADESK_RUN_DIR="$RUN"
cd "$ROOT"
PORT="${XADESK_PORT:-8000}"
# Two cores here: 3 sync workers served 1,012-1,190 lookups/s (wrk, c=8) where 4
# served 868-958, the extra worker only adding context switches.
HTTP_WORKERS="${XADESK_HTTP_WORKERS:-3}"
# One uvicorn process per core, each on its own Unix socket (.run/sockets/ws-N.sock);
# nginx hands new sockets to them in turn. Each process subscribes once per
# case and writes the pushed frame to its own sockets, so a push to 5,000
# followers is split over the cores (bench/ws_fanout.py --workers 1 2).
WS_WORKERS="${XADESK_WS_WORKERS:-$(nproc)}"
# The in-memory channel layer reaches only its own process.
[[ "${CHANNEL_LAYER:-redis}" == "memory" ]] && WS_WORKERS=1
PY="$ROOT/.venv/bin/python"

say() { printf '\033[1;32m[run]\033[0m %s\n' "$*"; }

mkdir -p "$RUN/nginx"
# One `make run` per checkout: a second would take the first one's sockets away.
if [[ -f "$RUN/serve.pids" ]] && kill -0 "$(head -n1 "$RUN/serve.pids")" 2>/dev/null; then
  echo "XaDesk is already running from this folder (pid $(head -n1 "$RUN/serve.pids"));" \
    "stop it with Ctrl+C or 'make stop' first." >&2
  exit 1
fi
# A demo secret, made once and kept out of git; production sets its own.
[[ -f "$RUN/secret_key" ]] || "$PY" -c "import secrets; print(secrets.token_urlsafe(50))" >"$RUN/secret_key"
export DJANGO_SECRET_KEY="${DJANGO_SECRET_KEY:-$(cat "$RUN/secret_key")}"
export DJANGO_DEBUG="${DJANGO_DEBUG:-false}"
export DJANGO_SECURE_COOKIES="${DJANGO_SECURE_COOKIES:-false}"
export DJANGO_ALLOWED_HOSTS="${DJANGO_ALLOWED_HOSTS:-127.0.0.1,localhost}"
# nginx reaches gunicorn and uvicorn over Unix sockets that only its workers
# may open (below): X-Forwarded-For is read only from those (core/client_ip.py).
# A loopback port would not do: any program on the machine can connect to one.
export DJANGO_TRUSTED_PROXIES="${DJANGO_TRUSTED_PROXIES:-unix}"
export SMS_BACKEND="${SMS_BACKEND:-file}"
# A demo: one-time codes land in .run/sms.jsonl, email is printed. Production
# refuses such backends unless told (config/settings.py).
export XADESK_ALLOW_DEMO_BACKENDS="${XADESK_ALLOW_DEMO_BACKENDS:-true}"
export EMAIL_MODE="${EMAIL_MODE:-console}"
export DJANGO_CSRF_TRUSTED_ORIGINS="${DJANGO_CSRF_TRUSTED_ORIGINS:-http://127.0.0.1:$PORT,http://localhost:$PORT}"
# nginx forwards Host without the port, so the socket Origin check
# (core/ws_origin.py) is told the site's origins, port included.
export DJANGO_SITE_ORIGINS="${DJANGO_SITE_ORIGINS:-$DJANGO_CSRF_TRUSTED_ORIGINS}"
# Private photos: the app checks who asks, then nginx sends the file from its
# internal /_media/ location (scripts/nginx.conf.in).
export XADESK_MEDIA_ACCEL_REDIRECT="${XADESK_MEDIA_ACCEL_REDIRECT:-/_media/}"

# The private cluster's streaming replica (scripts/provision.sh), unless the
# database is elsewhere or a replica is named.
if [[ -z "${DATABASE_URL:-}" && -z "${DATABASE_REPLICA_URL:-}" && -f "$RUN/pg-replica/url" ]]; then
  export DATABASE_REPLICA_URL="$(cat "$RUN/pg-replica/url")"
fi

say "migrating"
"$PY" manage.py migrate --noinput -v 0
"$PY" manage.py collectstatic --noinput -v 0
"$PY" manage.py load_demo

pids=()
cleanup() {
  trap - INT TERM EXIT
  say "stopping servers"
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup INT TERM EXIT

# The app servers listen on Unix sockets in a folder that only nginx's
# workers may enter: a program on this machine that reached gunicorn could
# otherwise send an X-Forwarded-For of its choosing and escape the per-IP
# limits. A socket's path must fit in 108 bytes; a deep checkout uses /tmp.
SOCK_DIR="$RUN/sockets"
(( ${#RUN} > 80 )) && SOCK_DIR="$(mktemp -d /tmp/xadesk-sockets.XXXXXX)"
mkdir -p "$SOCK_DIR"
NGINX_USER_LINE=""
if [[ $EUID -eq 0 ]]; then
  # nginx started by root runs its workers as nobody: they (group nogroup)
  # may enter the folder and, by its setgid bit, open the sockets in it.
  NGINX_USER_LINE="user nobody nogroup;"
  chown root:nogroup "$SOCK_DIR"
  chmod 2750 "$SOCK_DIR"
else
  chmod 0700 "$SOCK_DIR"  # nginx then runs as this same user
fi
rm -f "$SOCK_DIR/http.sock"
# --limit-request-line: as long as nginx lets through (8 KB), so that nginx
# alone refuses a longer one, with a sentence (gunicorn's 4 KB default gave
# its own HTML page for a long API query).
.venv/bin/gunicorn config.wsgi:application --bind "unix:$SOCK_DIR/http.sock" --umask 007 \
  --workers "$HTTP_WORKERS" --worker-class sync --error-logfile - --limit-request-line 8190 \
  --pid "$RUN/gunicorn.pid" &
pids+=($!)
if [[ $EUID -eq 0 ]]; then
  # gunicorn gives its socket its own group (root); nginx's workers need theirs.
  for _ in $(seq 100); do [[ -S "$SOCK_DIR/http.sock" ]] && break; sleep 0.1; done
  chgrp nogroup "$SOCK_DIR/http.sock"
fi
# No permessage-deflate: browsers offer it and each socket then keeps zlib
# state; bench/ws_fanout.py at 1,000 idle sockets: 79 -> 47 KiB per socket and
# p50 310 -> 107 ms per pushed event (the events are small JSON). wsproto: at
# 5,000 sockets 40 vs 51 KiB per socket and ~20% less CPU than `websockets`;
# and with wsproto and no deflate a pushed frame is encoded once for all the
# sockets of a process (core/websocket_frames.py).
# --ws-max-size: clients send these sockets nothing to read (core/group_socket.py
# drops any frame); uvicorn's default let a client make it parse 16 MiB frames.
# Followers' sockets: several thousand per process need as many descriptors.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
ws_servers=""
for i in $(seq 0 $((WS_WORKERS - 1))); do
  # nginx reaches them over Unix sockets: every pushed frame crosses that hop
  # once per follower, and a Unix socket skips the loopback TCP stack.
  rm -f "$SOCK_DIR/ws-$i.sock"
  .venv/bin/uvicorn config.asgi:application --uds "$SOCK_DIR/ws-$i.sock" \
    --no-access-log --log-level warning --lifespan off --ws wsproto --ws-per-message-deflate false \
    --ws-max-size 4096 &
  pids+=($!)
  ws_servers+="server unix:$SOCK_DIR/ws-$i.sock; "
done
# Sends queued email/SMS/Zalo notifications and the daily digests; safe to run
# several of these (rows are claimed with SKIP LOCKED).
"$PY" manage.py run_delivery_worker &
pids+=($!)
# Report photos accepted by filings: decoded, resized and stripped here, off
# the request (helpdesk/photo_jobs.py); safe to run several (SKIP LOCKED).
# One per core, at low CPU priority: filings (a person waits) go first and
# the photos fill the gaps, every core once intake calms down.
for _ in $(seq "${XADESK_PHOTO_WORKERS:-$(nproc)}"); do
  "$PY" manage.py run_photo_worker &
  pids+=($!)
done
# Periodic jobs (helpdesk/schedule.py): resolved cases nobody reopened close
# after 7 days, and photo files a process killed before its commit left behind
# (no attachment names them) are deleted after a day (XADESK_ORPHAN_GRACE_HOURS);
# each every hour (XADESK_SCHEDULE_*_SECONDS). A failed job is logged and tried
# again at its next interval; a database outage is waited out (core/worker_loop.py).
"$PY" manage.py run_scheduler &
pids+=($!)

sed -e "s#@PORT@#$PORT#g" -e "s#@HTTP_SOCKET@#$SOCK_DIR/http.sock#g" \
    -e "s#@WS_SERVERS@#$ws_servers#g" -e "s#@USER_LINE@#$NGINX_USER_LINE#g" \
    -e "s#@RUN@#$RUN#g" -e "s#@STATIC@#$RUN/static#g" -e "s#@MEDIA@#$RUN/media#g" \
    -e "s#@NGINX_SHARED@#$ROOT/scripts#g" \
    "$ROOT/scripts/nginx.conf.in" >"$RUN/nginx/nginx.conf"
nginx -p "$RUN/nginx" -c "$RUN/nginx/nginx.conf" -e stderr &
pids+=($!)

for _ in $(seq 100); do
  curl -fsS -o /dev/null "http://127.0.0.1:$PORT/healthz" 2>/dev/null && break
  sleep 0.2
done
cat <<TXT

  XaDesk is running.
    Residents          http://127.0.0.1:$PORT/
    Officer console    http://127.0.0.1:$PORT/console/
    Public map         http://127.0.0.1:$PORT/reports/map/
    Admin              http://127.0.0.1:$PORT/admin/
    API docs           http://127.0.0.1:$PORT/api/v1/docs
    Health             http://127.0.0.1:$PORT/healthz
    One-time login codes (demo SMS) .run/sms.jsonl
  Stop with Ctrl-C here, and 'make stop' to stop PostgreSQL and Redis too.

TXT
"$PY" manage.py load_demo --print-accounts
# `make stop` (scripts/stop.sh) ends exactly these, and nothing else on the machine.
printf '%s\n' "$$" "${pids[@]}" >"$RUN/serve.pids"
wait -n "${pids[@]}"
