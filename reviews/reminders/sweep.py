"""The sweep: every registered source's due rows written down as Reminder rows, once each."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import connection, transaction
from django.db.models import QuerySet
from django.utils import timezone

from core.reminders import DUE_COLUMNS, ReminderSource, reminder_sources
from reviews.models import Reminder

logger = logging.getLogger(__name__)


def registered_sources() -> Sequence[ReminderSource]:
    """The sources the apps registered in their AppConfig.ready() (core/reminders.py)."""
    return reminder_sources()


def source_for(kind: str, sources: Sequence[ReminderSource] | None = None) -> ReminderSource:
    for source in registered_sources() if sources is None else sources:
        if source.kind == kind:
            return source
    raise LookupError(f"No reminder source is registered for {kind!r}")


def _insert_due(rows: QuerySet[Any], *, now: dt.datetime) -> int:
    """INSERT the rows as reminders in one statement, skipping those that exist already."""
    try:
        select_sql, select_params = rows.query.sql_with_params()
    except EmptyResultSet:  # the source answered with .none()
        return 0
    quote = connection.ops.quote_name
    columns = ", ".join(quote(column) for column in [*DUE_COLUMNS, "created_at", "next_attempt_at", "attempts"])
    due = ", ".join(f"due.{quote(alias)}" for alias in DUE_COLUMNS.values())
    # Identifiers come from the model and DUE_COLUMNS, values travel as parameters.
    statement = (
        f"INSERT INTO {quote(Reminder._meta.db_table)} ({columns}, last_error, outcome) "  # noqa: S608
        f"SELECT {due}, %s, %s, 0, '', '' FROM ({select_sql}) AS due "
        "ON CONFLICT ON CONSTRAINT reminder_once DO NOTHING"
    )
    with connection.cursor() as cursor:
        cursor.execute(statement, (now, now, *select_params))
        return cursor.rowcount


@transaction.atomic
def reminders_sweep(
    *, today: dt.date | None = None, now: dt.datetime | None = None, sources: Sequence[ReminderSource] | None = None
) -> dict[str, int]:
    """Write down every reminder due by `today` that does not exist yet; how many each source added."""
    now = now or timezone.now()
    today = today or timezone.localdate(now)
    created: dict[str, int] = {}
    for source in registered_sources() if sources is None else sources:
        created[source.kind] = _insert_due(source.due(today), now=now)
    if any(created.values()):
        logger.info("Reminder sweep for %s added %s", today, created)
    return created
