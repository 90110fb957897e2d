"""The legal deadline of a subject access request: one calendar month from the day it was received.

UK GDPR (Article 12(3)) and the ICO's guidance: the month runs from the day of receipt to the
corresponding date of the next month; when that month has no such date (received on 31 January),
the last day of the month; when the date falls on a weekend, the next working day. Bank holidays are
not counted out (as in core/working_days.py): the deadline may come a day early, never late.
"""

from __future__ import annotations

import calendar
import datetime as dt

from core.working_days import is_working_day


def subject_access_due_on(received_on: dt.date) -> dt.date:
    """The day the response is due by, for a request received on `received_on`."""
    year, month = (received_on.year + 1, 1) if received_on.month == 12 else (received_on.year, received_on.month + 1)
    last_day = calendar.monthrange(year, month)[1]
    due = dt.date(year, month, min(received_on.day, last_day))
    while not is_working_day(due):
        due += dt.timedelta(days=1)
    return due
