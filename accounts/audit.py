"""The access log: one function writes every access event, with the request's origin attached."""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from typing import Any

from django.db import connection
from django.utils import timezone

from accounts.models import AccessAction, AccessEvent
from accounts.request_context import current_origin


def access_event_record(
    *,
    user: Any,
    action: str,
    record_type: str,
    record_id: object = "",
    case_id: int | None = None,
    description: str = "",
    case_ids: Iterable[int | None] = (),
    referral_ids: Iterable[int | None] = (),
) -> AccessEvent:
    """Append one access event for `user`; the origin comes from the current request, if any.

    `case_ids` (and `referral_ids`) name every case (referral) a list or search page showed."""
    origin = current_origin.get()
    path = origin.path
    if action == AccessAction.SEARCH:
        # A search's query string holds its terms, which may name a child: the log keeps only the page.
        path = path.split("?", 1)[0]
    event = AccessEvent(
        at=timezone.now(),
        user=user,
        action=AccessAction(action),
        record_type=record_type,
        record_id=str(record_id),
        case_id=case_id,
        description=description[:300],
        case_ids=sorted({pk for pk in case_ids if pk is not None}),
        referral_ids=sorted({pk for pk in referral_ids if pk is not None}),
        ip_address=origin.ip_address,
        user_agent=origin.user_agent[:300],
        path=path[:500],
    )
    with connection.cursor() as cursor:
        cursor.execute(
            _insert_sql(), [field.get_db_prep_save(getattr(event, field.attname), connection) for field in _FIELDS]
        )
        event.pk = cursor.fetchone()[0]
    event._state.adding = False
    return event


# Every field but the id, in the order of the INSERT's columns.
_FIELDS = tuple(field for field in AccessEvent._meta.concrete_fields if not field.primary_key)


@functools.cache
def _insert_sql() -> str:
    """One plain INSERT, written once: every page that shows a child writes an event, and the ORM's save (the
    model's pre-save, the compiler) cost as much as the statement itself (0.4 of 1.0 ms; issue 14). The values
    are prepared by each field as the ORM would (`get_db_prep_save`), and the time is the app's clock."""
    quote = connection.ops.quote_name
    columns = ", ".join(quote(field.column) for field in _FIELDS)
    values = ", ".join(["%s"] * len(_FIELDS))
    table = quote(AccessEvent._meta.db_table)
    return f"INSERT INTO {table} ({columns}) VALUES ({values}) RETURNING {quote('id')}"  # noqa: S608 - model names


# What a list page's event says: its record_type, and the names of the lists (the description).
LIST_RECORD_TYPE = "case list"
LIST_HOME = "home page"
LIST_CASELOAD = "caseload"
LIST_SEARCH = "search results"
LIST_TRIAGE = "triage queue"
LIST_ACTIONS = "my actions"
LIST_MEETINGS = "my meetings"
LIST_API = "case list API"
LIST_MY_REFERRALS = "my referrals"
LIST_SUBJECT_ACCESS = "subject access requests"


def list_view_record(
    *,
    user: Any,
    list_name: str,
    case_ids: Sequence[int | None] = (),
    referral_ids: Sequence[int | None] = (),
) -> AccessEvent | None:
    """One access event for one view of a list page that showed children: a single INSERT naming the
    cases it showed (and any referrals not yet a case), from rows the page already fetched.

    `list_name` names the list ("caseload", "search results"), never a child or a search term. A page
    that showed nobody writes nothing.
    """
    if not any(pk is not None for pk in (*case_ids, *referral_ids)):
        return None
    return access_event_record(
        user=user,
        action=AccessAction.VIEW,
        record_type=LIST_RECORD_TYPE,
        description=list_name,
        case_ids=case_ids,
        referral_ids=referral_ids,
    )
