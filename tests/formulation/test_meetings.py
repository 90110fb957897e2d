"""Meeting services: the rules for scheduling, who is e-mailed what and when, the calendar version
(SEQUENCE) rising with every change, attendance and notes, and the chronology."""

from __future__ import annotations

import datetime as dt
import smtplib
from collections.abc import Callable
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.mail.backends.base import BaseEmailBackend
from django.db import transaction
from django.utils import timezone

from cases.models import CaseEvent, CaseEventKind, CaseKind, Visibility
from cases.services import case_close, network_member_add
from formulation.models import Attendance, Invitation, Meeting, MeetingStatus
from formulation.services import (
    Invitee,
    invitation_withdraw,
    meeting_cancel,
    meeting_change,
    meeting_invite,
    meeting_record,
    meeting_resend,
)
from tests.conftest import Cast
from tests.factories import make_case
from tests.formulation.helpers import GP_EMAIL, SUMMER_DAY, WINTER_DAY, calendar_in, event_in, gp_invitee, uk_time


class FailingEmailBackend(BaseEmailBackend):
    """An SMTP server that is down."""

    def send_messages(self, email_messages: Any) -> int:
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")


def recipients() -> list[str]:
    return sorted(address for message in mail.outbox for address in message.to)


def meeting_events(cast: Cast) -> list[str]:
    return list(
        CaseEvent.objects.filter(case=cast.case, kind=CaseEventKind.MEETING)
        .order_by("pk")
        .values_list("summary", flat=True)
    )


# Scheduling


def test_scheduling_e_mails_each_invitee_their_own_invitation_after_the_commit(
    cast: Cast, schedule: Callable[..., Meeting], django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        meeting = schedule()
    assert mail.outbox == []  # nothing leaves before the commit
    for callback in callbacks:
        callback()

    assert recipients() == sorted([cast.teacher.email, GP_EMAIL])
    assert all(len(message.to) == 1 for message in mail.outbox)  # nobody sees the others' addresses
    message = next(message for message in mail.outbox if message.to == [GP_EMAIL])
    assert message.subject.startswith(f"Invitation: ECM formulation meeting – case {cast.case.pk} (K.B.), ")
    assert message.reply_to == [cast.senior_practitioner.email]
    assert "Dear Dr Imogen Vale" in message.body
    assert "Meeting room 2, Fernbrook Academy" in message.body
    assert f"/cases/{cast.case.pk}/meetings/{meeting.pk}/" in message.body
    for text in (message.subject, message.body):
        assert "Kai" not in text and "Brennan" not in text
    assert str(calendar_in(message)["method"]) == "REQUEST"
    invitations = Invitation.objects.filter(meeting=meeting)
    assert {invitation.last_sent_sequence for invitation in invitations} == {0}
    assert all(invitation.last_sent_at is not None and not invitation.send_failed for invitation in invitations)


def test_the_e_mail_carries_the_calendar_as_an_outlook_friendly_part_and_as_an_attachment(
    schedule: Callable[..., Meeting], django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        schedule(invitees=[gp_invitee()])
    message: Any = mail.outbox[0]
    assert len(mail.outbox) == 1
    calendar_parts = [part for part in message.message().walk() if part.get_content_type() == "text/calendar"]
    assert len(calendar_parts) == 2
    inline, attached = calendar_parts
    for part in calendar_parts:
        assert part["Content-Type"] == "text/calendar; method=REQUEST; charset=UTF-8"
        assert part.get_content_charset() == "utf-8"
    assert inline.get_content_disposition() is None
    assert attached.get_content_disposition() == "attachment"
    assert attached.get_filename() == "invitation.ics"
    assert message.alternatives[0].mimetype == "text/calendar; method=REQUEST"


def test_a_meeting_rolled_back_sends_nothing(
    schedule: Callable[..., Meeting], django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError), transaction.atomic():
        schedule()
        raise RuntimeError("the request failed after scheduling")
    assert Meeting.objects.count() == 0
    assert mail.outbox == []


def test_scheduling_adds_a_line_to_the_chronology_for_full_record_readers(cast: Cast, meeting: Meeting) -> None:
    event = CaseEvent.objects.get(case=cast.case, kind=CaseEventKind.MEETING)
    assert event.summary == f"Formulation meeting scheduled for {SUMMER_DAY:%-d %B %Y} at 10:00, 2 invited"
    assert event.visibility == Visibility.FULL
    assert event.link == meeting.get_absolute_url()
    assert event.actor == cast.senior_practitioner


def test_a_meeting_is_created_with_a_stable_calendar_identity(
    cast: Cast, schedule: Callable[..., Meeting], settings: Any
) -> None:
    settings.ECM_BASE_URL = "https://ecm.example.org"
    meeting = schedule()
    assert meeting.ics_uid.startswith("ecm-meeting-")
    assert meeting.ics_uid.endswith("@ecm.example.org")
    assert meeting.sequence == 0
    assert meeting.status == MeetingStatus.SCHEDULED
    assert meeting.organiser == cast.senior_practitioner


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        (
            {"starts_at": timezone.now() - dt.timedelta(hours=1), "ends_at": timezone.now()},
            "starts_at",
            "The meeting must start in the future",
        ),
        (
            {"starts_at": uk_time(SUMMER_DAY, 11), "ends_at": uk_time(SUMMER_DAY, 10)},
            "ends_at",
            "The end time must be after the start time",
        ),
        (
            {"starts_at": uk_time(SUMMER_DAY, 10), "ends_at": uk_time(SUMMER_DAY, 10)},
            "ends_at",
            "The end time must be after the start time",
        ),
        (
            {"starts_at": uk_time(SUMMER_DAY, 6), "ends_at": uk_time(SUMMER_DAY, 19)},
            "ends_at",
            "A meeting can last 12 hours at most: check the end time",
        ),
        ({"location": " ", "video_link": ""}, "location", "Enter a place or a video link (or both)"),
        ({"invitees": []}, "invitees", "Choose at least one person to invite"),
        (
            {"invitees": [gp_invitee(), Invitee(name="Imogen Vale", email=GP_EMAIL.upper(), agency_name="Avon")]},
            "invitees",
            f"Imogen Vale ({GP_EMAIL}) is already invited",
        ),
        (
            {"invitees": [Invitee(name="Mo Ahmed", email="not-an-address", agency_name="Avon")]},
            "invitees",
            "Enter an e-mail address like name@example.org for Mo Ahmed",
        ),
        (
            {"invitees": [Invitee(name="Mo Ahmed", email="mo@example.org")]},
            "invitees",
            "Choose Mo Ahmed's agency, or enter its name",
        ),
    ],
    ids=["past", "ends-before-start", "no-length", "too-long", "no-place", "nobody", "twice", "bad-email", "no-agency"],
)
def test_scheduling_refuses_a_meeting_that_breaks_a_rule(
    schedule: Callable[..., Meeting], overrides: dict[str, Any], field: str, message: str
) -> None:
    with pytest.raises(ValidationError) as error:
        schedule(**overrides)
    assert error.value.message_dict[field] == [message]
    assert Meeting.objects.count() == 0


