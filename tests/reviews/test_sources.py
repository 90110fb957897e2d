"""Working days in Python and SQL, and the source contract: a new kind of reminder plugs in with a
small class, and the machinery makes it exist once and go once."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core import mail
from django.db.models import DateField, F, QuerySet, Value
from django.db.models.functions import TruncDate

from accounts.models import Agency
from cases.models import Case, CaseStatus
from core.reminders import reminder_sources
from core.working_days import AddWorkingDays, add_working_days, latest_start_due_by, working_days_between
from reviews.models import Notification, Reminder
from reviews.reminders import Message, due_rows, reminders_deliver, reminders_sweep
from tests.conftest import Cast
from tests.reviews.helpers import on

WEDNESDAY = dt.date(2026, 3, 4)
FORTNIGHT = [WEDNESDAY + dt.timedelta(days=offset) for offset in range(14)]


def test_working_days_skip_weekends() -> None:
    assert add_working_days(WEDNESDAY, 2) == dt.date(2026, 3, 6)  # Friday
    assert add_working_days(WEDNESDAY, 3) == dt.date(2026, 3, 9)  # over the weekend to Monday
    assert add_working_days(WEDNESDAY, 11) == dt.date(2026, 3, 19)
    assert add_working_days(dt.date(2026, 3, 7), 1) == dt.date(2026, 3, 9)  # Saturday to Monday
    assert add_working_days(dt.date(2026, 3, 8), 1) == dt.date(2026, 3, 9)  # Sunday to Monday
    assert working_days_between(WEDNESDAY, dt.date(2026, 3, 19)) == 11
    assert working_days_between(dt.date(2026, 3, 6), dt.date(2026, 3, 8)) == 0  # Friday to Sunday
    assert working_days_between(dt.date(2026, 3, 19), WEDNESDAY) == 0


def test_counting_and_adding_working_days_agree() -> None:
    for start in FORTNIGHT:
        for count in range(0, 30):
            assert working_days_between(start, add_working_days(start, count)) == count, (start, count)


def test_the_sweeps_bound_is_the_latest_start_already_due() -> None:
    for today in FORTNIGHT:
        for count in range(1, 16):
            latest = latest_start_due_by(today, count)
            assert add_working_days(latest, count) <= today
            assert add_working_days(latest + dt.timedelta(days=1), count) > today, (today, count)


def test_working_days_in_sql_agree_with_python(cast: Cast) -> None:
    one_row = Agency.objects.filter(pk=cast.bristol.pk)
    for start in FORTNIGHT:
        expressions = {f"plus_{count}": AddWorkingDays(Value(start, DateField()), count) for count in range(1, 25)}
        in_sql = one_row.annotate(**expressions).values(*expressions).get()
        assert in_sql == {f"plus_{count}": add_working_days(start, count) for count in range(1, 25)}, start


def test_every_registered_source_has_its_own_kind() -> None:
    kinds = [source.kind for source in reminder_sources()]
    assert len(kinds) == len(set(kinds))
    assert {"referral_awaiting_triage", "weekly_digest"} <= set(kinds)


class CaseOpenAWeek:
    """A source as a later feature would write one: a week after a case opens, tell its holder."""

    kind = "case_open_a_week"
    subject_type = "case"
    preference = "send_email"

    def due(self, today: dt.date) -> QuerySet[Any]:
        cases = Case.objects.filter(status=CaseStatus.OPEN, opened_at__date__lte=today - dt.timedelta(days=7))
        return due_rows(
            cases,
            kind=self.kind,
            subject_type=self.subject_type,
            recipient=F("case_holder_id"),
            subject=F("pk"),
            case=F("pk"),
            due_on=AddWorkingDays(TruncDate("opened_at"), 5),
        )

    def message(self, reminder: Reminder, today: dt.date) -> Message | None:
        return Message(
            title="A case has been open a week", body="Check the plan.", link=f"/cases/{reminder.subject_id}/"
        )


def test_a_new_source_plugs_in_and_its_reminders_go_once(cast: Cast) -> None:
    source = CaseOpenAWeek()
    opened_on = cast.case.opened_at.date()
    with on(opened_on + dt.timedelta(days=6)):
        assert reminders_sweep(sources=[source]) == {source.kind: 0}
    for days in (7, 8, 30):
        with on(opened_on + dt.timedelta(days=days)):
            reminders_sweep(sources=[source])
            reminders_sweep(sources=[source])
            reminders_deliver(sources=[source])
            reminders_deliver(sources=[source])
    reminder = Reminder.objects.get()
    assert (reminder.kind, reminder.recipient, reminder.case, reminder.subject_id) == (
        source.kind,
        cast.case_manager,
        cast.case,
        cast.case.pk,
    )
    assert reminder.due_on == add_working_days(opened_on, 5)
    assert Notification.objects.get().link == f"/cases/{cast.case.pk}/"
    assert [message.subject for message in mail.outbox] == ["ECM: a case has been open a week"]
