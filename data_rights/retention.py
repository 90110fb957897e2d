"""Retention rules: when a closed case is due for review (settings.ECM_RETENTION), and which cases are due.

A closed case is due `closed_case_years` (6) after it closed. If it holds a formulation report (a psychology
report) it is also kept until the child's `report_until_age` (25th) birthday and `report_years_after_last_contact`
(8) years after the case's last contact: the review date is the latest of these. A case kept at a review is due
again on the review's next review date. `review_date` is the rule; `cases_due` lists the cases due on a day in
one SQL statement.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Exists, OuterRef, Subquery
from django.db.models.functions import TruncDate
from django.utils import timezone

from cases.models import Case, CaseStatus, Contact
from data_rights.models import RetentionReview, RetentionStatus
from formulation.models import FormulationReport


@dataclass(frozen=True)
class RetentionRules:
    closed_case_years: int
    report_until_age: int
    report_years_after_last_contact: int


def retention_rules() -> RetentionRules:
    """The rules from settings (ECM_RETENTION_* in the environment)."""
    return RetentionRules(**{key: int(value) for key, value in settings.ECM_RETENTION.items()})


def add_years(day: dt.date, years: int) -> dt.date:
    """The same day `years` later; 29 February becomes 28 February in a year that has none."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def review_date(
    *,
    closed_on: dt.date,
    has_report: bool,
    date_of_birth: dt.date,
    last_contact_on: dt.date | None,
    rules: RetentionRules | None = None,
) -> dt.date:
    """When a closed case is due for review: the later of closure + N years and, with a psychology report, the
    later of the child's birthday at the given age and the last contact (or, with none, the closure) + M years."""
    rules = rules or retention_rules()
    due = add_years(closed_on, rules.closed_case_years)
    if has_report:
        after_contact = add_years(last_contact_on or closed_on, rules.report_years_after_last_contact)
        due = max(due, add_years(date_of_birth, rules.report_until_age), after_contact)
    return due


@dataclass(frozen=True)
class DueCase:
    case_id: int
    due_on: dt.date


def cases_due(today: dt.date, *, rules: RetentionRules | None = None) -> list[DueCase]:
    """The closed cases due for review on `today` and not yet listed: one SQL statement, the rule applied to its rows.

    Left out: anonymised cases, cases with a review still waiting for a decision, and cases kept until a later
    date. A case kept at a review is due again on its next review date (or its rule date, if later)."""
    rules = rules or retention_rules()
    tz = timezone.get_current_timezone()
    # Every rule date is at least closure + N years: only cases closed that long ago can be due.
    latest_closure = add_years(today, -rules.closed_case_years)
    reviews = RetentionReview.objects.filter(case=OuterRef("pk"))
    rows = (
        Case.objects.filter(status=CaseStatus.CLOSED, closed_at__isnull=False)
        .annotate(closed_on=TruncDate("closed_at", tzinfo=tz))
        .filter(closed_on__lte=latest_closure)
        .exclude(Exists(reviews.filter(status__in=[RetentionStatus.DUE, RetentionStatus.ANONYMISED])))
        .exclude(Exists(reviews.filter(status=RetentionStatus.KEPT, next_review_on__gt=today)))
        .annotate(
            has_report=Exists(FormulationReport.objects.filter(case=OuterRef("pk"))),
            # Subqueries, not joins: each reads its index for one row per case.
            last_contact=Subquery(
                Contact.objects.filter(case=OuterRef("pk")).order_by("-occurred_at").values("occurred_at")[:1]
            ),
            kept_until=Subquery(
                reviews.filter(status=RetentionStatus.KEPT).order_by("-next_review_on").values("next_review_on")[:1]
            ),
        )
        .values_list("pk", "closed_on", "has_report", "child__date_of_birth", "last_contact", "kept_until")
        .order_by("pk")
    )
    due: list[DueCase] = []
    for case_id, closed_on, has_report, date_of_birth, last_contact, kept_until in rows:
        last_contact_on = timezone.localtime(last_contact, tz).date() if last_contact else None
        on = review_date(
            closed_on=closed_on,
            has_report=has_report,
            date_of_birth=date_of_birth,
            last_contact_on=last_contact_on,
            rules=rules,
        )
        if kept_until is not None:
            on = max(on, kept_until)
        if on <= today:
            due.append(DueCase(case_id, on))
    return due
