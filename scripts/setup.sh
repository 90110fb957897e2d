#!/usr/bin/env bash
# Install what the project needs, idempotently. A second run only compares hashes and exits.
#
#   1. Debian packages (as root, only those missing; `apt-get update` only if something is).
#   2. .venv with the pinned Python packages (uv pip sync requirements-dev.lock).
#   3. node_modules from package-lock.json (npm ci).
#   4. static/vendor: GOV.UK Frontend and axe-core copied from node_modules.
#
# Steps 2-4 keep a stamp file holding the hash of their inputs and are skipped while it matches.
# Environment: ECM_LOCK (default requirements-dev.lock), PYTHON (interpreter for a new .venv).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

LOCK="${ECM_LOCK:-requirements-dev.lock}"
VENV="$ROOT/.venv"
started=$SECONDS

say() { printf 'setup: %s\n' "$*"; }

# Hash of the given files plus any extra words (e.g. a Python version), for the stamp files.
inputs_hash() {
    local extra="$1"
    shift
    { printf '%s\n' "$extra"; cat "$@"; } | sha256sum | cut -d' ' -f1
}

stamp_matches() { [[ -f "$1" && "$(cat "$1")" == "$2" ]]; }

# --- 1. Debian packages ------------------------------------------------------------------
# Each entry: package name, and the check that says it is already there. Checking commands
# as well as dpkg lets a Node.js from another source (e.g. nodesource, which bundles npm)
# count as installed instead of pulling Debian's conflicting nodejs/npm.
missing=()
need_pkg() {
    local pkg="$1" check="$2"
    if ! eval "$check" >/dev/null 2>&1; then
        missing+=("$pkg")
    fi
}
need_pkg make 'command -v make'
need_pkg postgresql '(dpkg -s postgresql || compgen -G "/usr/lib/postgresql/*/bin/initdb") && command -v psql'
need_pkg redis-server 'command -v redis-server && command -v redis-cli'
need_pkg chromium 'command -v chromium'
need_pkg fonts-liberation 'dpkg -s fonts-liberation'
need_pkg poppler-utils 'command -v pdftoppm && command -v pdftotext'
need_pkg nodejs 'command -v node'
need_pkg npm 'command -v npm'

if ((${#missing[@]})); then
    if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null; then
        say "installing Debian packages: ${missing[*]}"
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -qq
        apt-get install -y -qq --no-install-recommends "${missing[@]}" </dev/null
    else
        say "missing system packages: ${missing[*]}"
        say "install them with: sudo apt-get install ${missing[*]}"
        exit 1
    fi
fi

# --- 2. Python virtualenv ------------------------------------------------------------------
if [[ ! -x "$VENV/bin/python" ]]; then
    # The project supports Python 3.11 only (pyproject: >=3.11,<3.12).
    python="${PYTHON:-}"
    if [[ -z "$python" ]]; then
        python="$(command -v python3.11 || command -v python3)"
    fi
    version="$("$python" -c 'import sys; print("%d.%d" % sys.version_info[:2])')"
    if [[ "$version" != "3.11" ]]; then
        say "$python is Python $version; the project needs 3.11 (set PYTHON=/path/to/python3.11)"
        exit 1
    fi
    say "creating .venv with $python"
    "$python" -m venv "$VENV"
fi
if [[ ! -x "$VENV/bin/uv" ]]; then
    say "installing uv into .venv"
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check uv
fi

py_version="$("$VENV/bin/python" -c 'import sys; print(sys.version)')"
want="$(inputs_hash "$py_version" "$LOCK")"
if ! stamp_matches "$VENV/.ecm-sync-stamp" "$want"; then
    say "syncing .venv with $LOCK"
    "$VENV/bin/uv" pip sync --quiet --python "$VENV/bin/python" "$LOCK"
    echo "$want" >"$VENV/.ecm-sync-stamp"
fi

# --- 3. node_modules -----------------------------------------------------------------------
want="$(inputs_hash "$(node --version)" package.json package-lock.json)"
if ! stamp_matches node_modules/.ecm-npm-stamp "$want"; then
    say "npm ci"
    npm ci --no-audit --no-fund --loglevel=error
    echo "$want" >node_modules/.ecm-npm-stamp
fi

# --- 4. static/vendor ----------------------------------------------------------------------
want="$(inputs_hash "" package-lock.json scripts/vendor_frontend.py)"
if ! stamp_matches static/vendor/.ecm-vendor-stamp "$want"; then
    "$VENV/bin/python" scripts/vendor_frontend.py
    echo "$want" >static/vendor/.ecm-vendor-stamp
fi

say "ready ($((SECONDS - started)) s)"
