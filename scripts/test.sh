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

# ECM_SKIP_LINT=1: pytest only (CI's second pass, on a tree its first pass linted).
if [[ "${ECM_SKIP_LINT:-}" != 1 ]]; then
    check "ruff check" "$BIN/ruff" check .
    check "ruff format" "$BIN/ruff" format --check .
    check "mypy" "$BIN/mypy" .
fi

# Asked for the whole suite (no test paths given), pytest runs as two shards at once, each with its own
# test database and Redis database: the browser and fault tests (mostly waiting on Chromium, servers and
# workers) beside everything else (mostly CPU). On two cores that takes about 60% of the time of one run.
# ECM_TEST_SHARDS=1 runs the suite in one process.
names_paths() {
    local arg
    for arg in "$@"; do
        [[ "$arg" == tests* || "$arg" == *::* || "$arg" == *.py ]] && return 0
    done
    return 1
}

shard() {  # shard NAME SUFFIX REDIS_DB PYTEST_ARGS...: one pytest on its own databases, lines prefixed
    local name="$1" suffix="$2" redis_db="$3"
    shift 3
    local database_url="${DATABASE_URL%/*}/${DATABASE_URL##*/}_$suffix"
    DATABASE_URL="$database_url" TEST_REDIS_URL="${REDIS_URL%/*}/$redis_db" \
        "$BIN/pytest" "$@" 2>&1 | sed -u "s/^/[$name] /"
    return "${PIPESTATUS[0]}"
}

# Some long tests run beside the browser tests, which wait on Chromium much of the time, to even the two out
# (on a clean clone: the rest 25:54 and the browser and fault tests 20:46 before the last three moved, 25:35 and
# 24:53 after; the whole is CPU-bound on two cores, so the next saving must come from the tests' own cost).
MOVED_TO_BROWSER_SHARD=(
    tests/test_generated_authorization_matrix.py::test_every_scope_condition_is_load_bearing
    tests/api/test_fuzz.py
    tests/referrals/test_consent_matrix.py
    tests/manage/test_loadtest.py
)

sharded_pytest() {
    shard "browser+faults" browser 14 "$@" tests/browser tests/faults "${MOVED_TO_BROWSER_SHARD[@]}" &
    local other=$!
    local status=0
    local deselect=()
    local test
    for test in "${MOVED_TO_BROWSER_SHARD[@]}"; do deselect+=("--deselect=$test"); done
    shard "rest" rest 15 "$@" --ignore=tests/browser --ignore=tests/faults "${deselect[@]}" || status=$?
    wait "$other" || status=$?
    return "$status"
}

if ((!lint_only)); then
    # Playwright runs an event loop in the test process; Django's live_server needs this then.
    export DJANGO_ALLOW_ASYNC_UNSAFE=true
    if [[ "${ECM_TEST_SHARDS:-2}" == 1 ]] || names_paths "$@"; then
        check "pytest" "$BIN/pytest" "$@"
    else
        check "pytest (two shards)" sharded_pytest "$@"
    fi
fi

# Nothing printed on success, so pytest's summary stays the last line of the run.
if ((${#failed[@]})); then
    printf '\nFAILED: %s\n' "${failed[*]}"
    exit 1
fi
