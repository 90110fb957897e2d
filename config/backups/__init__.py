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

from config.backups.archive import BackupError, BackupSummary, RestoreSummary
from config.backups.create import backup_create, backups_prune
from config.backups.restore import restore_archive

__all__ = ["BackupError", "BackupSummary", "RestoreSummary", "backup_create", "backups_prune", "restore_archive"]
