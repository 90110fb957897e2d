"""manage.py backup: one archive of the database and the stored documents (config/backups/)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from config.backups import BackupError, backup_create


def size(count: int) -> str:
    value = float(count)
    for unit in ("B", "kB", "MB", "GB"):
        if value < 1000 or unit == "GB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1000
    return f"{count} B"  # pragma: no cover


class Command(BaseCommand):
    help = (
        "Write backups/ecm-<UTC time>.tar: a pg_dump of the database, the stored documents under "
        "MEDIA_ROOT and a manifest of row counts and SHA-256 checksums."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--output-dir",
            type=Path,
            default=Path(settings.BASE_DIR) / "backups",
            help="folder for the archive (default: backups/ in the project)",
        )
        parser.add_argument(
            "--keep-days",
            type=int,
            default=None,
            help="after a successful backup, delete this folder's ECM backups older than this many days",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        keep_days: int | None = options["keep_days"]
        if keep_days is not None and keep_days < 1:
            raise CommandError("--keep-days must be 1 or more")
        try:
            summary = backup_create(output_dir=options["output_dir"], keep_days=keep_days)
        except BackupError as error:
            raise CommandError(f"backup failed: {error}") from error
        self.stdout.write(f"Backup written: {summary.path} ({size(summary.archive_bytes)}, {summary.seconds:.1f} s)")
        self.stdout.write(
            f"  database   {summary.database} (PostgreSQL {summary.server_version.split()[0]}): "
            f"{summary.tables} tables, {summary.rows:,} rows"
        )
        self.stdout.write(f"  documents  {summary.files} files, {size(summary.media_bytes)} from {settings.MEDIA_ROOT}")
        if keep_days is not None:
            self.stdout.write(f"  removed    {len(summary.pruned)} backups older than {keep_days} days")
