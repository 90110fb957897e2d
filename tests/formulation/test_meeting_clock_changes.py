"""Meeting times around the UK clock changes: a time the clocks skip is a plain error on its field (never a
database error), and the hour that happens twice gives a meeting of the right length."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from core.forms import is_repeated_time, local_moment
from formulation.forms.meetings import MeetingDetailsForm
from formulation.models import Meeting
from tests.conftest import Cast
from tests.formulation.test_views import schedule_form, teacher_key

SPRING_FORWARD = dt.date(2026, 3, 29)  # 1am GMT becomes 2am BST
FALL_BACK = dt.date(2026, 10, 25)  # 2am BST becomes 1am GMT
BEFORE_BOTH = dt.datetime(2026, 1, 10, 9, 0, tzinfo=dt.UTC)


def details(day: dt.date, start: str, end: str) -> MeetingDetailsForm:
    data: dict[str, Any] = {
        "day_day": str(day.day),
        "day_month": str(day.month),
        "day_year": str(day.year),
        "start_time": start,
        "end_time": end,
        "location": "Meeting room 2, Fernbrook Academy",
    }
    return MeetingDetailsForm(data)


def test_a_time_the_clocks_skip_is_refused_in_plain_words() -> None:
    with pytest.raises(ValidationError) as error:
        local_moment(SPRING_FORWARD, dt.time(1, 30))
    assert error.value.messages == [
        "1:30am on 29 March 2026 does not exist in the UK because the clocks go forward. Choose another time."
    ]
    assert local_moment(SPRING_FORWARD, dt.time(0, 59)) == dt.datetime(2026, 3, 29, 0, 59, tzinfo=dt.UTC)
    assert local_moment(SPRING_FORWARD, dt.time(2, 0)) == dt.datetime(2026, 3, 29, 1, 0, tzinfo=dt.UTC)
    assert not is_repeated_time(SPRING_FORWARD, dt.time(1, 30))


def test_the_repeated_hour_is_the_first_time_round_unless_the_end_comes_before_the_start() -> None:
    assert is_repeated_time(FALL_BACK, dt.time(1, 30)) and not is_repeated_time(FALL_BACK, dt.time(2, 30))
    start = local_moment(FALL_BACK, dt.time(1, 45))
    assert start == dt.datetime(2026, 10, 25, 0, 45, tzinfo=dt.UTC)  # 1:45am BST
    later = local_moment(FALL_BACK, dt.time(1, 55), later_than=start)
    assert later - start == dt.timedelta(minutes=10)  # still summer time
    second_time_round = local_moment(FALL_BACK, dt.time(1, 15), later_than=start)
    assert second_time_round == dt.datetime(2026, 10, 25, 1, 15, tzinfo=dt.UTC)  # 1:15am GMT
    assert second_time_round - start == dt.timedelta(minutes=30)


@time_machine.travel(BEFORE_BOTH, tick=False)
@pytest.mark.django_db
def test_the_form_puts_the_gap_error_on_the_field_typed() -> None:
    form = details(SPRING_FORWARD, "01:30", "02:30")
    assert not form.is_valid()
    assert form.errors["start_time"] == [
        "1:30am on 29 March 2026 does not exist in the UK because the clocks go forward. Choose another time."
    ]
    assert "end_time" not in form.errors
    form = details(SPRING_FORWARD, "00:30", "1.15")
    assert not form.is_valid()
    assert form.errors["end_time"] == [
        "1:15am on 29 March 2026 does not exist in the UK because the clocks go forward. Choose another time."
    ]
    # Across the gap: 12:30am GMT to 2:30am BST is one hour.
    form = details(SPRING_FORWARD, "00:30", "02:30")
    assert form.is_valid(), form.errors
    assert form.details()["ends_at"] - form.details()["starts_at"] == dt.timedelta(hours=1)


@time_machine.travel(BEFORE_BOTH, tick=False)
@pytest.mark.django_db
def test_the_form_gives_the_repeated_hour_its_true_length() -> None:
    form = details(FALL_BACK, "00:30", "01:30")  # midnight-thirty BST to 1:30am BST
    assert form.is_valid(), form.errors
    assert form.details()["ends_at"] - form.details()["starts_at"] == dt.timedelta(hours=1)
    form = details(FALL_BACK, "01:30", "01:10")  # 1:30am BST to 1:10am GMT
    assert form.is_valid(), form.errors
    assert form.details()["ends_at"] - form.details()["starts_at"] == dt.timedelta(minutes=40)
    form = details(FALL_BACK, "01:30", "03:00")  # 1:30am BST to 3am GMT: two and a half hours
    assert form.is_valid(), form.errors
    assert form.details()["ends_at"] - form.details()["starts_at"] == dt.timedelta(hours=2, minutes=30)


def _next_spring_forward() -> dt.date:
    """The last Sunday of March next year (always in the future, so the page's other checks pass)."""
    year = timezone.localdate().year + 1
    day = dt.date(year, 3, 31)
    return day - dt.timedelta(days=(day.weekday() + 1) % 7)


def test_the_schedule_page_shows_the_gap_error_and_saves_nothing(cast: Cast) -> None:
    day = _next_spring_forward()
    client = Client()
    client.force_login(cast.senior_practitioner)
    data = schedule_form(day, start_time="01:30", end_time="02:30", chosen=[teacher_key(cast)])
    response = client.post(f"/cases/{cast.case.pk}/meetings/new/", data)
    page = response.content.decode()
    assert response.status_code == 200
    assert f"1:30am on {day.day} March {day.year} does not exist in the UK because the clocks go forward." in page
    assert 'href="#id_start_time"' in page
    assert "meeting_ends_after_start" not in page
    assert Meeting.objects.count() == 0
