#!/usr/bin/env bash
# Install what is missing and start the project's private services.
#
#   scripts/provision.sh [--browser]
#
# Safe to run again and again: every step checks before it acts, so a second
# run takes seconds. System packages come from apt (as root, or through sudo);
# PostgreSQL+PostGIS and Redis run as private servers under .run/ on
# project-specific ports, unless DATABASE_URL / REDIS_URL point elsewhere.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
RUN="$ROOT/.run"
PG_PORT="${XADESK_PG_PORT:-55432}"
REDIS_PORT="${XADESK_REDIS_PORT:-56379}"
PG_REPLICA_PORT="${XADESK_PG_REPLICA_PORT:-$((PG_PORT + 1))}"
WANT_BROWSER=0
[[ "${1:-}" == "--browser" ]] && WANT_BROWSER=1

say() { printf '\033[1;34m[provision]\033[0m %s\n' "$*"; }
die() { printf '\033[1;31m[provision]\033[0m %s\n' "$*" >&2; exit 1; }

as_root() {
  if [[ $EUID -eq 0 ]]; then "$@"
  elif command -v sudo >/dev/null; then sudo "$@"
  else die "Need root or sudo to install: $*"
  fi
}

APT_UPDATED=0
apt_install() {
  [[ $# -eq 0 ]] && return 0
  command -v apt-get >/dev/null || die "apt-get not found; install these by hand: $*"
  if [[ $APT_UPDATED -eq 0 ]]; then
    say "apt-get update"
    as_root apt-get update -qq
    APT_UPDATED=1
  fi
  say "installing: $*"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

have_pkg() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep "install ok installed" >/dev/null; }

# --- system packages -------------------------------------------------------
system_packages() {
  local missing=()
  # gdal-bin pulls the GDAL, GEOS and PROJ libraries under whatever names this
  # Debian/Ubuntu release gives them; skip it when GDAL is already loadable.
  # grep without -q reads all of ldconfig's output: with -q it stops early and
  # pipefail turns ldconfig's SIGPIPE into "missing", reinstalling every run.
  ldconfig -p | grep 'libgdal\.so' >/dev/null || missing+=(gdal-bin)
  ldconfig -p | grep 'libgeos_c\.so' >/dev/null || missing+=(gdal-bin)
  command -v msgfmt >/dev/null || missing+=(gettext)
  command -v redis-server >/dev/null || missing+=(redis-server)
  if [[ -z "${DATABASE_URL:-}" ]]; then
    ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing+=(postgresql)
  fi
  command -v nginx >/dev/null || missing+=(nginx-light)
  command -v curl >/dev/null || missing+=(curl ca-certificates)
  if [[ $WANT_BROWSER -eq 1 ]]; then
    command -v chromium >/dev/null || missing+=(chromium)
  fi
  # shellcheck disable=SC2207
  missing=($(printf '%s\n' "${missing[@]}" | sort -u))
  apt_install "${missing[@]}"
  if [[ -z "${DATABASE_URL:-}" ]]; then
    PG_VERSION="$(ls /usr/lib/postgresql | sort -n | tail -1)"
    PG_BIN="/usr/lib/postgresql/$PG_VERSION/bin"
    have_pkg "postgresql-$PG_VERSION-postgis-3" || apt_install "postgresql-$PG_VERSION-postgis-3"
  fi
}

# --- python ----------------------------------------------------------------
find_python() {
  local candidates=("${PYTHON:-}" python3.13 python3.12 python3)
  local pyenv_root="${PYENV_ROOT:-$HOME/.pyenv}"
  for v in 3.13.0 3.12.1; do candidates+=("$pyenv_root/versions/$v/bin/python3"); done
  for c in "${candidates[@]}"; do
    [[ -z "$c" ]] && continue
    if command -v "$c" >/dev/null 2>&1 &&
       "$c" -c 'import sys, venv; sys.exit(0 if sys.version_info >= (3, 12) else 1)' 2>/dev/null; then
      command -v "$c"; return 0
    fi
  done
  return 1
}

python_env() {
  local stamp="$ROOT/.venv/.installed"
  local want
  want="$(cat "$ROOT/pyproject.toml" "$ROOT/requirements/lock.txt" | sha256sum | cut -d' ' -f1)"
  if [[ ! -x "$ROOT/.venv/bin/python" ]]; then
    local py
    py="$(find_python)" || {
      apt_install python3.12 python3.12-venv 2>/dev/null || true
      py="$(find_python)" || die "Python >= 3.12 is required (set PYTHON=/path/to/python3.12)."
    }
    say "creating .venv with $("$py" --version)"
    "$py" -m venv "$ROOT/.venv"
  fi
  if [[ "$(cat "$stamp" 2>/dev/null)" != "$want" ]]; then
    say "installing Python dependencies (pinned)"
    "$ROOT/.venv/bin/pip" install -q --upgrade pip
    "$ROOT/.venv/bin/pip" install -q --only-binary=:all: -c "$ROOT/requirements/lock.txt" -e "$ROOT[dev]"
    echo "$want" >"$stamp"
  fi
}

# --- postgresql ------------------------------------------------------------
pg_as_owner() {
  if [[ $EUID -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi
}

postgres_cluster() {
  if [[ -n "${DATABASE_URL:-}" ]]; then
    say "using DATABASE_URL from the environment; no private cluster"
    return 0
  fi
  local data="$RUN/pg/data" sock="$RUN/pg"
  mkdir -p "$RUN/pg"
  [[ $EUID -eq 0 ]] && chown postgres:postgres "$RUN/pg"
  if [[ ! -f "$data/PG_VERSION" ]]; then
    say "initialising a private PostgreSQL $PG_VERSION cluster in .run/pg"
    pg_as_owner "$PG_BIN/initdb" -D "$data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
  fi
  if ! pg_as_owner "$PG_BIN/pg_ctl" -D "$data" status >/dev/null 2>&1; then
    say "starting PostgreSQL on 127.0.0.1:$PG_PORT"
    pg_as_owner "$PG_BIN/pg_ctl" -D "$data" -l "$RUN/pg/server.log" -w start \
      -o "-p $PG_PORT -k $sock -c listen_addresses=127.0.0.1 -c jit=off -c fsync=${XADESK_PG_FSYNC:-on}" >/dev/null
  fi
  local psql=("$PG_BIN/psql" -h 127.0.0.1 -p "$PG_PORT" -U postgres -v ON_ERROR_STOP=1 -qAt)
  # PostGIS is not a trusted extension: it is created in template1 by the
  # superuser so every database made from it (tests' included) inherits it and
  # the app role needs no superuser rights.
  "${psql[@]}" -d template1 -c "CREATE EXTENSION IF NOT EXISTS postgis" >/dev/null
  "${psql[@]}" -d postgres -c "DO \$\$BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname='xadesk') THEN CREATE ROLE xadesk LOGIN CREATEDB PASSWORD 'xadesk'; END IF; END\$\$;"
  if [[ "$("${psql[@]}" -d postgres -c "SELECT 1 FROM pg_database WHERE datname='xadesk'")" != "1" ]]; then
    "${psql[@]}" -d postgres -c "CREATE DATABASE xadesk OWNER xadesk"
  fi
}

# --- postgresql streaming replica ------------------------------------------
system_id() {
  pg_as_owner "$PG_BIN/pg_controldata" "$1" | sed -n 's/^Database system identifier: *//p'
}

# A hot standby of the private cluster (officer lists, dashboards and public
# maps read from it: core/db_routing.py). Its URL is left in
# .run/pg-replica/url, which scripts/serve.sh and `make test` hand on.
postgres_replica() {
  [[ -n "${DATABASE_URL:-}" ]] && return 0
  local data="$RUN/pg-replica/data" sock="$RUN/pg-replica"
  local ctl=("$PG_BIN/pg_ctl" -D "$data")
  mkdir -p "$sock"
  [[ $EUID -eq 0 ]] && chown postgres:postgres "$sock"
  # initdb's trust setup allows local replication; a cluster whose pg_hba was
  # edited may not, and pg_basebackup needs it.
  local psql=("$PG_BIN/psql" -h 127.0.0.1 -p "$PG_PORT" -U postgres -d postgres -v ON_ERROR_STOP=1 -qAt)
  if [[ -z "$("${psql[@]}" -c "SELECT 1 FROM pg_hba_file_rules WHERE 'replication' = ANY(database) AND type = 'host' AND address = '127.0.0.1' LIMIT 1")" ]]; then
    say "allowing local replication in the private cluster's pg_hba.conf"
    echo "host replication postgres 127.0.0.1/32 trust" >>"$RUN/pg/data/pg_hba.conf"
    "${psql[@]}" -c "SELECT pg_reload_conf()" >/dev/null
  fi
  # A replica of an earlier primary (the cluster was initialised again since)
  # can never catch up with the new one: clone it again.
  if [[ -f "$data/PG_VERSION" && "$(system_id "$data")" != "$(system_id "$RUN/pg/data")" ]]; then
    say "the primary was initialised again: cloning the replica again"
    pg_as_owner "${ctl[@]}" -m fast stop >/dev/null 2>&1 || true
    rm -rf "$data"
  fi
  if [[ ! -f "$data/PG_VERSION" ]]; then
    say "cloning a streaming replica of the private cluster into .run/pg-replica"
    # The slot of a replica that is gone would keep WAL on the primary forever.
    "${psql[@]}" -c "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = 'xadesk_replica' AND NOT active" >/dev/null
    # -R writes standby.signal and primary_conninfo; -X stream copies the WAL
    # made during the copy, so the clone starts consistent. The slot (-C -S)
    # makes the primary keep WAL until the replica has it: without one a
    # replica that fell behind a busy primary (or was stopped) found its next
    # segment removed and never caught up again.
    pg_as_owner "$PG_BIN/pg_basebackup" -h 127.0.0.1 -p "$PG_PORT" -U postgres -D "$data" \
      -R -X stream -c fast -C -S xadesk_replica
  fi
  if ! pg_as_owner "${ctl[@]}" status >/dev/null 2>&1; then
    say "starting the PostgreSQL replica on 127.0.0.1:$PG_REPLICA_PORT"
    pg_as_owner "${ctl[@]}" -l "$sock/server.log" -w start \
      -o "-p $PG_REPLICA_PORT -k $sock -c listen_addresses=127.0.0.1 -c jit=off -c fsync=${XADESK_PG_FSYNC:-on}" >/dev/null
  fi
  echo "postgis://xadesk:xadesk@127.0.0.1:$PG_REPLICA_PORT/xadesk" >"$sock/url"
}

# --- redis -----------------------------------------------------------------
redis_server() {
  if [[ -n "${REDIS_URL:-}" ]]; then
    say "using REDIS_URL from the environment; no private Redis"
    return 0
  fi
  mkdir -p "$RUN/redis"
  if ! redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1; then
    say "starting Redis on 127.0.0.1:$REDIS_PORT"
    redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --save '' --appendonly no --daemonize yes \
      --pidfile "$RUN/redis/redis.pid" --logfile "$RUN/redis/redis.log" --dir "$RUN/redis"
    for _ in $(seq 50); do redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1 && break; sleep 0.1; done
  fi
}

system_packages
python_env
postgres_cluster
postgres_replica
redis_server
say "ready"
