"""What a report covers: a period (whole days in UK time) and a set of youth justice services.

The services always come from the access module (`cases.access.reportable_agencies`): a person can
narrow them, never widen them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone

from accounts.models import Agency
from cases import access

# Periods longer than this are shown by year rather than by month.
MONTHLY_UP_TO_MONTHS = 24
LONGEST_PERIOD_YEARS = 10


def _day(value: dt.date) -> str:
    return f"{value.day} {value:%B %Y}"


def default_period(today: dt.date) -> tuple[dt.date, dt.date]:
    """The last 12 months: this month so far and the 11 whole months before it."""
    month = today.month - 11
    year = today.year
    if month < 1:
        month += 12
        year -= 1
    return dt.date(year, month, 1), today


def _midnight(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


@dataclass(frozen=True)
class ReportScope:
    """A period from `start` to `end` (both included) over `agencies`, as it stands on `today`."""

    start: dt.date
    end: dt.date
    agencies: tuple[Agency, ...]
    today: dt.date

    @property
    def agency_ids(self) -> list[int]:
        return [agency.pk for agency in self.agencies]

    @property
    def start_at(self) -> dt.datetime:
        return _midnight(self.start)

    @property
    def end_at(self) -> dt.datetime:
        """The first moment after the period (exclusive)."""
        return _midnight(self.end + dt.timedelta(days=1))

    @property
    def by_month(self) -> bool:
        months = (self.end.year - self.start.year) * 12 + self.end.month - self.start.month + 1
        return months <= MONTHLY_UP_TO_MONTHS

    @property
    def buckets(self) -> list[dt.date]:
        """The first day of each month (or year) the period touches, in order."""
        if not self.by_month:
            return [dt.date(year, 1, 1) for year in range(self.start.year, self.end.year + 1)]
        buckets, year, month = [], self.start.year, self.start.month
        while (year, month) <= (self.end.year, self.end.month):
            buckets.append(dt.date(year, month, 1))
            month += 1
            if month > 12:
                month, year = 1, year + 1
        return buckets

    def bucket_label(self, bucket: dt.date) -> str:
        return f"{bucket:%b %Y}" if self.by_month else str(bucket.year)

    @property
    def period_text(self) -> str:
        return f"{_day(self.start)} to {_day(self.end)}"

    @property
    def agencies_text(self) -> str:
        names = [agency.name for agency in self.agencies]
        if len(names) <= 3:
            return ", ".join(names) or "no services"
        return f"{len(names)} services"

    def sql_params(self) -> dict[str, Any]:
        """The parameters every query in reporting/queries.py takes."""
        return {
            "agencies": self.agency_ids,
            "start": self.start,
            "end": self.end,
            "start_at": self.start_at,
            "end_at": self.end_at,
            "today": self.today,
            "tz": settings.TIME_ZONE,
            "bucket": "month" if self.by_month else "year",
        }


def reportable_services(user: Any) -> QuerySet[Agency]:
    """Every service the person may report on, in the order a report lists them (its cache key names them in it)."""
    return access.reportable_agencies(user).order_by("name")


def report_scope(
    user: Any,
    *,
    start: dt.date | None = None,
    end: dt.date | None = None,
    agency_ids: Iterable[int] = (),
    today: dt.date | None = None,
) -> ReportScope:
    """The scope a person asked for, within what they may see (every service they may see when none chosen)."""
    today = today or timezone.localdate()
    default_start, default_end = default_period(today)
    allowed = list(reportable_services(user))
    chosen = set(agency_ids)
    agencies = [agency for agency in allowed if agency.pk in chosen] if chosen else allowed
    return ReportScope(start=start or default_start, end=end or default_end, agencies=tuple(agencies), today=today)
