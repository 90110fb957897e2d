"""Backup and restore of everything ECM keeps: the PostgreSQL database and the stored documents.

One archive, a plain tar (the dump and the PDFs are compressed already), holds:

    database.dump   pg_dump --format=custom, taken in the same snapshot as the row counts
    media/<path>    every file under MEDIA_ROOT (generated PDFs, uploads)
    manifest.json   ECM version, when, which database, PostgreSQL server version, the exact row
                    count of every table in the public schema, SHA-256 of the dump and of every file

`manage.py backup` and `manage.py restore` (accounts/management/commands) call this module.
A restore checks every checksum before it touches anything, goes only into an empty database and
media folder unless forced, and afterwards counts every table again against the manifest.
The connection comes from settings.DATABASES (so from DATABASE_URL) and reaches pg_dump and
pg_restore through libpq's environment variables, never their command line; nothing printed
carries the password.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import shutil
import subprocess  # noqa: S404 - runs pg_dump/pg_restore with argument lists, never a shell
import tarfile
import tempfile
import time
import tomllib
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path, PurePosixPath
from typing import IO, Any

from django.conf import settings
from django.db import connections, transaction
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


# --- Backup ----------------------------------------------------------------------------------
def backup_create(*, output_dir: Path, keep_days: int | None = None, alias: str = "default") -> BackupSummary:
    """Write ecm-<UTC time>.tar into output_dir; with keep_days, then delete older ones of ours."""
    started = time.monotonic()
    created = datetime.now(UTC).replace(microsecond=0)
    output_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    final = output_dir / f"ecm-{created.strftime(STAMP_FORMAT)}.tar"
    if final.exists():
        raise BackupError(f"{final} exists already: wait a second and run the backup again")
    partial = output_dir / f".{final.name}.partial"
    root = media_root()
    connection = connections[alias]
    try:
        with tempfile.TemporaryDirectory(prefix=".ecm-backup-", dir=output_dir) as work:
            dump_path = Path(work) / DUMP_NAME
            # The row counts and the dump see one snapshot, so they agree even while people work.
            with transaction.atomic(using=alias), connection.cursor() as cursor:
                cursor.execute("set transaction isolation level repeatable read, read only")
                cursor.execute("select pg_export_snapshot()")
                snapshot = str(cursor.fetchone()[0])
                version, major = server_version(cursor)
                counts = table_counts(cursor)
                run_client(
                    [
                        client_program("pg_dump", major),
                        "--format=custom",
                        f"--snapshot={snapshot}",
                        "--no-password",
                        f"--file={dump_path}",
                    ],
                    alias,
                )
            # Documents after the database: a row pointing at a file was committed after the file
            # was written, so every file the dump refers to is here (a newer extra file is harmless).
            descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            documents: dict[str, dict[str, Any]] = {}
            with (
                os.fdopen(descriptor, "wb") as raw,
                tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as tar,
            ):
                dump_sha = add_file(tar, dump_path, DUMP_NAME)
                for relative in media_files(root):
                    path = root / relative
                    documents[relative] = {"sha256": add_file(tar, path, MEDIA_PREFIX + relative)}
                    documents[relative]["bytes"] = path.stat().st_size
                manifest = {
                    "format": ARCHIVE_FORMAT,
                    "application": "ECM",
                    "ecm_version": ecm_version(),
                    "created_at": created.isoformat(),
                    "database": {
                        "name": connection.settings_dict.get("NAME"),
                        "location": database_label(alias),
                        "server_version": version,
                        "dump": {"file": DUMP_NAME, "sha256": dump_sha, "bytes": dump_path.stat().st_size},
                        "tables": counts,
                    },
                    "media": {"root": str(root), "files": documents},
                }
                data = json.dumps(manifest, indent=2, sort_keys=True).encode()
                info = tarfile.TarInfo(MANIFEST_NAME)
                info.size, info.mtime, info.mode = len(data), int(created.timestamp()), 0o600
                tar.addfile(info, io.BytesIO(data))
        partial.replace(final)
    finally:
        partial.unlink(missing_ok=True)
    pruned = backups_prune(output_dir=output_dir, keep_days=keep_days, now=created, keep=final) if keep_days else []
    return BackupSummary(
        path=final,
        database=database_label(alias),
        server_version=version,
        tables=len(counts),
        rows=sum(counts.values()),
        files=len(documents),
        media_bytes=sum(int(document["bytes"]) for document in documents.values()),
        archive_bytes=final.stat().st_size,
        seconds=time.monotonic() - started,
        pruned=pruned,
    )


def add_file(tar: tarfile.TarFile, path: Path, name: str) -> str:
    """Add one file with neutral ownership and return the SHA-256 of the bytes archived."""
    with path.open("rb") as stream:
        info = tar.gettarinfo(fileobj=stream, arcname=name)
        info.uid = info.gid = 0
        info.uname = info.gname = ""
        info.mode = 0o600
        reader = HashingReader(stream)
        tar.addfile(info, reader)  # reads exactly info.size bytes
        return reader.digest.hexdigest()


def backups_prune(*, output_dir: Path, keep_days: int, now: datetime, keep: Path) -> list[Path]:
    """Delete our archives (by the time in their name) older than keep_days; never `keep`."""
    cutoff = now - timedelta(days=keep_days)
    removed: list[Path] = []
    for path in sorted(output_dir.iterdir()):
        match = ARCHIVE_NAME.match(path.name)
        if not match or path == keep:
            continue
        taken = datetime.strptime(match["stamp"], STAMP_FORMAT).replace(tzinfo=UTC)
        if taken < cutoff:
            path.unlink()
            removed.append(path)
    return removed


# --- Restore ---------------------------------------------------------------------------------
def archive_read(tar: tarfile.TarFile) -> tuple[dict[str, Any], dict[str, tarfile.TarInfo]]:
    """The manifest, and the dump and documents by archive name; refuses anything unexpected."""
    manifest_member: tarfile.TarInfo | None = None
    entries: dict[str, tarfile.TarInfo] = {}
    for member in tar.getmembers():
        if member.name == MANIFEST_NAME and member.isfile():
            manifest_member = member
        elif member.isfile() and (member.name == DUMP_NAME or safe_media_path(member.name) is not None):
            entries[member.name] = member
        else:
            raise BackupError(f"unexpected entry {member.name!r} in the archive: not an ECM backup")
    if manifest_member is None or DUMP_NAME not in entries:
        raise BackupError("the archive has no manifest.json or database.dump: not an ECM backup")
    stream = tar.extractfile(manifest_member)
    assert stream is not None  # noqa: S101 - a regular file always has a stream
    try:
        manifest = json.loads(stream.read())
    except ValueError as error:
        raise BackupError(f"manifest.json is not valid JSON: {error}") from error
    if not isinstance(manifest, dict) or manifest.get("format") != ARCHIVE_FORMAT:
        raise BackupError(f"unknown archive format (this ECM reads format {ARCHIVE_FORMAT})")
    return manifest, entries


def expected_checksums(manifest: dict[str, Any]) -> dict[str, str]:
    """SHA-256 by archive name, as the manifest lists them."""
    expected = {DUMP_NAME: str(manifest["database"]["dump"]["sha256"])}
    for relative, document in manifest["media"]["files"].items():
        expected[MEDIA_PREFIX + relative] = str(document["sha256"])
    return expected


def checksum_problems(tar: tarfile.TarFile, manifest: dict[str, Any], entries: dict[str, tarfile.TarInfo]) -> list[str]:
    """Every way the archive's content differs from its manifest (empty when it is intact)."""
    expected = expected_checksums(manifest)
    problems = [f"{name}: listed in the manifest but missing" for name in sorted(set(expected) - set(entries))]
    problems += [f"{name}: in the archive but not in the manifest" for name in sorted(set(entries) - set(expected))]
    for name in sorted(set(expected) & set(entries)):
        stream = tar.extractfile(entries[name])
        assert stream is not None  # noqa: S101
        if sha256_of(stream) != expected[name]:
            problems.append(f"{name}: checksum does not match the manifest")
    return problems


