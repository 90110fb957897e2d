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

check "ruff check" "$BIN/ruff" check .
check "ruff format" "$BIN/ruff" format --check .
check "mypy" "$BIN/mypy" .

if ((!lint_only)); then
    # Playwright runs an event loop in the test process; Django's live_server needs this then.
    export DJANGO_ALLOW_ASYNC_UNSAFE=true
    check "pytest" "$BIN/pytest" "$@"
fi

# Nothing printed on success, so pytest's summary stays the last line of the run.
if ((${#failed[@]})); then
    printf '\nFAILED: %s\n' "${failed[*]}"
    exit 1
fi
