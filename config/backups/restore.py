"""Putting a backup archive back: checked first, into an empty database and media folder unless forced."""

from __future__ import annotations

import json
import os
import shutil
import tarfile
import tempfile
import time
from pathlib import Path
from typing import Any

from django.db import connections

from config.backups.archive import (
    ARCHIVE_FORMAT,
    CHUNK,
    DUMP_NAME,
    MANIFEST_NAME,
    MEDIA_PREFIX,
    STAGING_PREFIX,
    BackupError,
    HashingReader,
    RestoreSummary,
    client_program,
    database_label,
    media_files,
    media_root,
    run_client,
    safe_media_path,
    server_version,
    sha256_file,
    sha256_of,
    table_counts,
)


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
