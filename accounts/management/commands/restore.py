"""manage.py restore FILE: put a `manage.py backup` archive back (config/backups/)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from config.backups import BackupError, restore_archive


class Command(BaseCommand):
    help = (
        "Restore a backup archive into an EMPTY database and media folder, after checking its "
        "checksums; then count every table against the manifest. --force replaces existing data."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("archive", type=Path, help="an ecm-<time>.tar written by manage.py backup")
        parser.add_argument(
            "--force",
            action="store_true",
            help="replace a database and media folder that already hold data (their contents are lost)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            summary = restore_archive(archive=options["archive"], force=options["force"])
        except BackupError as error:
            raise CommandError(f"restore failed: {error}") from error
        action = "replaced the existing data" if summary.replaced else "into an empty database"
        self.stdout.write(f"Restored {summary.path} ({action}, {summary.seconds:.1f} s)")
        self.stdout.write(f"  backup     taken {summary.created_at} by ECM {summary.ecm_version}")
        self.stdout.write(
            f"  database   {summary.database}: {summary.tables} tables, {summary.rows:,} rows, "
            "every count equal to the manifest"
        )
        self.stdout.write(f"  documents  {summary.files} files in {settings.MEDIA_ROOT}, every checksum equal")
        self.stdout.write("  next       run `manage.py migrate` if this ECM is newer than the backup")
