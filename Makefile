# XaDesk: two commands do everything on a fresh Debian/Ubuntu machine.
#   make run   provision, migrate, load demo data, serve on http://127.0.0.1:8000
#   make test  provision (with Chromium), then lint, types, migration check, import contracts,
#              tests, and the browser tests in a second pytest run
#   make bench  provision, then the benchmark suite (bench/run_all.py): one table,
#               bench/RESULTS.md; BENCH_CASES=1000000 for the full-size queue
#   make backup                      one archive of the database and media in $(BACKUP_DIR)/
#   make restore FILE=... [FORCE=1]  restore one into the configured database and media
SHELL := /bin/bash
.ONESHELL:
.SHELLFLAGS := -euo pipefail -c
PY := .venv/bin/python
MANAGE := $(PY) manage.py

BACKUP_DIR ?= backups

.PHONY: run test bench bench-faults setup stop lint types check-migrations contracts pytest messages \
	lock clean backup restore

ifneq ($(filter restore,$(MAKECMDGOALS)),)
ifeq ($(FILE),)
$(error Usage: make restore FILE=backups/xadesk-<time>.tar [FORCE=1])
endif
endif

# The management commands below need the settings, which need the secret key
# that `make run` keeps in .run/ (made here if missing, as scripts/serve.sh does).
define secret_key
mkdir -p .run
[[ -f .run/secret_key ]] || $(PY) -c "import secrets; print(secrets.token_urlsafe(50))" >.run/secret_key
export DJANGO_SECRET_KEY="$${DJANGO_SECRET_KEY:-$$(cat .run/secret_key)}"
endef

setup:
	bash scripts/provision.sh
	$(MAKE) --no-print-directory messages

messages:
	# Compiled catalogues are build output (git-ignored), rebuilt when a .po is newer.
	for po in locale/*/LC_MESSAGES/*.po; do
	  mo="$${po%.po}.mo"
	  if [[ ! -f "$$mo" || "$$po" -nt "$$mo" ]]; then msgfmt --check -o "$$mo" "$$po"; fi
	done

run: setup
	bash scripts/serve.sh

BENCH_CASES ?= 100000

# Not part of `make test`: minutes of load, figures rather than pass/fail
# (except a bench's own checks: lost deliveries, failed agreement).
bench: setup
	$(secret_key)
	$(PY) bench/run_all.py --cases $(BENCH_CASES) $(if $(BENCH_ONLY),--only $(BENCH_ONLY))

stop:
	bash scripts/stop.sh

# Safe while `make run` serves: the dump and the counts come from one snapshot.
# DATABASE_URL and DJANGO_MEDIA_ROOT from the environment are honoured.
backup: setup
	$(secret_key)
	$(MANAGE) create_backup --output-dir "$(BACKUP_DIR)"

# Stop the servers first (Ctrl-C on `make run`); PostgreSQL must keep running.
restore: setup
	$(secret_key)
	$(MANAGE) restore_backup "$(FILE)" $(if $(filter 1 true,$(FORCE)),--force)

lint:
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .

types:
	DJANGO_DEBUG=true .venv/bin/mypy .

check-migrations:
	DJANGO_DEBUG=true $(MANAGE) makemigrations --check --dry-run

contracts:
	.venv/bin/lint-imports

pytest:
	# Two runs: the browser tests keep an asyncio loop running (sync Playwright),
	# which breaks pytest-asyncio tests that come after them in the same process.
	# The replica tests (tests/core/test_db_routing.py) read the test database
	# through the private cluster's streaming replica. Not DATABASE_REPLICA_URL:
	# the servers tests start inherit the environment and must use the test database.
	if [[ -z "$${DATABASE_URL:-}" && -z "$${XADESK_TEST_REPLICA_URL:-}" && -f .run/pg-replica/url ]]; then
	  export XADESK_TEST_REPLICA_URL="$$(cat .run/pg-replica/url)"
	fi
	DJANGO_DEBUG=true .venv/bin/pytest -m "not browser"
	DJANGO_DEBUG=true .venv/bin/pytest -m browser tests/browser

test:
	# setup, plus Chromium for the browser tests
	bash scripts/provision.sh --browser
	$(MAKE) --no-print-directory messages lint types check-migrations contracts pytest

bench-faults:
	# Reliability benches against a running `make run` (README, "Tests and
	# benchmarks"), which must have the per-IP abuse limits off: every request
	# comes from 127.0.0.1. Modest sizes; the README gives the full runs.
	$(PY) bench/retry_storm.py --submissions 300 --clients 16
	$(PY) bench/soak.py --minutes 10 --sockets 500

lock:
	# Refreeze the transitive set after changing a pin in pyproject.toml.
	.venv/bin/pip freeze --exclude-editable | grep -v '^-e' > requirements/lock.new
	{ echo '# Frozen transitive set for pyproject.toml (dev extras included); regenerate with `make lock`.'; cat requirements/lock.new; } > requirements/lock.txt
	rm requirements/lock.new
