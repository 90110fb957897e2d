"""Commissioning moved from reporting to accounts (the access module reads it): the migrations keep
every row, its history, its triggers, and the permission to read aggregate reports, on a database
that already has them; and they can be undone.

The replay runs on a database of its own, migrated from nothing to just before the move (25 migrations),
so it never unapplies the test database's later migrations nor empties its tables: the whole test takes
seconds, where undoing and redoing every later migration took two minutes of the suite."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("accounts", "0002_admin_roles_user_history_partner_mfa"), ("reporting", "0002_document_claimed_at")]
AFTER = [("accounts", "0003_commissioning"), ("reporting", "0004_commissioning_gone")]


def migrated_to(targets: list[tuple[str, str]]) -> Any:
    """Migrate the database to `targets`; the apps (models) as they stand there."""
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return MigrationExecutor(connection).loader.project_state(targets).apps


def _drop(cursor: Any, name: str) -> None:
    cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def replay_database(django_db_setup: None, django_db_blocker: Any) -> Iterator[str]:
    """The default connection pointed at an empty database of its own for the test, then back and dropped.

    Every migration, data migrations included, uses the default connection, so all of them run on it."""
    test_database = connection.settings_dict["NAME"]
    replay = f"{test_database}_migration_replay"
    with django_db_blocker.unblock():
        with connection.cursor() as cursor:
            _drop(cursor, replay)
            cursor.execute(f'CREATE DATABASE "{replay}"')
        connection.close()
        connection.settings_dict["NAME"] = replay
        try:
            yield replay
        finally:
            connection.close()  # psycopg keeps migration state: a fresh connection for the test database
            connection.settings_dict["NAME"] = test_database
            with connection.cursor() as cursor:
                _drop(cursor, replay)


def agency(apps: Any, name: str, kind: str) -> Any:
    group = apps.get_model("auth", "Group").objects.create(name=f"agency:{name}")
    return apps.get_model("accounts", "Agency").objects.create(name=name, kind=kind, group=group)


def test_the_commissioning_lines_their_history_and_the_permission_move_with_the_model(replay_database: str) -> None:
    assert connection.settings_dict["NAME"] == replay_database
    old = migrated_to(BEFORE)
    body = agency(old, "West commissioning body", "commissioner")
    bristol = agency(old, "Bristol YJS (migration)", "yjs")
    banes = agency(old, "BANES YJS (migration)", "yjs")
    OldCommissioning = old.get_model("reporting", "Commissioning")
    kept = OldCommissioning.objects.create(commissioner_agency=body, yjs=bristol)
    OldCommissioning.objects.create(commissioner_agency=body, yjs=banes).delete()
    # As an existing database has them: the content type, the permission on it, a group holding it.
    content_types = old.get_model("contenttypes", "ContentType").objects
    commissioning_type, _ = content_types.get_or_create(app_label="reporting", model="commissioning")
    permission, _ = old.get_model("auth", "Permission").objects.get_or_create(
        content_type=commissioning_type, codename="read_aggregate_reports", defaults={"name": "Read aggregate reports"}
    )
    role_group = old.get_model("auth", "Group").objects.create(name="role:commissioner (migration)")
    role_group.permissions.add(permission)
    history_before = list(
        old.get_model("reporting", "CommissioningHistory")
        .objects.order_by("pgh_id")
        .values_list("pgh_label", "pgh_obj_id")
    )

    new = migrated_to(AFTER)

    Commissioning = new.get_model("accounts", "Commissioning")
    line = Commissioning.objects.get()
    assert (line.pk, line.commissioner_agency_id, line.yjs_id) == (kept.pk, body.pk, bristol.pk)
    History = new.get_model("accounts", "CommissioningHistory")
    assert list(History.objects.order_by("pgh_id").values_list("pgh_label", "pgh_obj_id")) == history_before
    assert [label for label, _ in history_before] == ["insert", "insert", "delete"]
    # The triggers were installed again on the renamed table: new lines keep their history.
    added = Commissioning.objects.create(commissioner_agency_id=body.pk, yjs_id=banes.pk)
    assert History.objects.filter(pgh_obj_id=added.pk, pgh_label="insert").count() == 1
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass('reporting_commissioning'), to_regclass('accounts_commissioning')")
        assert cursor.fetchone() == (None, "accounts_commissioning")
    # The permission is still reporting's, still held by the group; the content type moved with the model.
    moved = new.get_model("auth", "Permission").objects.select_related("content_type").get(pk=permission.pk)
    assert (moved.content_type.app_label, moved.content_type.model) == ("reporting", "summarydocument")
    assert list(role_group.permissions.values_list("pk", flat=True)) == [permission.pk]
    assert content_types.get(pk=commissioning_type.pk).app_label == "accounts"

    # And back: the rows return to reporting's tables, the permission to Commissioning.
    undone = migrated_to(BEFORE)
    assert list(undone.get_model("reporting", "Commissioning").objects.order_by("pk").values_list("pk", flat=True)) == [
        kept.pk,
        added.pk,
    ]
    back = undone.get_model("auth", "Permission").objects.select_related("content_type").get(pk=permission.pk)
    assert (back.content_type.app_label, back.content_type.model) == ("reporting", "commissioning")
