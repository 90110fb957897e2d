"""What each row of the triage queue says, as words (core.rows): the template only places them. Resolving each
referral's link, date and urgency there, with an include per row, was most of the queue's time (issue 14)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import TypedDict

from core.rows import id_url, table_date
from referrals.models import Referral
from referrals.selectors import days_waiting


class TriageRow(TypedDict):
    referral_id: int
    case_id: int | None
    url: str
    child: str
    service: str
    referrer: str
    urgency: str  # the tag's words
    urgency_colour: str  # the tag's colour (govuk-tag--<colour>)
    submitted: str
    days_waiting: str  # "" before submission


def triage_rows(referrals: Iterable[Referral], today: dt.date) -> list[TriageRow]:
    """Each referral waiting for triage as the queue shows it."""
    url_of = id_url("referrals:detail")
    rows: list[TriageRow] = []
    for referral in referrals:
        words, colour = referral.urgency_tag
        waiting = days_waiting(referral, today)
        rows.append(
            {
                "referral_id": referral.pk,
                "case_id": referral.case_id,
                "url": url_of(referral.pk),
                "child": referral.child.full_name,
                "service": referral.referring_yjs.name,
                "referrer": referral.referrer.get_full_name(),
                "urgency": words,
                "urgency_colour": colour,
                "submitted": table_date(referral.submitted_at),
                "days_waiting": "" if waiting is None else str(waiting),
            }
        )
    return rows
