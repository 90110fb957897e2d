"""What a backup archive holds and how its parts are named, counted and checked; the PostgreSQL
client programs and their environment."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess  # noqa: S404 - runs pg_dump/pg_restore with argument lists, never a shell
import tomllib
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import IO

from django.conf import settings
from django.db import connections
from django.db.backends.utils import CursorWrapper

ARCHIVE_FORMAT = 1
MANIFEST_NAME = "manifest.json"
DUMP_NAME = "database.dump"
MEDIA_PREFIX = "media/"
# ecm-20261123-020000.tar: the UTC time the backup started.
ARCHIVE_NAME = re.compile(r"^ecm-(?P<stamp>\d{8}-\d{6})\.tar$")
STAMP_FORMAT = "%Y%m%d-%H%M%S"
# A restore stages the documents in a folder inside MEDIA_ROOT (which may be a mount point that
# cannot be renamed) and moves them into place only once the database is restored.
STAGING_PREFIX = ".ecm-restore-"
CHUNK = 1024 * 1024
# libpq reads these; settings' OPTIONS may carry the TLS ones.
LIBPQ_OPTIONS = {
    "sslmode": "PGSSLMODE",
    "sslrootcert": "PGSSLROOTCERT",
    "sslcert": "PGSSLCERT",
    "sslkey": "PGSSLKEY",
    "connect_timeout": "PGCONNECT_TIMEOUT",
}


class BackupError(Exception):
    """A backup or restore that could not be done, or did not come out right; the message says why."""


@dataclass(frozen=True)
class BackupSummary:
    path: Path
    database: str
    server_version: str
    tables: int
    rows: int
    files: int
    media_bytes: int
    archive_bytes: int
    seconds: float
    pruned: list[Path] = field(default_factory=list)


@dataclass(frozen=True)
class RestoreSummary:
    path: Path
    database: str
    created_at: str
    ecm_version: str
    tables: int
    rows: int
    files: int
    replaced: bool
    seconds: float


# --- Connection ------------------------------------------------------------------------------
def database_label(alias: str = "default") -> str:
    """The database as a URL with the password masked, for summaries and the manifest."""
    db = connections[alias].settings_dict
    user = db.get("USER") or ""
    credentials = f"{user}:***@" if db.get("PASSWORD") else (f"{user}@" if user else "")
    host = db.get("HOST") or "localhost"
    port = f":{db['PORT']}" if db.get("PORT") else ""
    return f"postgres://{credentials}{host}{port}/{db.get('NAME') or ''}"


def libpq_environment(alias: str = "default") -> dict[str, str]:
    """The process environment plus PGHOST, PGPASSWORD, ... for the configured database."""
    db = connections[alias].settings_dict
    env = {key: value for key, value in os.environ.items() if not key.startswith("PG")}
    for setting, variable in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER"), ("NAME", "PGDATABASE")):
        if db.get(setting):
            env[variable] = str(db[setting])
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    for option, variable in LIBPQ_OPTIONS.items():
        if db.get("OPTIONS", {}).get(option) is not None:
            env[variable] = str(db["OPTIONS"][option])
    return env


def server_version(cursor: CursorWrapper) -> tuple[str, int]:
    """('15.20 (Debian ...)', 15)."""
    cursor.execute("select current_setting('server_version'), current_setting('server_version_num')::int")
    text, number = cursor.fetchone()
    return str(text), int(number) // 10000


def client_program(name: str, server_major: int) -> str:
    """pg_dump or pg_restore matching the server's major version when Debian installed one, else PATH's."""
    matching = Path(f"/usr/lib/postgresql/{server_major}/bin/{name}")
    if os.access(matching, os.X_OK):
        return str(matching)
    found = shutil.which(name)
    if not found:
        raise BackupError(f"{name} not found: install the PostgreSQL client (Debian package postgresql-client)")
    return found


def run_client(args: list[str], alias: str) -> None:
    result = subprocess.run(  # noqa: S603 - a fixed program and our own arguments
        args, env=libpq_environment(alias), capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise BackupError(f"{Path(args[0]).name} failed (status {result.returncode}): {result.stderr.strip()}")


def table_counts(cursor: CursorWrapper) -> dict[str, int]:
    """Exact row count of every table in the public schema, by name."""
    cursor.execute("select tablename from pg_tables where schemaname = 'public' order by tablename")
    names = [row[0] for row in cursor.fetchall()]
    counts: dict[str, int] = {}
    for name in names:
        cursor.execute(f"select count(*) from public.{cursor.db.ops.quote_name(name)}")  # noqa: S608
        counts[name] = int(cursor.fetchone()[0])
    return counts


# --- Files -----------------------------------------------------------------------------------
def media_root() -> Path:
    return Path(settings.MEDIA_ROOT)


def media_files(root: Path) -> list[str]:
    """Every regular file under root as a relative POSIX path, sorted; restore staging skipped."""
    if not root.is_dir():
        return []
    found: list[str] = []
    for folder, subfolders, files in os.walk(root):
        subfolders[:] = sorted(name for name in subfolders if not name.startswith(STAGING_PREFIX))
        for name in files:
            path = Path(folder) / name
            if path.is_file() and not path.is_symlink():
                found.append(path.relative_to(root).as_posix())
    return sorted(found)


def sha256_of(stream: IO[bytes]) -> str:
    digest = hashlib.sha256()
    for chunk in iter(lambda: stream.read(CHUNK), b""):
        digest.update(chunk)
    return digest.hexdigest()


def sha256_file(path: Path) -> str:
    with path.open("rb") as stream:
        return sha256_of(stream)


class HashingReader:
    """Reads through to a file and hashes exactly the bytes that went into the archive."""

    def __init__(self, stream: IO[bytes]) -> None:
        self.stream = stream
        self.digest = hashlib.sha256()

    def read(self, size: int = -1) -> bytes:
        data = self.stream.read(size)
        self.digest.update(data)
        return data


def safe_media_path(member_name: str) -> str | None:
    """The relative path of an archive member under media/, or None if it could escape the folder."""
    if not member_name.startswith(MEDIA_PREFIX):
        return None
    relative = PurePosixPath(member_name[len(MEDIA_PREFIX) :])
    if not relative.parts or relative.is_absolute() or any(part in ("", ".", "..") for part in relative.parts):
        return None
    if relative.parts[0].startswith(STAGING_PREFIX):
        return None
    return relative.as_posix()


def ecm_version() -> str:
    """`git describe` of the checkout when there is one, else the version in pyproject.toml."""
    git = shutil.which("git")
    if git and (Path(settings.BASE_DIR) / ".git").exists():
        result = subprocess.run(  # noqa: S603
            [git, "-C", str(settings.BASE_DIR), "describe", "--tags", "--always", "--dirty"],
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode == 0 and result.stdout.strip():
            return result.stdout.strip()
    try:
        with (Path(settings.BASE_DIR) / "pyproject.toml").open("rb") as stream:
            return str(tomllib.load(stream)["project"]["version"])
    except (OSError, KeyError, tomllib.TOMLDecodeError):
        return "unknown"
