"""Backup → wipe → restore, on scratch databases of the machine's PostgreSQL.

The source database is a copy of the migrated test database (or migrated by `manage.py migrate`
when the copy cannot be made), seeded with the invented demo world, plus a few invented documents
in a temporary media folder. `manage.py backup` and `manage.py restore` run as subprocesses with
DATABASE_URL and ECM_MEDIA_ROOT pointing at the scratch database and folder, as `make backup` and
`make restore` run them. The scratch databases are dropped at the end.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import secrets
import subprocess
import sys
import tarfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg
import pytest
from django.conf import settings
from django.db import connections
from psycopg import sql

# The migrated test database is the template of the scratch source database: pytest-django makes
# it only for tests that ask for a database (transactional, so no transaction holds it open).
pytestmark = [pytest.mark.faults, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]
# With trust authentication the server never asks for it; it is here to be masked in every output.
FAKE_PASSWORD = "not-a-real-password-" + secrets.token_hex(4)
DOCUMENTS = {
    "formulation/2026/11/formulation-report-LOC-100231.pdf": b"%PDF-1.7\ninvented formulation report\n" * 50,
    "reviews/review-record-LOC-100231.pdf": b"%PDF-1.7\ninvented review record\n" * 20,
    "uploads/consent form (signed).pdf": bytes(range(256)) * 8,
}


@dataclass
class Server:
    host: str
    port: str
    user: str
    password: str
    created: list[str] = field(default_factory=list)

    def url(self, database: str, *, masked_password: str | None = None) -> str:
        password = masked_password or self.password or FAKE_PASSWORD
        return f"postgres://{self.user}:{password}@{self.host}:{self.port}/{database}"

    def admin(self) -> psycopg.Connection[Any]:
        return psycopg.connect(
            host=self.host,
            port=self.port,
            user=self.user,
            password=self.password or None,
            dbname="postgres",
            autocommit=True,
        )

    def create(self, name: str, template: str | None = None) -> None:
        statement = sql.SQL("create database {}").format(sql.Identifier(name))
        if template:
            statement += sql.SQL(" template {}").format(sql.Identifier(template))
        with self.admin() as conn:
            conn.execute(statement)
        if name not in self.created:
            self.created.append(name)

    def drop(self, name: str) -> None:
        with self.admin() as conn:
            conn.execute(sql.SQL("drop database if exists {} with (force)").format(sql.Identifier(name)))

    def counts(self, name: str) -> dict[str, int]:
        with psycopg.connect(self.url(name)) as conn:
            tables = [
                row[0]
                for row in conn.execute(
                    "select tablename from pg_tables where schemaname = 'public' order by tablename"
                ).fetchall()
            ]
            counts: dict[str, int] = {}
            for table in tables:
                row = conn.execute(sql.SQL("select count(*) from public.{}").format(sql.Identifier(table))).fetchone()
                assert row is not None
                counts[table] = int(row[0])
            return counts


def checksums(root: Path) -> dict[str, str]:
    return {
        path.relative_to(root).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


@pytest.fixture(scope="module")
def server(django_db_setup: None, django_db_blocker: Any) -> Iterator[Server]:
    db = settings.DATABASES["default"]
    found = Server(
        host=db.get("HOST") or "127.0.0.1",
        port=str(db.get("PORT") or 5432),
        user=db.get("USER") or "postgres",
        password=db.get("PASSWORD") or "",
    )
    yield found
    for name in found.created:
        found.drop(name)


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> Any:
    def manage(*args: str, database_url: str, media_root: Path, check: bool = True) -> subprocess.CompletedProcess[str]:
        env = {key: value for key, value in os.environ.items() if not key.startswith(("PG", "CELERY_"))}
        redis_url = getattr(settings, "TEST_REDIS_URL", settings.REDIS_URL)
        env.update(
            DJANGO_SETTINGS_MODULE="config.settings.dev",
            DATABASE_URL=database_url,
            ECM_MEDIA_ROOT=str(media_root),
            REDIS_URL=redis_url,
            CELERY_BROKER_URL=redis_url,
        )
        result = subprocess.run(  # noqa: S603
            [sys.executable, str(ROOT / "manage.py"), *args],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
            cwd=ROOT,
        )
        if check:
            assert result.returncode == 0, f"manage.py {' '.join(args)}: {result.stdout}{result.stderr}"
        return result

    return manage


def make_source(server: Server, run: Any, django_db_blocker: Any, name: str, media: Path) -> None:
    """A migrated database (copied from the test database: seconds, not a minute of migrate)."""
    with django_db_blocker.unblock():
        template = connections["default"].settings_dict["NAME"]
        connections.close_all()
    try:
        server.create(name, template=template)
    except psycopg.Error:  # the template is in use by another session: migrate from scratch (~45 s)
        server.create(name)
        run("migrate", "--noinput", database_url=server.url(name), media_root=media)
    run("seed_demo", database_url=server.url(name), media_root=media)
    for relative, content in DOCUMENTS.items():
        path = media / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)


def tampered_copy(archive: Path, target: Path) -> None:
    """The same archive with one byte of database.dump changed (the manifest left as it was)."""
    with tarfile.open(archive) as source, tarfile.open(target, "w") as out:
        for member in source.getmembers():
            data = bytearray(source.extractfile(member).read())  # type: ignore[union-attr]
            if member.name == "database.dump":
                data[len(data) // 2] ^= 0x01
            out.addfile(member, io.BytesIO(bytes(data)))


def test_backup_wipe_restore_gives_back_every_row_and_document(
    server: Server, run: Any, django_db_blocker: Any, tmp_path: Path
) -> None:
    suffix = secrets.token_hex(4)
    source, target = f"ecm_backup_src_{suffix}", f"ecm_backup_dst_{suffix}"
    media, other_media, backups = tmp_path / "media", tmp_path / "other-media", tmp_path / "backups"
    make_source(server, run, django_db_blocker, source, media)
    counts_before, files_before = server.counts(source), checksums(media)
    assert sum(counts_before.values()) > 100, "the demo world should have been seeded"
    uploaded = [name for name in files_before if name.startswith("case_documents/")]
    assert len(uploaded) == 3, "the demo's documents uploaded to Kai's case (devtools/demo/documents.py)"
    assert len(files_before) == len(DOCUMENTS) + len(uploaded)
    # An old backup of ours and a file that is not ours: --keep-days removes only the first.
    backups.mkdir()
    (backups / "ecm-20200101-020000.tar").write_bytes(b"old")
    (backups / "notes.txt").write_text("kept")

    started = time.monotonic()
    backup = run(
        "backup", "--output-dir", str(backups), "--keep-days", "14", database_url=server.url(source), media_root=media
    )
    backup_seconds = time.monotonic() - started
    (archive,) = sorted(backups.glob("ecm-2*.tar"))
    assert archive.name != "ecm-20200101-020000.tar"
    assert (backups / "notes.txt").exists()
    assert archive.stat().st_mode & 0o077 == 0, "the archive holds personal data: owner only"
    with tarfile.open(archive) as tar:
        names = set(tar.getnames())
        manifest = json.loads(tar.extractfile("manifest.json").read())  # type: ignore[union-attr]
        dump = tar.extractfile("database.dump").read()  # type: ignore[union-attr]
    assert names == {"manifest.json", "database.dump"} | {f"media/{relative}" for relative in files_before}
    assert dump.startswith(b"PGDMP"), "pg_dump --format=custom"
    assert manifest["database"]["tables"] == counts_before
    assert manifest["database"]["dump"]["sha256"] == hashlib.sha256(dump).hexdigest()
    assert {name: entry["sha256"] for name, entry in manifest["media"]["files"].items()} == files_before
    assert manifest["database"]["server_version"].startswith("15")
    assert manifest["database"]["name"] == source
    assert manifest["ecm_version"] and manifest["created_at"]
    for text in (backup.stdout, backup.stderr, json.dumps(manifest)):
        assert FAKE_PASSWORD not in text and (not server.password or server.password not in text)
    assert "***@" in backup.stdout

    # A changed byte in the dump: refused before anything is touched.
    server.create(target)
    tampered = tmp_path / "tampered.tar"
    tampered_copy(archive, tampered)
    refused = run("restore", str(tampered), database_url=server.url(target), media_root=other_media, check=False)
    assert refused.returncode != 0
    assert "database.dump: checksum does not match" in refused.stderr
    assert server.counts(target) == {}
    assert not other_media.exists() or checksums(other_media) == {}

    # A media folder that holds a file counts as not empty, even with an empty database.
    (other_media / "stray.pdf").parent.mkdir(parents=True, exist_ok=True)
    (other_media / "stray.pdf").write_bytes(b"invented")
    refused = run("restore", str(archive), database_url=server.url(target), media_root=other_media, check=False)
    assert refused.returncode != 0 and "refusing to restore over existing data" in refused.stderr
    assert server.counts(target) == {}

    # Wipe: the database dropped and created again, the documents deleted.
    server.drop(source)
    server.create(source)
    for path in sorted(media.rglob("*"), reverse=True):
        path.unlink() if path.is_file() else path.rmdir()
    assert server.counts(source) == {} and checksums(media) == {}

    started = time.monotonic()
    restored = run("restore", str(archive), database_url=server.url(source), media_root=media)
    restore_seconds = time.monotonic() - started
    assert server.counts(source) == counts_before
    assert checksums(media) == files_before
    assert "every count equal to the manifest" in restored.stdout
    assert FAKE_PASSWORD not in restored.stdout + restored.stderr

    # Now the database holds data: refused without --force, and nothing changed.
    refused = run("restore", str(archive), database_url=server.url(source), media_root=media, check=False)
    assert refused.returncode != 0
    assert "refusing to restore over existing data" in refused.stderr and "--force" in refused.stderr
    assert FAKE_PASSWORD not in refused.stdout + refused.stderr
    assert server.counts(source) == counts_before

    # --force over a changed database and folder: the backup's state comes back exactly.
    with psycopg.connect(server.url(source), autocommit=True) as conn:
        conn.execute("delete from django_session")
        conn.execute("insert into django_session values ('invented-session', 'e30', now())")
    (media / "written-after-the-backup.pdf").write_bytes(b"invented")
    forced = run("restore", "--force", str(archive), database_url=server.url(source), media_root=media)
    assert "replaced the existing data" in forced.stdout
    assert server.counts(source) == counts_before
    assert checksums(media) == files_before

    print(
        f"\nbackup/restore: {len(counts_before)} tables, {sum(counts_before.values())} rows, "
        f"{len(files_before)} files, archive {archive.stat().st_size / 1e6:.1f} MB; "
        f"backup {backup_seconds:.1f} s, restore {restore_seconds:.1f} s (each including ~manage.py start-up)"
    )