def target_contents(alias: str, root: Path) -> tuple[dict[str, int], list[str]]:
    with connections[alias].cursor() as cursor:
        return table_counts(cursor), media_files(root)


def restore_archive(*, archive: Path, force: bool = False, alias: str = "default") -> RestoreSummary:
    """Verify, then restore archive into the configured database and MEDIA_ROOT; verify again."""
    started = time.monotonic()
    if not archive.is_file():
        raise BackupError(f"{archive}: no such file")
    root = media_root()
    try:
        tar = tarfile.open(archive, mode="r:")  # noqa: SIM115 - closed in the finally below
    except tarfile.TarError as error:
        raise BackupError(f"{archive} is not a tar archive: {error}") from error
    try:
        manifest, entries = archive_read(tar)
        problems = checksum_problems(tar, manifest, entries)
        if problems:
            raise BackupError(
                "the archive is damaged or was changed; nothing was restored:\n  " + "\n  ".join(problems)
            )
        tables, files = target_contents(alias, root)
        if (tables or files) and not force:
            raise BackupError(
                f"refusing to restore over existing data: the database {database_label(alias)} has "
                f"{len(tables)} tables ({sum(tables.values())} rows) and {root} holds {len(files)} files. "
                "Restore into an empty database and media folder, or pass --force to replace them."
            )
        root.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=root))
        try:
            media_extract(tar, manifest, entries, staging)
            dump_path = staging / DUMP_NAME
            database_restore(dump_path=dump_path, force=force, alias=alias)
            dump_path.unlink()
            media_replace(staged=staging / MEDIA_PREFIX, staging=staging, root=root, clear=force)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    finally:
        tar.close()
    mismatches = restore_verify(manifest, alias, root)
    if mismatches:
        raise BackupError(
            "RESTORE DOES NOT MATCH THE BACKUP: do not use this database until this is explained:\n  "
            + "\n  ".join(mismatches)
        )
    counts = manifest["database"]["tables"]
    return RestoreSummary(
        path=archive,
        database=database_label(alias),
        created_at=str(manifest.get("created_at")),
        ecm_version=str(manifest.get("ecm_version")),
        tables=len(counts),
        rows=sum(counts.values()),
        files=len(manifest["media"]["files"]),
        replaced=bool(force and (tables or files)),
        seconds=time.monotonic() - started,
    )


