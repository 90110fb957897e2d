"""Making a backup archive, and keeping only the recent ones."""

from __future__ import annotations

import io
import json
import os
import tarfile
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from django.db import connections, transaction

from config.backups.archive import (
    ARCHIVE_FORMAT,
    ARCHIVE_NAME,
    DUMP_NAME,
    MANIFEST_NAME,
    MEDIA_PREFIX,
    STAMP_FORMAT,
    BackupError,
    BackupSummary,
    HashingReader,
    client_program,
    database_label,
    ecm_version,
    media_files,
    media_root,
    run_client,
    server_version,
    table_counts,
)


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
