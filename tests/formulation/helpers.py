"""Helpers for the meeting tests: days in the coming winter (GMT) and summer (BST), the people to
invite, and reading the .ics files back out of the e-mails."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone
from icalendar import Calendar

from cases.models import NetworkMember
from formulation.models import Meeting, MeetingPurpose
from formulation.services import Invitee, meeting_schedule
from tests.cast import Cast  # not tests.conftest: tests.factories builds on these helpers

GP_EMAIL = "imogen.vale@avon-gp.example.org"


def next_date(month: int, day: int) -> dt.date:
    """The next `day` of `month` after today (so a meeting on it is always in the future)."""
    today = timezone.localdate()
    candidate = dt.date(today.year, month, day)
    return candidate if candidate > today else dt.date(today.year + 1, month, day)


def uk_time(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    """A wall-clock time in the UK on that day (GMT in winter, BST in summer)."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


SUMMER_DAY = next_date(6, 18)  # British Summer Time: UTC+1
WINTER_DAY = next_date(1, 22)  # Greenwich Mean Time: UTC+0


def teacher_invitee(cast: Cast) -> Invitee:
    member = NetworkMember.objects.get(case=cast.case, user=cast.teacher, removed_at__isnull=True)
    return Invitee(
        name=member.name,
        email=member.email,
        role=member.role,
        user=cast.teacher,
        network_member=member,
        agency=member.agency,
    )


def school_meeting(cast: Cast, starts_at: dt.datetime) -> Meeting:
    """A formulation meeting of Kai's network at his school, an hour long, the teacher invited."""
    return meeting_schedule(
        case=cast.case,
        actor=cast.senior_practitioner,
        purpose=MeetingPurpose.FORMULATION,
        starts_at=starts_at,
        ends_at=starts_at + dt.timedelta(hours=1),
        invitees=[teacher_invitee(cast)],
        location="Fernbrook Academy",
    )


def gp_invitee() -> Invitee:
    return Invitee(name="Dr Imogen Vale", email=GP_EMAIL, role="GP", agency_name="Avon Vale Surgery")


def calendar_in(message: Any) -> Calendar:
    """The .ics attached to an e-mail, parsed by a real calendar library."""
    [(filename, content, mimetype)] = message.attachments
    assert filename.endswith(".ics")
    assert mimetype.startswith("text/calendar; method=")
    return Calendar.from_ical(content)


def event_in(message: Any) -> Any:
    [event] = calendar_in(message).walk("VEVENT")
    return event
