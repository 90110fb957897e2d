"""Consent to share, as the access module sees it: the network's view of a case's shared summary stops at
once when the latest consent record about sharing it is a withdrawal (or a refusal), until consent is given
again or a senior practitioner records a lawful basis to continue (issue 17).

The consent history is `referrals.ConsentRecord` (referrals/consent_models.py), reached here by its reverse
field name and table name only: `cases` never imports the apps above it. The condition is applied where the
shared relation is computed, in the person's standing (cases/access/standing.py) and, the other way round,
in "who can see this case" (cases/access/viewers.py), so every page, API, PDF, search and notice follows.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import BooleanField, Q
from django.db.models.expressions import RawSQL

from cases.models import Case

# The purpose whose withdrawal ends the network's view, and the kinds that stop it (referrals.consent_models).
SHARE_PURPOSE = "share_summary"
STOPPING_KINDS = ("refused", "withdrawn")
LAWFUL_BASIS = "lawful_basis"
RELATED_NAME = "consent_records"  # Case → referrals.ConsentRecord


def _records_table() -> str:
    table: str = Case._meta.get_field(RELATED_NAME).related_model._meta.db_table  # type: ignore[union-attr]
    return table


def _stopped_sql(case: str, purpose: str, kinds: str) -> str:
    return f"""EXISTS (
        SELECT 1 FROM (
          SELECT r.kind FROM {_records_table()} r
           WHERE r.case_id = {case} AND {purpose} = ANY(r.purposes)
           ORDER BY r.recorded_at DESC, r.id DESC LIMIT 1
        ) AS latest_consent WHERE latest_consent.kind = ANY({kinds}))"""  # noqa: S608 - values are parameters


def sharing_stopped_sql(case_column: str, prefix: str) -> str:
    """An SQL condition: the latest consent record about sharing the summary of the case `case_column` names
    stops it. Its parameters (named) are `sharing_stopped_params(prefix)`."""
    return _stopped_sql(case_column, f"%({prefix}__share_purpose)s", f"%({prefix}__stopping_kinds)s")


def sharing_stopped_params(prefix: str) -> dict[str, Any]:
    return {f"{prefix}__share_purpose": SHARE_PURPOSE, f"{prefix}__stopping_kinds": list(STOPPING_KINDS)}


def sharing_stands(case: Case) -> Q:
    """The same rule as a condition for any query (true while consent to share this case's summary stands)."""
    sql = "NOT " + _stopped_sql("%s", "%s", "%s")
    values = (case.pk, SHARE_PURPOSE, list(STOPPING_KINDS))
    return Q(RawSQL(sql, values, output_field=BooleanField()))  # noqa: S611 - the table name from metadata, values are parameters


@dataclass(frozen=True)
class SharingState:
    """Whether the network sees the case's shared summary as far as consent goes, and why (the Network page).

    `stopped_on`/`stopped_kind`: the withdrawal or refusal that stopped sharing (the latest one); `lawful_basis`:
    the referrals.ConsentRecord of the lawful basis under which sharing continues despite it, if any.
    """

    stopped: bool
    stopped_on: dt.date | None = None
    stopped_kind: str = ""
    lawful_basis: Any = None

    @property
    def continues_on_lawful_basis(self) -> bool:
        return not self.stopped and self.lawful_basis is not None


def sharing_state(case: Case) -> SharingState:
    """The case's sharing as the consent history says (one query; the same rule as `sharing_stopped_sql`)."""
    records = getattr(case, RELATED_NAME).filter(purposes__contains=[SHARE_PURPOSE]).order_by("-recorded_at", "-pk")
    return sharing_state_from(list(records.select_related("recorded_by")[:2]))


def sharing_state_from(records: list[Any]) -> SharingState:
    """The same, from the case's consent records about sharing its summary, newest first (at least the latest two)."""
    records = [record for record in records if SHARE_PURPOSE in record.purposes]
    if not records or records[0].kind == "given":
        return SharingState(stopped=False)
    latest = records[0]
    if latest.kind in STOPPING_KINDS:
        return SharingState(stopped=True, stopped_on=latest.on, stopped_kind=latest.kind)
    # A lawful basis (recorded only while sharing is stopped): it answers the withdrawal or refusal before it.
    before = records[1] if len(records) > 1 and records[1].kind in STOPPING_KINDS else None
    return SharingState(
        stopped=False,
        stopped_on=before.on if before is not None else None,
        stopped_kind=before.kind if before is not None else "",
        lawful_basis=latest,
    )


def sharing_stopped(case: Case) -> bool:
    """Has consent to share this case's summary been withdrawn (or refused), with no lawful basis since?"""
    latest = (
        getattr(case, RELATED_NAME)
        .filter(purposes__contains=[SHARE_PURPOSE])
        .order_by("-recorded_at", "-pk")
        .values_list("kind", flat=True)
        .first()
    )
    return latest in STOPPING_KINDS
