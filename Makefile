# ECM developer commands. Every target installs what it needs first (scripts/setup.sh, fast
# when nothing changed) and finds or starts PostgreSQL and Redis (scripts/services.sh).
#
#   make run                 app on http://127.0.0.1:8000/ (HOST=, PORT=) + Celery worker and beat
#   make test                ruff, ruff format --check, mypy, then pytest (PYTEST_ARGS="...")
#   make lint                ruff and mypy only
#   make format              ruff format and ruff check --fix, in place
#   make clean-local         stop the project-local services and delete .local (their data)
#   make backup              archive of the database + stored documents in backups/ (BACKUP_DIR=, KEEP_DAYS=)
#   make restore FILE=...    restore an archive into an EMPTY database and media folder (FORCE=1 replaces)
#   make bench               every page at national scale against its floor B -> bench-results/latest.json (BENCH_ARGS="--scale 0.05")
#   make loadtest            gunicorn + locust, every role, 200 users, 5 minutes -> bench-results/loadtest.json (LOADTEST_ARGS="--users 50 --minutes 1")
#   ECM_LOCAL_SERVICES=1 make ...   use project-local PostgreSQL and Redis even if others run

SHELL := /bin/bash
.DEFAULT_GOAL := help

HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_ARGS ?=
BACKUP_DIR ?= backups
KEEP_DAYS ?=
FILE ?=
FORCE ?=
BENCH_ARGS ?=
LOADTEST_ARGS ?=
BIN := .venv/bin

export HOST PORT

.PHONY: help setup run test lint format clean-local backup restore bench loadtest

help:
	@sed -n 's/^#   //p' $(firstword $(MAKEFILE_LIST))

setup:
	@scripts/setup.sh

run: setup
	@scripts/services.sh scripts/run_all.sh

# Runs every check even when one fails, so one run shows all problems; fails if any failed.
test: setup
	@scripts/services.sh scripts/test.sh $(PYTEST_ARGS)

lint: setup
	@scripts/test.sh --lint-only

# Fixes first (e.g. import order), then formatting; what cannot be fixed is listed, `make lint` fails on it.
format: setup
	$(BIN)/ruff check --fix --exit-zero .
	$(BIN)/ruff format .

clean-local:
	@scripts/services.sh --clean-local

# manage.py backup/restore (config/backups.py) against the database scripts/services.sh provides.
backup: setup
	@scripts/services.sh $(BIN)/python manage.py backup --output-dir "$(BACKUP_DIR)" $(if $(KEEP_DAYS),--keep-days $(KEEP_DAYS))

restore: setup
	@if [[ -z "$(FILE)" ]]; then echo "usage: make restore FILE=backups/ecm-YYYYmmdd-HHMMSS.tar [FORCE=1]" >&2; exit 2; fi
	@scripts/services.sh $(BIN)/python manage.py restore "$(FILE)" $(if $(FORCE),--force)

# manage.py bench (devtools/bench/): seeds the national dataset into its own database (ecm_bench) the
# first time and reuses it after, then times every page against its floor B in one run.
bench: setup
	@scripts/services.sh $(BIN)/python manage.py bench $(BENCH_ARGS)

# manage.py loadtest (devtools/loadtest/): on the bench database (seeded as `make bench` does), a gunicorn with
# 2 workers on a free loopback port; the caseload against its floor B in requests per second, then locust
# headless with every role's journey. Stops gunicorn and locust at the end, Ctrl-C included.
loadtest: setup
	@scripts/services.sh $(BIN)/python manage.py loadtest $(LOADTEST_ARGS)
