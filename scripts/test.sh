#!/usr/bin/env bash
# The project's checks: ruff, ruff format --check, mypy, then pytest with the given arguments.
# Every check runs even if an earlier one failed, so one run shows every problem; the exit
# status is non-zero if any failed. `make test` runs this under scripts/services.sh.
#
#   scripts/test.sh [PYTEST_ARGS...]   all checks (pytest needs DATABASE_URL and REDIS_URL)
#   scripts/test.sh --lint-only        ruff and mypy only (no services needed)
set -uo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT" || exit 1
BIN="$ROOT/.venv/bin"

failed=()
check() {
    local name="$1"
    shift
    printf '\n== %s\n' "$name"
    local started=$SECONDS
    if "$@"; then
        printf '== %s: ok (%d s)\n' "$name" $((SECONDS - started))
    else
        printf '== %s: FAILED (status %d, %d s)\n' "$name" $? $((SECONDS - started))
        failed+=("$name")
    fi
}

lint_only=0
if [[ "${1:-}" == "--lint-only" ]]; then
    lint_only=1
    shift
fi

# Asked for the whole suite (no test paths given), pytest runs as three shards at once, each with its own
# test database and Redis database: the browser tests (mostly waiting on Chromium and the live server), the
# fault tests with the suite's longest single tests (mostly waiting on servers, workers and subprocesses), and
# everything else (mostly CPU). On two cores that takes about 60% of the time of one run.
# ECM_TEST_SHARDS=1 runs the suite in one process.
names_paths() {
    local arg
    for arg in "$@"; do
        [[ "$arg" == tests* || "$arg" == *::* || "$arg" == *.py ]] && return 0
    done
    return 1
}

shard() {  # shard NAME REDIS_DB PYTEST_ARGS...: one pytest on its own databases, lines prefixed
    local name="$1" redis_db="$2"
    shift 2
    local database_url="${DATABASE_URL%/*}/${DATABASE_URL##*/}_$name"
    DATABASE_URL="$database_url" TEST_REDIS_URL="${REDIS_URL%/*}/$redis_db" \
        "$BIN/pytest" "$@" 2>&1 | sed -u "s/^/[$name] /"
    return "${PIPESTATUS[0]}"
}

# The longest single tests run beside the fault tests, to even the shards out (a clean-clone CI run on 2026-12-06:
# browser 15:13, faults with these 14:59, the rest 12:41). The whole is CPU-bound on two cores: a saving now must
# come from the tests' own cost (the generated matrix is 14,564 requests, about 7 minutes of the faults shard).
LONGEST=(
    tests/test_generated_authorization_matrix.py::test_generated_authorization_matrix
    tests/test_generated_authorization_matrix.py::test_every_scope_condition_is_load_bearing
    tests/api/test_fuzz.py
)

# One migrated database for the shards' test databases to be copied from, kept between runs and migrated forward
# each time (seconds when nothing is new). Should a migration already applied there be edited, drop it:
# `dropdb test_ecm_template`.
migrated_template() {
    local template="test_${DATABASE_URL##*/}_template"
    "$BIN/python" - "${DATABASE_URL%/*}/postgres" "$template" <<'PY' || return 1
import sys

import psycopg

with psycopg.connect(sys.argv[1], autocommit=True) as connection:
    if not connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [sys.argv[2]]).fetchone():
        connection.execute(f'CREATE DATABASE "{sys.argv[2]}"')
PY
    DATABASE_URL="${DATABASE_URL%/*}/$template" DJANGO_SETTINGS_MODULE=config.settings.test \
        "$BIN/python" manage.py migrate --noinput -v 0 >&2 || return 1
    echo "$template"
}

sharded_pytest() {
    local pids=() status=0 pid deselect=() test template
    # Migrating takes about 40 s of CPU (90 s on a slower machine): once, not once per shard, and begun before the
    # linters (below), which it runs beside.
    wait "$TEMPLATE_JOB" || return 1
    template="$(cat "$TEMPLATE_FILE")"
    [[ -n "$template" ]] || return 1
    export ECM_TEST_DB_TEMPLATE="$template"
    shard browser 14 "$@" tests/browser &
    pids+=($!)
    shard faults 13 "$@" tests/faults "${LONGEST[@]}" &
    pids+=($!)
    for test in "${LONGEST[@]}"; do deselect+=("--deselect=$test"); done
    shard rest 15 "$@" --ignore=tests/browser --ignore=tests/faults "${deselect[@]}" || status=$?
    for pid in "${pids[@]}"; do
        wait "$pid" || status=$?
    done
    return "$status"
}

sharded=0
if ((!lint_only)) && [[ "${ECM_TEST_SHARDS:-2}" != 1 ]] && ! names_paths "$@"; then
    sharded=1
    # The shards' migrated template is made while the linters run: each keeps one core busy for about a minute.
    TEMPLATE_FILE="$(mktemp)"
    trap 'rm -f "$TEMPLATE_FILE"' EXIT
    migrated_template >"$TEMPLATE_FILE" &
    TEMPLATE_JOB=$!
fi

# ECM_SKIP_LINT=1: pytest only (CI's second pass, on a tree its first pass linted).
if [[ "${ECM_SKIP_LINT:-}" != 1 ]]; then
    check "ruff check" "$BIN/ruff" check .
    check "ruff format" "$BIN/ruff" format --check .
    check "mypy" "$BIN/mypy" .
fi

if ((!lint_only)); then
    # Playwright runs an event loop in the test process; Django's live_server needs this then.
    export DJANGO_ALLOW_ASYNC_UNSAFE=true
    if ((sharded)); then
        check "pytest (three shards)" sharded_pytest "$@"
    else
        check "pytest" "$BIN/pytest" "$@"
    fi
fi

# Nothing printed on success, so pytest's summary stays the last line of the run.
if ((${#failed[@]})); then
    printf '\nFAILED: %s\n' "${failed[*]}"
    exit 1
fi
