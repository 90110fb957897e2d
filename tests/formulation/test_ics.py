"""The .ics files, parsed back with the icalendar library: method, UID, SEQUENCE, times in UTC on
either side of the clock change, attendees, and no child's name anywhere."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.core import mail
from icalendar import Calendar

from formulation import ics
from formulation.models import Meeting
from formulation.services import invitation_withdraw, meeting_cancel, meeting_change
from tests.conftest import Cast
from tests.formulation.helpers import GP_EMAIL, SUMMER_DAY, WINTER_DAY, calendar_in, gp_invitee, uk_time


def the_event(calendar: Calendar) -> Any:
    [event] = calendar.walk("VEVENT")
    return event


def test_an_invitation_parses_with_everything_a_calendar_needs(cast: Cast, meeting: Meeting) -> None:
    calendar = Calendar.from_ical(
        ics.calendar_for(meeting, method=ics.Method.REQUEST, attendees=meeting.invitations.all())
    )
    assert str(calendar["method"]) == "REQUEST"
    assert str(calendar["version"]) == "2.0"
    assert str(calendar["prodid"]) == ics.PRODID
    event = the_event(calendar)
    assert str(event["uid"]) == meeting.ics_uid
    assert event["sequence"] == 0
    assert event.decoded("dtstamp").tzinfo is not None
    assert str(event["summary"]) == f"ECM formulation meeting – case {cast.case.pk} (K.B.)"
    assert str(event["location"]) == "Meeting room 2, Fernbrook Academy"
    assert str(event["url"]).endswith(f"/cases/{cast.case.pk}/meetings/{meeting.pk}/")
    assert str(event["status"]) == "CONFIRMED"
    assert str(event["organizer"]) == f"mailto:{cast.senior_practitioner.email}"
    assert event["organizer"].params["CN"] == "Jordan Reeve"
    attendees = {str(attendee).removeprefix("mailto:"): attendee.params for attendee in event["attendee"]}
    assert sorted(attendees) == sorted([cast.teacher.email, GP_EMAIL])
    for params in attendees.values():
        assert params["PARTSTAT"] == "NEEDS-ACTION"
        assert params["RSVP"] == "TRUE"
        assert params["ROLE"] == "REQ-PARTICIPANT"
    assert attendees[GP_EMAIL]["CN"] == "Dr Imogen Vale"


def test_a_summer_meeting_is_an_hour_earlier_in_utc(schedule: Callable[..., Meeting]) -> None:
    meeting = schedule(starts_at=uk_time(SUMMER_DAY, 10), ends_at=uk_time(SUMMER_DAY, 11, 30))
    raw = ics.calendar_for(meeting, method=ics.Method.REQUEST, attendees=meeting.invitations.all()).decode()
    assert f"DTSTART:{SUMMER_DAY:%Y%m%d}T090000Z" in raw
    assert f"DTEND:{SUMMER_DAY:%Y%m%d}T103000Z" in raw
    event = the_event(Calendar.from_ical(raw))
    assert event.decoded("dtstart") == dt.datetime.combine(SUMMER_DAY, dt.time(9, 0), tzinfo=dt.UTC)
    assert event.decoded("dtend") == dt.datetime.combine(SUMMER_DAY, dt.time(10, 30), tzinfo=dt.UTC)


def test_a_winter_meeting_is_the_same_hour_in_utc(schedule: Callable[..., Meeting]) -> None:
    meeting = schedule(starts_at=uk_time(WINTER_DAY, 10), ends_at=uk_time(WINTER_DAY, 11, 30))
    event = the_event(Calendar.from_ical(ics.calendar_for(meeting, method=ics.Method.REQUEST)))
    assert event.decoded("dtstart") == dt.datetime.combine(WINTER_DAY, dt.time(10, 0), tzinfo=dt.UTC)
    assert event.decoded("dtend") == dt.datetime.combine(WINTER_DAY, dt.time(11, 30), tzinfo=dt.UTC)


def test_the_uid_stays_and_the_sequence_rises_from_invitation_to_update_to_cancellation(
    cast: Cast, schedule: Callable[..., Meeting], django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        meeting = schedule(invitees=[gp_invitee()])
    with django_capture_on_commit_callbacks(execute=True):
        meeting = meeting_change(
            meeting=meeting,
            actor=cast.senior_practitioner,
            starts_at=uk_time(WINTER_DAY, 14),
            ends_at=uk_time(WINTER_DAY, 15),
            location="Meeting room 2, Fernbrook Academy",
        )
    with django_capture_on_commit_callbacks(execute=True):
        meeting_cancel(meeting=meeting, actor=cast.senior_practitioner, reason="The family has moved away.")

    calendars = [calendar_in(message) for message in mail.outbox]
    events = [the_event(calendar) for calendar in calendars]
    assert [str(calendar["method"]) for calendar in calendars] == ["REQUEST", "REQUEST", "CANCEL"]
    assert {str(event["uid"]) for event in events} == {meeting.ics_uid}
    assert [event["sequence"] for event in events] == [0, 1, 2]
    assert [str(event["status"]) for event in events] == ["CONFIRMED", "CONFIRMED", "CANCELLED"]
    assert events[1].decoded("dtstart") == dt.datetime.combine(WINTER_DAY, dt.time(14, 0), tzinfo=dt.UTC)
    assert [str(event["attendee"]) for event in events] == [f"mailto:{GP_EMAIL}"] * 3
    assert "RSVP" not in events[2]["attendee"].params  # a cancellation asks for no reply


def test_a_withdrawn_invitation_keeps_the_uid_and_names_only_that_person(
    cast: Cast, meeting: Meeting, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        invitation_withdraw(invitation=meeting.invitations.get(email=GP_EMAIL), actor=cast.senior_practitioner)
    [message] = mail.outbox
    event = the_event(calendar_in(message))
    assert str(event["uid"]) == meeting.ics_uid
    assert event["sequence"] == 1
    assert str(event["attendee"]) == f"mailto:{GP_EMAIL}"
    assert "withdrawn" in str(event["description"])


def test_no_file_names_the_child(cast: Cast, meeting: Meeting) -> None:
    for method in ics.Method:
        raw = ics.calendar_for(meeting, method=method, attendees=meeting.invitations.all()).decode()
        assert "Kai" not in raw
        assert "Brennan" not in raw
        assert cast.case.child.reference not in raw


def test_a_downloaded_file_is_published_without_attendees(meeting: Meeting) -> None:
    calendar = Calendar.from_ical(
        ics.calendar_for(meeting, method=ics.Method.PUBLISH, attendees=meeting.invitations.all())
    )
    assert str(calendar["method"]) == "PUBLISH"
    event = the_event(calendar)
    assert "attendee" not in event
    assert str(event["uid"]) == meeting.ics_uid


def test_lines_are_folded_and_end_with_crlf_as_rfc_5545_asks(meeting: Meeting) -> None:
    raw = ics.calendar_for(meeting, method=ics.Method.REQUEST, attendees=meeting.invitations.all())
    lines = raw.split(b"\r\n")
    assert lines[0] == b"BEGIN:VCALENDAR"
    assert lines[-2] == b"END:VCALENDAR" and lines[-1] == b""
    assert all(len(line) <= 75 for line in lines)
    assert b"\n" not in raw.replace(b"\r\n", b"")
