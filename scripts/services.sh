#!/usr/bin/env bash
# Run a command with PostgreSQL and Redis available, exporting DATABASE_URL and REDIS_URL.
#
#   scripts/services.sh COMMAND [ARGS...]   run COMMAND with the services; stop what we started
#   scripts/services.sh --stop-local        stop the project-local services if they run
#   scripts/services.sh --clean-local       stop them and delete .local (all local data)
#
# Choice, for each service:
#   ECM_LOCAL_SERVICES=1        -> the project-local server (own port, data under .local/)
#   DATABASE_URL / REDIS_URL set -> used as given
#   127.0.0.1:5432 / :6379 answer and accept us -> the machine's server
#   otherwise                   -> the project-local server
#
# The project-local PostgreSQL runs from Debian's server binaries (or $PG_BIN), on port
# $ECM_PG_PORT (54329), socket in /tmp/ecm-pg-<uid> (a socket path over 107 bytes stops it),
# log in .local/pg/data/server.log.
# PostgreSQL refuses to run as root, so as root the cluster belongs to the `postgres` user.
# The project-local Redis runs on port $ECM_REDIS_PORT (63799), files in .local/redis.
# Services this script started are stopped when it exits: normally, on failure, on Ctrl-C.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
LOCAL="$ROOT/.local"
PG_PORT="${ECM_PG_PORT:-54329}"
REDIS_PORT="${ECM_REDIS_PORT:-63799}"
PG_SOCKET_DIR="/tmp/ecm-pg-$(id -u)"
PG_HOME="$LOCAL/pg"
REDIS_DIR="$LOCAL/redis"

say() { printf 'services: %s\n' "$*" >&2; }

# True when something accepts TCP connections on 127.0.0.1:$1.
port_open() { timeout 1 bash -c "exec 3<>/dev/tcp/127.0.0.1/$1" 2>/dev/null; }

