#!/usr/bin/env bash
# Stop what `make run` started: the servers, then the private PostgreSQL and Redis.
set -uo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
RUN="$ROOT/.run"
# The servers `make run` started, by the pids it wrote (never by name: other
# projects on the machine may run the same programs).
if [[ -f "$RUN/serve.pids" ]]; then
  while read -r pid; do kill "$pid" 2>/dev/null; done <"$RUN/serve.pids"
  rm -f "$RUN/serve.pids"
fi
for pidfile in "$RUN/gunicorn.pid" "$RUN/nginx/nginx.pid"; do
  [[ -f "$pidfile" ]] && kill "$(cat "$pidfile")" 2>/dev/null
done
if [[ -f "$RUN/redis/redis.pid" ]]; then
  kill "$(cat "$RUN/redis/redis.pid")" 2>/dev/null && echo "[stop] Redis stopped"
fi
pg_stop() {  # data dir, name
  local bin
  bin="/usr/lib/postgresql/$(cat "$1/PG_VERSION")/bin"
  if [[ $EUID -eq 0 ]]; then
    runuser -u postgres -- "$bin/pg_ctl" -D "$1" -m fast stop >/dev/null 2>&1 && echo "[stop] $2 stopped"
  else
    "$bin/pg_ctl" -D "$1" -m fast stop >/dev/null 2>&1 && echo "[stop] $2 stopped"
  fi
}
# The replica first: it would only keep retrying to reach a stopped primary.
[[ -f "$RUN/pg-replica/data/PG_VERSION" ]] && pg_stop "$RUN/pg-replica/data" "PostgreSQL replica"
[[ -f "$RUN/pg/data/PG_VERSION" ]] && pg_stop "$RUN/pg/data" "PostgreSQL"
exit 0