def test_a_video_link_alone_is_enough(schedule: Callable[..., Meeting]) -> None:
    meeting = schedule(location="", video_link="https://meet.example.org/ecm-kb")
    assert meeting.location == ""
    assert meeting.video_link == "https://meet.example.org/ecm-kb"


def test_a_closed_case_and_a_consultation_case_have_no_formulation_meeting(
    cast: Cast, schedule: Callable[..., Meeting]
) -> None:
    consultation_case = make_case(owning_yjs=cast.bristol, case_holder=cast.case_manager)
    consultation_case.kind = CaseKind.CONSULTATION
    consultation_case.save(update_fields=["kind"])
    with pytest.raises(ValidationError) as error:
        schedule(case=consultation_case, invitees=[gp_invitee()])
    assert error.value.messages == ["This case is for consultation only: it has no formulation meeting"]

    case_close(
        case=cast.case,
        actor=cast.case_manager,
        reason="goals_met",
        outcome_summary="Settled.",
        ending_plan="Phone Sam.",
    )
    with pytest.raises(ValidationError) as error:
        schedule(invitees=[gp_invitee()])
    assert error.value.messages == ["This case is closed. Reopen it to add or change anything."]


def test_only_members_of_this_childs_network_are_invited_as_network_members(
    cast: Cast, schedule: Callable[..., Meeting]
) -> None:
    other_case = make_case(owning_yjs=cast.bristol, case_holder=cast.case_manager)
    stranger = network_member_add(
        case=other_case,
        actor=cast.case_manager,
        name="Ola Bright",
        role="Youth worker",
        agency_name="Hartcliffe Club",
        email="ola@hartcliffe.example.org",
    )
    invitee = Invitee(name=stranger.name, email=stranger.email, network_member=stranger, agency_name="Hartcliffe Club")
    with pytest.raises(ValidationError) as error:
        schedule(invitees=[invitee])
    assert error.value.message_dict["invitees"] == ["Ola Bright is not in this child's network"]


# Changing, inviting, withdrawing, cancelling