def media_extract(
    tar: tarfile.TarFile, manifest: dict[str, Any], entries: dict[str, tarfile.TarInfo], staging: Path
) -> None:
    """Write the dump and documents into staging, checking each checksum again as it is written."""
    expected = expected_checksums(manifest)
    for name, member in entries.items():
        target = staging / name
        target.parent.mkdir(parents=True, exist_ok=True)
        source = tar.extractfile(member)
        assert source is not None  # noqa: S101
        reader = HashingReader(source)
        with target.open("wb") as out:
            shutil.copyfileobj(reader, out, CHUNK)
        if reader.digest.hexdigest() != expected[name]:
            raise BackupError(f"{name}: the archive changed while it was being restored; nothing was restored")


def database_restore(*, dump_path: Path, force: bool, alias: str) -> None:
    """pg_restore in one transaction: all of it or none of it."""
    connection = connections[alias]
    with connection.cursor() as cursor:
        _, major = server_version(cursor)
    # Our own connection must not hold locks while --clean drops the tables.
    connection.close()
    args = [
        client_program("pg_restore", major),
        "--single-transaction",
        "--exit-on-error",
        "--no-password",
        # Objects belong to whoever restores (the deployment's database user), grants are not copied.
        "--no-owner",
        "--no-privileges",
        f"--dbname={connection.settings_dict['NAME']}",
    ]
    if force:
        args += ["--clean", "--if-exists"]
    run_client([*args, str(dump_path)], alias)


def media_replace(*, staged: Path, staging: Path, root: Path, clear: bool) -> None:
    """Move the staged documents into MEDIA_ROOT; with clear, remove what was there first."""
    if clear:
        for entry in root.iterdir():
            if entry == staging:
                continue
            if entry.is_dir() and not entry.is_symlink():
                shutil.rmtree(entry)
            else:
                entry.unlink()
    for relative in media_files(staged):
        target = root / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(staged / relative, target)


def restore_verify(manifest: dict[str, Any], alias: str, root: Path) -> list[str]:
    """Differences between the restored database and folder and the manifest (empty when equal)."""
    connections[alias].close()
    tables, files = target_contents(alias, root)
    expected: dict[str, int] = manifest["database"]["tables"]
    problems = [f"table {name}: missing after the restore" for name in sorted(set(expected) - set(tables))]
    problems += [f"table {name}: not in the backup (left from before?)" for name in sorted(set(tables) - set(expected))]
    problems += [
        f"table {name}: {tables[name]} rows, the backup had {expected[name]}"
        for name in sorted(set(expected) & set(tables))
        if tables[name] != expected[name]
    ]
    documents: dict[str, Any] = manifest["media"]["files"]
    problems += [f"document {name}: missing after the restore" for name in sorted(set(documents) - set(files))]
    problems += [f"document {name}: not in the backup" for name in sorted(set(files) - set(documents))]
    problems += [
        f"document {name}: checksum differs"
        for name in sorted(set(documents) & set(files))
        if sha256_file(root / name) != documents[name]["sha256"]
    ]
    return problems