# --- PostgreSQL ----------------------------------------------------------------------------
pg_bin_dir() {
    if [[ -n "${PG_BIN:-}" ]]; then
        echo "$PG_BIN"
        return
    fi
    local dir
    # Newest major version first.
    for dir in $(printf '%s\n' /usr/lib/postgresql/*/bin | sort -t/ -k5 -V -r); do
        if [[ -x "$dir/initdb" && -x "$dir/pg_ctl" ]]; then
            echo "$dir"
            return
        fi
    done
    if command -v pg_ctl >/dev/null && command -v initdb >/dev/null; then
        dirname "$(command -v pg_ctl)"
        return
    fi
    say "no PostgreSQL server binaries found: run scripts/setup.sh (Debian package postgresql) or set PG_BIN"
    return 1
}

# Run a server command as the unprivileged owner of the cluster (root may not run PostgreSQL).
# From /, which that user can always enter (the checkout may sit below /root).
as_pg_owner() {
    if [[ $(id -u) -eq 0 ]]; then
        (cd / && runuser -u postgres -- "$@")
    else
        "$@"
    fi
}

# Normally .local/pg/data. If the cluster lives elsewhere (see pg_prepare) that is a symlink,
# resolved here because the postgres user cannot follow it from inside the checkout.
pg_data_dir() {
    if [[ -L "$PG_HOME/data" ]]; then
        readlink -f "$PG_HOME/data"
    else
        echo "$PG_HOME/data"
    fi
}

# Create the data folder, owned by the unprivileged user, and initdb it once.
pg_prepare() {
    local bin="$1" data
    mkdir -p "$PG_HOME"
    data="$(pg_data_dir)"
    if [[ $(id -u) -eq 0 ]]; then
        if ! id postgres >/dev/null 2>&1; then
            say "creating system user postgres to own the local cluster"
            useradd --system --user-group --home-dir /var/lib/postgresql --shell /bin/bash postgres
        fi
        mkdir -p "$PG_SOCKET_DIR"
        chown postgres: "$PG_SOCKET_DIR"
        # A symlink left pointing at a cluster that was deleted: start again.
        if [[ -L "$data" && ! -e "$data" ]]; then rm "$data"; fi
        if [[ ! -e "$data" ]]; then
            mkdir -p "$data"
            chown postgres: "$data"
            if ! runuser -u postgres -- test -w "$data"; then
                # The checkout sits below a folder postgres cannot enter (e.g. /root): keep the
                # cluster in a folder of its own and point .local/pg/data at it.
                local elsewhere
                elsewhere="/var/tmp/ecm-pg-$(printf '%s' "$ROOT" | sha256sum | cut -c1-12)"
                rmdir "$data"
                mkdir -p "$elsewhere/data"
                chown -R postgres: "$elsewhere"
                chmod 700 "$elsewhere/data"
                ln -s "$elsewhere/data" "$data"
                data="$elsewhere/data"
                say "postgres cannot reach $PG_HOME: cluster kept in $elsewhere/data"
            fi
        fi
    else
        mkdir -p "$PG_SOCKET_DIR" "$data"
    fi
    if [[ ! -f "$data/PG_VERSION" ]]; then
        say "initdb $data (once)"
        # Superuser `postgres` with trust auth: the server listens on 127.0.0.1 and the socket
        # only, for development and tests. Durability as in production (fsync and synchronous_commit
        # on), so what a newcomer sees after a crash is what production would keep.
        as_pg_owner "$bin/initdb" --pgdata="$data" --username=postgres --auth=trust \
            --encoding=UTF8 --no-locale >"$PG_HOME/initdb.log" 2>&1 ||
            { cat "$PG_HOME/initdb.log" >&2; return 1; }
        {
            echo "# Added by scripts/services.sh"
            echo "listen_addresses = '127.0.0.1'"
            echo "port = $PG_PORT"
            echo "unix_socket_directories = '$PG_SOCKET_DIR'"
            echo "synchronous_commit = on"
            echo "max_connections = 100"
        } | as_pg_owner tee -a "$data/postgresql.conf" >/dev/null
    fi
}

pg_running() { as_pg_owner "$1/pg_ctl" --pgdata="$(pg_data_dir)" status >/dev/null 2>&1; }

pg_start_local() {
    local bin
    bin="$(pg_bin_dir)"
    pg_prepare "$bin"
    if pg_running "$bin"; then
        say "project-local PostgreSQL already running on port $PG_PORT: using it, leaving it running"
        say "(scripts/services.sh --stop-local stops it)"
    else
        if port_open "$PG_PORT"; then
            say "port $PG_PORT is taken by something else: set ECM_PG_PORT to a free port"
            return 1
        fi
        # Marked before starting, so an interrupt during the start still stops it.
        STARTED_PG="$bin"
        # The options repeat the config so a changed ECM_PG_PORT applies to an existing cluster (and
        # one made when this script still turned synchronous_commit off gets normal durability).
        as_pg_owner "$bin/pg_ctl" --pgdata="$(pg_data_dir)" --log="$(pg_data_dir)/server.log" \
            --wait --timeout=60 --silent \
            -o "-p $PG_PORT -k $PG_SOCKET_DIR -c listen_addresses=127.0.0.1 -c synchronous_commit=on" start ||
            { tail -n 20 "$(pg_data_dir)/server.log" >&2; return 1; }
        say "started project-local PostgreSQL on 127.0.0.1:$PG_PORT (data in .local/pg)"
    fi
    DATABASE_URL="postgres://postgres@127.0.0.1:$PG_PORT/ecm"
    ensure_database "postgres://postgres@127.0.0.1:$PG_PORT/postgres" ecm
}

pg_stop_local() {
    local bin="$1"
    if ! as_pg_owner "$bin/pg_ctl" --pgdata="$(pg_data_dir)" --mode=fast --wait --timeout=60 --silent stop; then
        say "could not stop PostgreSQL (see .local/pg/data/server.log)"
        return 1
    fi
}

# Create database $2 on the server of maintenance URL $1 unless it exists.
ensure_database() {
    local admin_url="$1" name="$2"
    if [[ "$(psql "$admin_url" -XtAc "select 1 from pg_database where datname = '$name'")" != 1 ]]; then
        psql "$admin_url" -Xq -c "create database \"$name\"" >/dev/null
        say "created database $name"
    fi
}

# True when the machine's PostgreSQL on 5432 lets the `postgres` role in without a password.
system_pg_usable() {
    port_open 5432 &&
        PGCONNECT_TIMEOUT=3 psql "postgres://postgres@127.0.0.1:5432/postgres" -XtAc 'select 1' \
            </dev/null >/dev/null 2>&1
}

choose_database() {
    if [[ "${ECM_LOCAL_SERVICES:-}" == 1 ]]; then
        pg_start_local
    elif [[ -n "${DATABASE_URL:-}" ]]; then
        say "PostgreSQL: using DATABASE_URL from the environment"
    elif system_pg_usable; then
        DATABASE_URL="postgres://postgres@127.0.0.1:5432/ecm"
        ensure_database "postgres://postgres@127.0.0.1:5432/postgres" ecm
        say "PostgreSQL: using the machine's server on 127.0.0.1:5432"
    else
        if port_open 5432; then
            say "PostgreSQL on 127.0.0.1:5432 refused postgres without a password: using a local one"
        fi
        pg_start_local
    fi
    export DATABASE_URL
}

# --- Redis ---------------------------------------------------------------------------------
# True when a Redis answers PING on 127.0.0.1:$1 (the timeout covers a port that is not Redis).
redis_answers() { timeout 2 redis-cli -h 127.0.0.1 -p "$1" ping 2>/dev/null | grep -q PONG; }
redis_local_running() { redis_answers "$REDIS_PORT"; }

redis_start_local() {
    mkdir -p "$REDIS_DIR"
    if redis_local_running; then
        say "project-local Redis already running on port $REDIS_PORT: using it, leaving it running"
    else
        if port_open "$REDIS_PORT"; then
            say "port $REDIS_PORT is taken by something else: set ECM_REDIS_PORT to a free port"
            return 1
        fi
        STARTED_REDIS=1
        # Append-only file, flushed every second (as production should run it): queued jobs survive a
        # restart of Redis instead of waiting for the resend sweep. Data in .local/redis.
        redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --dir "$REDIS_DIR" \
            --daemonize yes --pidfile "$REDIS_DIR/redis.pid" --logfile "$REDIS_DIR/redis.log" \
            --save "" --appendonly yes --appendfsync everysec
        for _ in $(seq 100); do
            redis_local_running && break
            sleep 0.05
        done
        redis_local_running || { tail -n 20 "$REDIS_DIR/redis.log" >&2; return 1; }
        say "started project-local Redis on 127.0.0.1:$REDIS_PORT"
    fi
    REDIS_URL="redis://127.0.0.1:$REDIS_PORT/0"
}

redis_stop_local() {
    timeout 5 redis-cli -h 127.0.0.1 -p "$REDIS_PORT" shutdown nosave >/dev/null 2>&1 || true
    for _ in $(seq 100); do
        port_open "$REDIS_PORT" || return 0
        sleep 0.05
    done
    say "Redis on port $REDIS_PORT did not stop; killing it"
    if [[ -f "$REDIS_DIR/redis.pid" ]]; then
        kill "$(cat "$REDIS_DIR/redis.pid")" 2>/dev/null || true
    fi
}

choose_redis() {
    if [[ "${ECM_LOCAL_SERVICES:-}" == 1 ]]; then
        redis_start_local
    elif [[ -n "${REDIS_URL:-}" ]]; then
        say "Redis: using REDIS_URL from the environment"
    elif redis_answers 6379; then
        REDIS_URL="redis://127.0.0.1:6379/0"
        say "Redis: using the machine's server on 127.0.0.1:6379"
    else
        redis_start_local
    fi
    export REDIS_URL
}

# --- Lifecycle -----------------------------------------------------------------------------
STARTED_PG=""
STARTED_REDIS=""

# shellcheck disable=SC2317  # called from the trap
cleanup() {
    local status=$?
    trap - EXIT HUP INT TERM
    if [[ -n "$STARTED_REDIS" ]]; then
        redis_stop_local
        say "stopped project-local Redis"
    fi
    if [[ -n "$STARTED_PG" ]] && pg_running "$STARTED_PG" && pg_stop_local "$STARTED_PG"; then
        say "stopped project-local PostgreSQL"
    fi
    exit "$status"
}

stop_local() {
    if redis_local_running; then redis_stop_local; fi
    if [[ -f "$PG_HOME/data/PG_VERSION" ]] && bin="$(pg_bin_dir)" && pg_running "$bin"; then
        pg_stop_local "$bin" || true
    fi
}

case "${1:-}" in
--stop-local)
    stop_local
    exit 0
    ;;
--clean-local)
    # `make clean-local`: stop, then delete .local (and a cluster kept outside it).
    stop_local
    if [[ -L "$PG_HOME/data" ]]; then
        rm -rf "$(dirname "$(readlink -f "$PG_HOME/data")")"
    fi
    rm -rf "$LOCAL"
    say "removed $LOCAL"
    exit 0
    ;;
"" | -h | --help)
    echo "usage: $0 COMMAND [ARGS...] | --stop-local | --clean-local" >&2
    exit 2
    ;;
esac

# Installed before anything starts, so a failure half-way still stops what did start.
trap cleanup EXIT
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM

choose_database
choose_redis

# The command runs in the foreground, so Ctrl-C reaches it directly (and it keeps stdin, for
# pytest --pdb); when it ends, for whatever reason, the EXIT trap stops the services started
# above. A signal sent to this script alone waits for the command to end: signal the process
# group (Ctrl-C, `kill -- -PGID`, timeout) to stop both at once.
status=0
"$@" || status=$?
exit "$status"