def test_moving_the_meeting_sends_everyone_the_update_with_a_higher_sequence(
    cast: Cast, meeting: Meeting, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        changed = meeting_change(
            meeting=meeting,
            actor=cast.psychologist,
            starts_at=uk_time(SUMMER_DAY, 14),
            ends_at=uk_time(SUMMER_DAY, 15, 30),
            location=meeting.location,
        )
    assert changed.sequence == 1
    assert recipients() == sorted([cast.teacher.email, GP_EMAIL])
    assert all(message.subject.startswith("Updated invitation: ") for message in mail.outbox)
    assert all(event_in(message)["sequence"] == 1 for message in mail.outbox)
    assert set(Invitation.objects.filter(meeting=meeting).values_list("last_sent_sequence", flat=True)) == {1}
    assert meeting_events(cast)[-1] == (
        f"Formulation meeting moved from {SUMMER_DAY:%-d %B %Y} at 10:00 to {SUMMER_DAY:%-d %B %Y} at 14:00"
    )


def test_a_new_place_is_an_update_too(cast: Cast, meeting: Meeting, django_capture_on_commit_callbacks: Any) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        meeting_change(
            meeting=meeting,
            actor=cast.senior_practitioner,
            starts_at=meeting.starts_at,
            ends_at=meeting.ends_at,
            location="The library, Fernbrook Academy",
            video_link="https://meet.example.org/ecm-kb",
        )
    assert len(mail.outbox) == 2
    assert str(event_in(mail.outbox[0])["location"]) == "The library, Fernbrook Academy"
    assert (
        meeting_events(cast)[-1]
        == f"Formulation meeting of {SUMMER_DAY:%-d %B %Y} at 10:00: place or video link changed"
    )


def test_saving_the_same_details_sends_nothing_and_keeps_the_version(
    cast: Cast, meeting: Meeting, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        unchanged = meeting_change(
            meeting=meeting,
            actor=cast.senior_practitioner,
            starts_at=meeting.starts_at,
            ends_at=meeting.ends_at,
            location=meeting.location,
        )
    assert unchanged.sequence == 0
    assert mail.outbox == []
    assert len(meeting_events(cast)) == 1


def test_a_change_must_keep_to_the_rules(cast: Cast, meeting: Meeting) -> None:
    with pytest.raises(ValidationError) as error:
        meeting_change(
            meeting=meeting,
            actor=cast.senior_practitioner,
            starts_at=uk_time(SUMMER_DAY, 10),
            ends_at=uk_time(SUMMER_DAY, 9),
            location="",
        )
    assert error.value.message_dict == {
        "ends_at": ["The end time must be after the start time"],
        "location": ["Enter a place or a video link (or both)"],
    }
    meeting.refresh_from_db()
    assert meeting.sequence == 0


def test_someone_invited_later_gets_the_meeting_as_it_stands(
    cast: Cast, meeting: Meeting, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        meeting_change(
            meeting=meeting,
            actor=cast.senior_practitioner,
            starts_at=uk_time(SUMMER_DAY, 13),
            ends_at=uk_time(SUMMER_DAY, 14),
            location=meeting.location,
        )
    mail.outbox.clear()
    nurse = Invitee(name="Grace Obi", email="grace.obi@nhs.example.org", role="School nurse", agency_name="Avon NHS")
    with django_capture_on_commit_callbacks(execute=True):
        [invitation] = meeting_invite(meeting=meeting, actor=cast.senior_practitioner, invitees=[nurse])
    assert recipients() == ["grace.obi@nhs.example.org"]
    message = mail.outbox[0]
    assert message.subject.startswith("Invitation: ")
    event = event_in(message)
    assert event["sequence"] == 1  # no new version for anyone else
    assert event.decoded("dtstart") == uk_time(SUMMER_DAY, 13)
    attendees = sorted(str(attendee).removeprefix("mailto:") for attendee in event["attendee"])
    assert attendees == sorted([cast.teacher.email, GP_EMAIL, "grace.obi@nhs.example.org"])
    assert invitation.attendance == Attendance.NOT_RECORDED


def test_inviting_someone_already_invited_is_refused(cast: Cast, meeting: Meeting) -> None:
    with pytest.raises(ValidationError) as error:
        meeting_invite(meeting=meeting, actor=cast.senior_practitioner, invitees=[gp_invitee()])
    assert error.value.message_dict["invitees"] == [f"Dr Imogen Vale ({GP_EMAIL}) is already invited"]


def test_withdrawing_an_invitation_sends_that_person_alone_a_cancellation(
    cast: Cast, meeting: Meeting, django_capture_on_commit_callbacks: Any
) -> None:
    gp = meeting.invitations.get(email=GP_EMAIL)
    with django_capture_on_commit_callbacks(execute=True):
        invitation_withdraw(invitation=gp, actor=cast.senior_practitioner)
    assert recipients() == [GP_EMAIL]
    message = mail.outbox[0]
    assert message.subject.startswith("Invitation withdrawn: ")
    assert "you no longer need to attend" in message.body
    calendar = calendar_in(message)
    assert str(calendar["method"]) == "CANCEL"
    [event] = calendar.walk("VEVENT")
    assert str(event["uid"]) == meeting.ics_uid
    assert event["sequence"] == 1
    assert "status" not in event  # the meeting itself goes ahead
    assert str(event["attendee"]) == f"mailto:{GP_EMAIL}"
    gp.refresh_from_db()
    assert gp.removed_at is not None
    assert list(meeting.invitations.filter(removed_at__isnull=True).values_list("user", flat=True)) == [cast.teacher.pk]


def test_a_withdrawn_person_can_be_invited_again(cast: Cast, meeting: Meeting) -> None:
    invitation_withdraw(invitation=meeting.invitations.get(email=GP_EMAIL), actor=cast.senior_practitioner)
    [again] = meeting_invite(meeting=meeting, actor=cast.senior_practitioner, invitees=[gp_invitee()])
    assert again.removed_at is None
    assert meeting.invitations.filter(email=GP_EMAIL).count() == 2


def test_cancelling_sends_everyone_the_cancellation_with_the_reason(
    cast: Cast, meeting: Meeting, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        cancelled = meeting_cancel(
            meeting=meeting, actor=cast.senior_practitioner, reason="The psychologist is unwell; a new date follows."
        )
    assert cancelled.status == MeetingStatus.CANCELLED
    assert cancelled.sequence == 1
    assert recipients() == sorted([cast.teacher.email, GP_EMAIL])
    for message in mail.outbox:
        assert message.subject.startswith("Cancelled: ")
        assert "Reason: The psychologist is unwell; a new date follows." in message.body
        calendar = calendar_in(message)
        assert str(calendar["method"]) == "CANCEL"
        [event] = calendar.walk("VEVENT")
        assert str(event["status"]) == "CANCELLED"
        assert event["sequence"] == 1
        assert "The psychologist is unwell" in str(event["description"])
    assert meeting_events(cast)[-1] == (
        f"Formulation meeting of {SUMMER_DAY:%-d %B %Y} at 10:00 cancelled: "
        "The psychologist is unwell; a new date follows."
    )


def test_a_cancelled_meeting_cannot_be_changed_or_cancelled_again(cast: Cast, meeting: Meeting) -> None:
    meeting_cancel(meeting=meeting, actor=cast.senior_practitioner, reason="The family moved away.")
    with pytest.raises(ValidationError, match="This meeting is cancelled: it cannot be changed"):
        meeting_change(
            meeting=meeting,
            actor=cast.senior_practitioner,
            starts_at=uk_time(WINTER_DAY, 10),
            ends_at=uk_time(WINTER_DAY, 11),
            location="Room 1",
        )
    with pytest.raises(ValidationError, match="it cannot be cancelled"):
        meeting_cancel(meeting=meeting, actor=cast.senior_practitioner, reason="Again")
    with pytest.raises(ValidationError, match="nobody more can be invited"):
        meeting_invite(meeting=meeting, actor=cast.senior_practitioner, invitees=[gp_invitee()])


def test_cancelling_needs_a_reason(cast: Cast, meeting: Meeting) -> None:
    with pytest.raises(ValidationError) as error:
        meeting_cancel(meeting=meeting, actor=cast.senior_practitioner, reason="  ")
    assert error.value.message_dict == {"reason": ["Enter the reason for cancelling the meeting"]}


def test_the_version_rises_with_every_change_withdrawal_and_cancellation(cast: Cast, meeting: Meeting) -> None:
    versions = [meeting.sequence]
    meeting = meeting_change(
        meeting=meeting,
        actor=cast.senior_practitioner,
        starts_at=uk_time(WINTER_DAY, 10),
        ends_at=uk_time(WINTER_DAY, 11),
        location=meeting.location,
    )
    versions.append(meeting.sequence)
    invitation_withdraw(invitation=meeting.invitations.get(email=GP_EMAIL), actor=cast.senior_practitioner)
    meeting.refresh_from_db()
    versions.append(meeting.sequence)
    meeting = meeting_cancel(meeting=meeting, actor=cast.senior_practitioner, reason="No longer needed.")
    versions.append(meeting.sequence)
    assert versions == [0, 1, 2, 3]


# After the meeting


def test_attendance_waits_until_the_meeting_has_started(cast: Cast, meeting: Meeting) -> None:
    everyone = {invitation.pk: Attendance.ATTENDED for invitation in meeting.invitations.all()}
    with pytest.raises(ValidationError, match="You can record attendance once the meeting has started"):
        meeting_record(meeting=meeting, actor=cast.senior_practitioner, attendance=everyone, notes="")


def test_recording_attendance_and_notes_marks_the_meeting_held(cast: Cast, meeting: Meeting) -> None:
    teacher = meeting.invitations.get(user=cast.teacher)
    gp = meeting.invitations.get(email=GP_EMAIL)
    after = meeting.ends_at + dt.timedelta(hours=1)

    with pytest.raises(ValidationError) as error:
        meeting_record(
            meeting=meeting,
            actor=cast.senior_practitioner,
            attendance={teacher.pk: Attendance.ATTENDED},
            notes="",
            now=after,
        )
    assert error.value.message_dict == {f"attendance_{gp.pk}": ["Choose whether Dr Imogen Vale attended"]}

    held = meeting_record(
        meeting=meeting,
        actor=cast.senior_practitioner,
        attendance={teacher.pk: Attendance.ATTENDED, gp.pk: Attendance.APOLOGIES},
        notes="The network agreed one trusted adult at school: Ms Marsh.",
        now=after,
    )
    assert held.status == MeetingStatus.HELD
    assert held.notes == "The network agreed one trusted adult at school: Ms Marsh."
    teacher.refresh_from_db()
    gp.refresh_from_db()
    assert (teacher.attendance, gp.attendance) == (Attendance.ATTENDED, Attendance.APOLOGIES)
    assert (
        meeting_events(cast)[-1]
        == f"Formulation meeting held on {SUMMER_DAY:%-d %B %Y} at 10:00: 1 of 2 invited attended"
    )

    # A correction later changes the record, not the chronology.
    meeting_record(
        meeting=held,
        actor=cast.psychologist,
        attendance={teacher.pk: Attendance.ATTENDED, gp.pk: Attendance.DID_NOT_ATTEND},
        notes="Corrected: Dr Vale did not send apologies.",
        now=after,
    )
    gp.refresh_from_db()
    assert gp.attendance == Attendance.DID_NOT_ATTEND
    assert len(meeting_events(cast)) == 2
    history = [entry.attendance for entry in gp.history.order_by("pgh_id")]  # type: ignore[attr-defined]
    assert history[-2:] == [Attendance.APOLOGIES, Attendance.DID_NOT_ATTEND]


def test_a_cancelled_meeting_has_no_attendance(cast: Cast, meeting: Meeting) -> None:
    meeting_cancel(meeting=meeting, actor=cast.senior_practitioner, reason="Family holiday.")
    with pytest.raises(ValidationError, match="This meeting was cancelled"):
        meeting_record(
            meeting=meeting,
            actor=cast.senior_practitioner,
            attendance={},
            notes="",
            now=meeting.ends_at + dt.timedelta(1),
        )


# When e-mail fails


def test_a_failed_e_mail_is_flagged_and_can_be_sent_again(
    cast: Cast, schedule: Callable[..., Meeting], settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.EMAIL_BACKEND = f"{__name__}.FailingEmailBackend"
    with django_capture_on_commit_callbacks(execute=True):
        meeting = schedule()
    assert meeting.pk is not None  # the meeting stands
    assert set(meeting.invitations.values_list("send_failed", flat=True)) == {True}
    assert set(meeting.invitations.values_list("last_sent_sequence", flat=True)) == {None}

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    with django_capture_on_commit_callbacks(execute=True):
        queued = meeting_resend(meeting=meeting, actor=cast.senior_practitioner)
    assert queued == 2
    assert recipients() == sorted([cast.teacher.email, GP_EMAIL])
    assert set(meeting.invitations.values_list("send_failed", flat=True)) == {False}
    assert set(meeting.invitations.values_list("last_sent_sequence", flat=True)) == {0}


def test_changes_are_kept_in_the_history_with_who_made_them(cast: Cast, meeting: Meeting) -> None:
    meeting_change(
        meeting=meeting,
        actor=cast.psychologist,
        starts_at=uk_time(SUMMER_DAY, 9),
        ends_at=uk_time(SUMMER_DAY, 10),
        location=meeting.location,
    )
    latest = meeting.history.order_by("-pgh_id").first()  # type: ignore[attr-defined]
    assert latest is not None
    assert latest.sequence == 1
    assert latest.pgh_context.metadata["user"] == cast.psychologist.pk
