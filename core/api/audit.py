"""Every API read in the access log, like a page's.

- One record (detail, update, action): the view fetches it with the access module's `get_*_for`, which
  writes the access event itself (a view, or the refusal) — exactly as the page does.
- A list: one event per page returned, naming every case (and referral not yet a case) on it, written
  by `record_page` from the rows already fetched (`accounts.audit.list_view_record`: one INSERT).
- A search: the same, as a search event whose path keeps no search terms.
"""

from __future__ import annotations

import operator
from collections.abc import Sequence
from typing import Any


def _ids(rows: Sequence[Any], field: str | None) -> list[int | None]:
    if not field:
        return []
    read = operator.attrgetter(field)
    return [row[field] if isinstance(row, dict) else read(row) for row in rows]


def record_page(
    *,
    user: Any,
    list_name: str,
    rows: Sequence[Any],
    case_field: str | None,
    referral_field: str | None = None,
    search: bool = False,
) -> None:
    """One access event for one page of an API list (none when the page named no case or referral)."""
    # core sits below accounts: the access log is reached at call time, never at import time.
    from accounts.audit import access_event_record, list_view_record
    from accounts.models import AccessAction

    case_ids, referral_ids = _ids(rows, case_field), _ids(rows, referral_field)
    if search:
        access_event_record(
            user=user,
            action=AccessAction.SEARCH,
            record_type=list_name,
            description=f"{len(rows)} found on this page",
            case_ids=case_ids,
            referral_ids=referral_ids,
        )
        return
    list_view_record(user=user, list_name=list_name, case_ids=case_ids, referral_ids=referral_ids)
