#!/usr/bin/env bash
# The development stack: migrate, seed the demo data, then run the web server, a Celery
# worker and Celery beat together until Ctrl-C (or until one of them dies), then stop all.
#
# Run it under scripts/services.sh, which provides DATABASE_URL and REDIS_URL (`make run`).
# Environment: HOST (127.0.0.1), PORT (8000).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

HOST="${HOST:-127.0.0.1}"
PORT="${PORT:-8000}"
# The development settings build ECM_BASE_URL (links in e-mails and .ics files) from these.
export HOST PORT
BIN="$ROOT/.venv/bin"
STOP_GRACE_SECONDS=15

say() { printf 'run: %s\n' "$*" >&2; }

mkdir -p .local
LOGINS="$ROOT/.local/demo-logins.txt"
# migrate, then seed_demo (idempotent; with the reports' invented cases, made on the first run only and
# skipped once there, devtools/demo/reporting_data.py), in one process: starting Django once instead of twice
# saves seconds on every `make run`. The demo logins are kept and printed last, once the server
# answers, so they are not lost above the start-up output. E-mails go to .local/mail/ (one line each).
"$BIN/python" manage.py shell --no-startup --verbosity 0 -c "
from django.core.management import call_command
call_command('migrate', interactive=False, verbosity=0)
with open('$LOGINS', 'w') as logins:
    call_command('seed_demo', '--reporting-data', stdout=logins)
"

# Job control gives each background job its own process group. Terminal Ctrl-C then reaches
# only this script, which stops every job with all its children (runserver's reloader child,
# Celery's pool processes) by signalling the whole group.
set -m

declare -a pids=()
declare -A names=()
start() {
    local name="$1"
    shift
    "$@" &
    pids+=("$!")
    names[$!]="$name"
}

# shellcheck disable=SC2317  # called from traps and at the end
stop_all() {
    trap - INT TERM
    local pid watchdog
    # SIGINT to each group, as Ctrl-C in a terminal would send: each program shuts down
    # cleanly (Celery's warm shutdown finishes the task in hand).
    for pid in "${pids[@]}"; do
        kill -INT -- "-$pid" 2>/dev/null || true
    done
    # Whatever is still running after the grace period is killed.
    (
        sleep "$STOP_GRACE_SECONDS"
        for pid in "${pids[@]}"; do
            kill -KILL -- "-$pid" 2>/dev/null || true
        done
    ) &
    watchdog=$!
    for pid in "${pids[@]}"; do
        wait "$pid" 2>/dev/null || true
    done
    kill -- "-$watchdog" 2>/dev/null || true
    wait "$watchdog" 2>/dev/null || true
    # Leftovers of a group whose leader has gone (e.g. orphaned pool processes).
    for pid in "${pids[@]}"; do
        kill -KILL -- "-$pid" 2>/dev/null || true
    done
    say "stopped web, worker and beat"
}
trap 'stop_all; exit 130' INT
trap 'stop_all; exit 143' TERM

start web "$BIN/python" manage.py runserver "$HOST:$PORT"
# --quiet: no start-up banners (the log lines stay).
start worker "$BIN/celery" -A config --quiet worker --loglevel=INFO --concurrency=2
# Beat keeps its schedule state under .local; only one beat may run (it has no lock).
start beat "$BIN/celery" -A config --quiet beat --loglevel=INFO --schedule="$ROOT/.local/celerybeat-schedule"

# Wait (up to 2 minutes on a busy machine) for the web server to answer, and a moment for its
# and the worker's first lines, so the logins below are the last thing printed at start-up.
for _ in $(seq 240); do
    if (: >"/dev/tcp/$HOST/$PORT") 2>/dev/null; then
        break
    fi
    sleep 0.5
done
sleep 3
rule="$(printf '=%.0s' $(seq 78))"
printf '\n%s\n' "$rule" >&2
cat "$LOGINS" >&2
printf '%s\n' "$rule" >&2
say "ECM is running at http://$HOST:$PORT/ (e-mails are saved in .local/mail/)"
say "Ctrl-C stops the web server, the worker, beat and any services started for them."

# Any one of them ending is the end of the stack: stop the others and report it.
status=0
exited=""
wait -n -p exited "${pids[@]}" || status=$?
say "${names[$exited]:-a process} exited with status $status: stopping the rest"
stop_all
exit $((status == 0 ? 1 : status))
