"""Formulation meeting journeys in a real browser: the senior practitioner schedules a meeting inviting
the teacher from Kai's network and an outside GP, moves it, and after the meeting records attendance
and notes; the teacher sees her own invitation and nothing else.

Every page reached is screenshotted, checked for failed loads and checked with axe (support.look).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core import mail
from django.utils import timezone
from icalendar import Calendar
from playwright.sync_api import Page, expect

from formulation.models import Attendance, Meeting, MeetingPurpose, MeetingStatus
from formulation.services import meeting_schedule
from tests.browser.support import look, sign_in, sign_out, visit
from tests.conftest import Cast
from tests.formulation.helpers import GP_EMAIL, SUMMER_DAY, gp_invitee, uk_time


def banner(page: Page) -> Any:
    return page.locator(".govuk-notification-banner--success")


def error_summary(page: Page) -> Any:
    return page.locator(".govuk-error-summary")


def calendar_of(message: Any) -> Any:
    [(_, content, _)] = message.attachments
    [event] = Calendar.from_ical(content).walk("VEVENT")
    return event


def test_a_senior_practitioner_runs_a_formulation_meeting_and_the_teacher_sees_her_invitation(
    page: Page, live_server: Any, cast: Cast
) -> None:
    # Another meeting about Kai that the teacher is not invited to: she must never see it.
    other_start = uk_time(SUMMER_DAY + dt.timedelta(days=7), 15)
    not_hers = meeting_schedule(
        case=cast.case,
        actor=cast.psychologist,
        purpose=MeetingPurpose.FORMULATION,
        starts_at=other_start,
        ends_at=other_start + dt.timedelta(hours=1),
        video_link="https://meet.example.org/ecm-clinicians",
        invitees=[gp_invitee()],
    )
    mail.outbox.clear()
    meetings_url = f"/cases/{cast.case.pk}/meetings/"

    sign_in(page, live_server, cast.senior_practitioner.username, name="meetings - senior practitioner")
    visit(page, live_server, meetings_url, "meetings - the case's meetings")
    page.get_by_role("link", name="Schedule a formulation meeting").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Schedule a formulation meeting")
    look(page, "meetings - schedule form")

    # An empty form explains itself.
    page.get_by_role("button", name="Schedule and send invitations").click()
    expect(error_summary(page).get_by_role("link", name="Enter the date of the meeting")).to_be_visible()
    expect(
        error_summary(page).get_by_role("link", name="Choose at least one person to invite, or add someone else")
    ).to_be_visible()
    look(page, "meetings - schedule form errors")

    page.get_by_label("Day").fill(str(SUMMER_DAY.day))
    page.get_by_label("Month").fill(str(SUMMER_DAY.month))
    page.get_by_label("Year").fill(str(SUMMER_DAY.year))
    page.get_by_label("Start time").fill("10:00")
    page.get_by_label("End time").fill("11:30")
    page.get_by_label("Place", exact=True).fill("Meeting room 2, Fernbrook Academy")
    page.get_by_label("Helen Marsh (Designated teacher, Fernbrook Academy)").check()
    someone_else = page.get_by_role("group", name="Someone not in the network (optional)")
    someone_else.get_by_label("Full name").fill("Dr Imogen Vale")
    someone_else.get_by_label("E-mail").fill(GP_EMAIL)
    someone_else.get_by_label("Role (optional)").fill("GP")
    someone_else.get_by_label("Agency, if not listed").fill("Avon Vale Surgery")
    page.get_by_role("button", name="Schedule and send invitations").click()
    expect(banner(page)).to_contain_text("Formulation meeting scheduled: invitations sent to 2 people")
    expect(page.get_by_role("main")).to_contain_text("10:00 to 11:30 (UK time)")
    look(page, "meetings - scheduled meeting")

    meeting = Meeting.objects.exclude(pk=not_hers.pk).get(case=cast.case)
    assert sorted(message.to[0] for message in mail.outbox) == sorted([cast.teacher.email, GP_EMAIL])
    assert {calendar_of(message)["sequence"] for message in mail.outbox} == {0}

    # Move it to the afternoon: everyone gets the update with the same UID and a higher SEQUENCE.
    mail.outbox.clear()
    page.get_by_role("link", name="Change the date, time or place").click()
    look(page, "meetings - change form")
    page.get_by_label("Start time").fill("14:00")
    page.get_by_label("End time").fill("15:30")
    page.get_by_role("button", name="Save and send updates").click()
    expect(banner(page)).to_contain_text("Meeting changed: updated invitations sent to 2 people")
    expect(page.get_by_role("main")).to_contain_text("14:00 to 15:30 (UK time)")
    look(page, "meetings - changed meeting")
    events = [calendar_of(message) for message in mail.outbox]
    assert len(events) == 2
    assert {str(event["uid"]) for event in events} == {meeting.ics_uid}
    assert {event["sequence"] for event in events} == {1}
    assert {event.decoded("dtstart") for event in events} == {uk_time(SUMMER_DAY, 14)}

    visit(page, live_server, "/meetings/", "meetings - my meetings as organiser")
    expect(page.get_by_role("table")).to_contain_text("Organiser")

    # The teacher sees her invitation, and only hers.
    sign_out(page, live_server)
    sign_in(page, live_server, cast.teacher.username, name="meetings - teacher")
    page.get_by_role("link", name="My meetings").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My meetings")
    table = page.get_by_role("table")
    expect(table.get_by_role("row")).to_have_count(2)  # the header and her one meeting
    expect(table).to_contain_text("Invited")
    look(page, "meetings - teacher's meetings")
    table.get_by_role("link").first.click()
    expect(page.get_by_text("You are invited to this meeting.")).to_be_visible()
    expect(page.get_by_role("main")).not_to_contain_text(GP_EMAIL)
    expect(page.get_by_role("link", name="Change the date, time or place")).to_have_count(0)
    look(page, "meetings - teacher's invitation")
    visit(page, live_server, meetings_url, "meetings - the case's meetings as the teacher")
    expect(page.get_by_role("table").get_by_role("row")).to_have_count(2)
    visit(page, live_server, not_hers.get_absolute_url(), "meetings - another meeting as the teacher", status=404)

    # The meeting day comes and goes (rows moved, so the sessions keep their own clocks).
    start = timezone.now() - dt.timedelta(hours=3)
    Meeting.objects.filter(pk=meeting.pk).update(starts_at=start, ends_at=start + dt.timedelta(hours=1, minutes=30))

    sign_out(page, live_server)
    sign_in(page, live_server, cast.senior_practitioner.username, name="meetings - senior practitioner again")
    page.get_by_role("link", name="My meetings").click()
    page.get_by_role("link", name="Formulation meeting of").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Attendance and notes")
    look(page, "meetings - attendance form")
    page.get_by_role("button", name="Save attendance and notes").click()
    expect(error_summary(page).get_by_role("link", name="Choose whether Dr Imogen Vale attended")).to_be_visible()
    look(page, "meetings - attendance form errors")
    page.get_by_role("group", name="Helen Marsh (Designated teacher, Fernbrook Academy)").get_by_label(
        "Attended", exact=True
    ).check()
    page.get_by_role("group", name="Dr Imogen Vale (GP, Avon Vale Surgery)").get_by_label("Sent apologies").check()
    page.get_by_label("Notes of the meeting").fill(
        "Kai trusts Ms Marsh. The network agreed she is his key adult at school, with a daily check-in."
    )
    page.get_by_role("button", name="Save attendance and notes").click()
    expect(banner(page)).to_contain_text("Attendance and notes saved: the meeting is marked as held")
    expect(page.get_by_role("table", name="Fernbrook Academy: 1 of 1 attended")).to_contain_text("Attended")
    expect(page.get_by_role("table", name="Avon Vale Surgery: 0 of 1 attended")).to_contain_text("Sent apologies")
    expect(page.get_by_role("main")).to_contain_text("his key adult at school")
    look(page, "meetings - held meeting with attendance")

    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.HELD
    assert sorted(meeting.invitations.values_list("attendance", flat=True)) == sorted(
        [Attendance.ATTENDED, Attendance.APOLOGIES]
    )

    # The teacher still sees the meeting, not the notes or the attendance.
    sign_out(page, live_server)
    sign_in(page, live_server, cast.teacher.username, name="meetings - teacher after the meeting")
    visit(page, live_server, meeting.get_absolute_url(), "meetings - held meeting as the teacher")
    expect(page.get_by_role("main")).to_contain_text("Held")
    expect(page.get_by_role("main")).not_to_contain_text("key adult")
    expect(page.get_by_role("main")).not_to_contain_text("Sent apologies")
