"""The meeting pages: scheduling through the form (UK times, every problem shown at once), what each
reader sees, the calendar download, change / withdraw / cancel / attendance through the pages,
"My meetings", the case page's meetings section, and pinned query counts."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone
from icalendar import Calendar

from accounts.models import AccessAction, AccessEvent, User
from cases import access
from cases.access import Action
from cases.models import NetworkMember
from formulation.models import Attendance, Invitation, Meeting, MeetingStatus
from formulation.services import Invitee, meeting_cancel, meeting_invite, meeting_record
from tests.conftest import Cast
from tests.formulation.helpers import GP_EMAIL, SUMMER_DAY, WINTER_DAY, gp_invitee, uk_time


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def meeting_url(meeting: Meeting, suffix: str = "") -> str:
    return f"/cases/{meeting.case_id}/meetings/{meeting.pk}/{suffix}"


def teacher_key(cast: Cast) -> str:
    member = NetworkMember.objects.get(case=cast.case, user=cast.teacher, removed_at__isnull=True)
    return f"member:{member.pk}"


def schedule_form(day: dt.date, **fields: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "day_day": str(day.day),
        "day_month": str(day.month),
        "day_year": str(day.year),
        "start_time": "10:00",
        "end_time": "11:30",
        "location": "Meeting room 2, Fernbrook Academy",
        "video_link": "",
    }
    data.update(fields)
    return data


def held(meeting: Meeting, actor: User, attendance: dict[int, str], notes: str) -> Meeting:
    """The meeting has happened: record it as of an hour after its end."""
    return meeting_record(
        meeting=meeting, actor=actor, attendance=attendance, notes=notes, now=meeting.ends_at + dt.timedelta(hours=1)
    )


def move_into_the_past(meeting: Meeting) -> None:
    """The meeting day comes and goes (rows moved, so the signed-in sessions keep their clocks)."""
    start = timezone.now() - dt.timedelta(hours=3)
    Meeting.objects.filter(pk=meeting.pk).update(starts_at=start, ends_at=start + dt.timedelta(hours=1))


# Scheduling through the form


def test_the_schedule_page_offers_the_network_and_the_case_holder(cast: Cast) -> None:
    response = client_for(cast.senior_practitioner).get(f"/cases/{cast.case.pk}/meetings/new/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Schedule a formulation meeting" in page
    assert "Helen Marsh (Designated teacher, Fernbrook Academy)" in page
    assert "Sam Okafor (Case holder, Bristol YJS)" in page
    assert "Jordan Reeve (" not in page  # the organiser does not invite herself


def test_network_members_without_e_mail_are_named_but_not_offered(cast: Cast) -> None:
    from cases.services import network_member_add

    network_member_add(
        case=cast.case, actor=cast.case_manager, name="Pat Lewin", role="Mentor", agency_name="Hope Trust"
    )
    page = client_for(cast.senior_practitioner).get(f"/cases/{cast.case.pk}/meetings/new/").content.decode()
    assert "no e-mail address is recorded for them: Pat Lewin" in page
    assert "Pat Lewin (Mentor" not in page


def test_a_senior_practitioner_schedules_a_meeting_in_uk_time_and_everyone_is_e_mailed(
    cast: Cast, django_capture_on_commit_callbacks: Any
) -> None:
    data = schedule_form(
        SUMMER_DAY,
        chosen=[teacher_key(cast), f"user:{cast.case_manager.pk}"],
        other_1_name="Dr Imogen Vale",
        other_1_email=GP_EMAIL,
        other_1_role="GP",
        other_1_agency_name="Avon Vale Surgery",
    )
    client = client_for(cast.senior_practitioner)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/cases/{cast.case.pk}/meetings/new/", data)
    meeting = Meeting.objects.get(case=cast.case)
    assert response.status_code == 302
    assert response["Location"] == meeting.get_absolute_url()
    assert meeting.starts_at == dt.datetime.combine(SUMMER_DAY, dt.time(9, 0), tzinfo=dt.UTC)  # 10:00 BST
    assert meeting.ends_at == dt.datetime.combine(SUMMER_DAY, dt.time(10, 30), tzinfo=dt.UTC)
    assert sorted(address for message in mail.outbox for address in message.to) == sorted(
        [cast.teacher.email, cast.case_manager.email, GP_EMAIL]
    )
    invitations = {invitation.email: invitation for invitation in meeting.invitations.select_related("agency")}
    assert invitations[cast.case_manager.email].user == cast.case_manager
    assert invitations[cast.case_manager.email].agency == cast.bristol
    assert invitations[cast.teacher.email].network_member is not None
    assert invitations[GP_EMAIL].agency_name == "Avon Vale Surgery"

    page = client.get(meeting.get_absolute_url()).content.decode()
    assert "Formulation meeting scheduled: invitations sent to 3 people" in page
    assert "10:00 to 11:30 (UK time)" in page


def test_a_winter_meeting_is_stored_at_the_same_hour_in_utc(cast: Cast) -> None:
    client_for(cast.psychologist).post(
        f"/cases/{cast.case.pk}/meetings/new/", schedule_form(WINTER_DAY, chosen=[teacher_key(cast)])
    )
    meeting = Meeting.objects.get(case=cast.case)
    assert meeting.starts_at == dt.datetime.combine(WINTER_DAY, dt.time(10, 0), tzinfo=dt.UTC)
    assert meeting.organiser == cast.psychologist


def test_an_empty_form_explains_every_problem_at_once(cast: Cast) -> None:
    response = client_for(cast.senior_practitioner).post(f"/cases/{cast.case.pk}/meetings/new/", {})
    assert response.status_code == 200
    page = response.content.decode()
    assert "There is a problem" in page
    for message in (
        "Enter the date of the meeting",
        "Enter the start time",
        "Enter the end time",
        "Choose at least one person to invite, or add someone else",
    ):
        assert message in page
    assert Meeting.objects.count() == 0


def test_times_and_place_are_checked_together(cast: Cast) -> None:
    data = schedule_form(SUMMER_DAY, start_time="14:00", end_time="13:00", location="", chosen=[teacher_key(cast)])
    page = client_for(cast.senior_practitioner).post(f"/cases/{cast.case.pk}/meetings/new/", data).content.decode()
    assert "The end time must be after the start time" in page
    assert "Enter a place or a video link (or both)" in page
    assert 'href="#id_end_time"' in page and 'href="#id_location"' in page


def test_a_meeting_in_the_past_is_refused(cast: Cast) -> None:
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    data = schedule_form(yesterday, chosen=[teacher_key(cast)])
    page = client_for(cast.senior_practitioner).post(f"/cases/{cast.case.pk}/meetings/new/", data).content.decode()
    assert "The meeting must start in the future" in page
    assert 'href="#id_day"' in page


def test_someone_else_half_entered_is_explained(cast: Cast) -> None:
    data = schedule_form(SUMMER_DAY, other_1_name="Dr Imogen Vale", other_2_email="not an address")
    page = client_for(cast.senior_practitioner).post(f"/cases/{cast.case.pk}/meetings/new/", data).content.decode()
    assert "Enter the first person&#x27;s e-mail address" in page
    assert "Choose the first person&#x27;s agency, or enter its name" in page
    assert "Enter the second person&#x27;s e-mail like name@example.org" in page
    assert "Enter the second person&#x27;s full name" in page
    assert Meeting.objects.count() == 0


def test_a_bad_video_link_is_explained(cast: Cast) -> None:
    data = schedule_form(SUMMER_DAY, location="", video_link="teams meeting", chosen=[teacher_key(cast)])
    page = client_for(cast.senior_practitioner).post(f"/cases/{cast.case.pk}/meetings/new/", data).content.decode()
    assert "Enter the video link as a web address, like https://meet.example.org/abc" in page


# Reading: the meeting page, the case's list, the calendar file


def test_the_case_manager_reads_the_meeting_but_cannot_run_it(cast: Cast, meeting: Meeting) -> None:
    page = client_for(cast.case_manager).get(meeting.get_absolute_url()).content.decode()
    assert "Formulation meeting, " in page
    assert "Dr Imogen Vale" in page and "Avon Vale Surgery" in page
    assert "Change the date, time or place" not in page
    assert "Withdraw" not in page


def test_the_organiser_sees_the_e_mail_state_and_the_actions(cast: Cast, meeting: Meeting) -> None:
    page = client_for(cast.senior_practitioner).get(meeting.get_absolute_url()).content.decode()
    assert "Change the date, time or place" in page
    assert "Invite more people" in page
    assert "Cancel the meeting" in page
    assert "Record attendance and notes" not in page  # not started yet
    assert "Sent " in page
    assert 'Withdraw<span class="govuk-visually-hidden"> Dr Imogen Vale\'s invitation' in page


def test_a_failed_invitation_e_mail_is_shown_with_a_way_to_send_it_again(
    cast: Cast, meeting: Meeting, django_capture_on_commit_callbacks: Any
) -> None:
    Invitation.objects.filter(meeting=meeting, email=GP_EMAIL).update(send_failed=True)
    client = client_for(cast.senior_practitioner)
    page = client.get(meeting.get_absolute_url()).content.decode()
    assert "E-mail failed" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(meeting_url(meeting, "send-again/"))
    assert response.status_code == 302
    assert [message.to for message in mail.outbox] == [[GP_EMAIL]]
    assert "E-mail failed" not in client.get(meeting.get_absolute_url()).content.decode()


def test_the_invited_teacher_sees_her_invitation_and_no_addresses_attendance_or_notes(
    cast: Cast, meeting: Meeting
) -> None:
    held(
        meeting,
        cast.senior_practitioner,
        {invitation.pk: Attendance.ATTENDED for invitation in meeting.invitations.all()},
        "Kai trusts Ms Marsh; the network agreed she is his key adult.",
    )
    response = client_for(cast.teacher).get(meeting.get_absolute_url())
    assert response.status_code == 200
    page = response.content.decode()
    assert "You are invited to this meeting." in page
    assert "Meeting room 2, Fernbrook Academy" in page
    assert "Dr Imogen Vale" in page
    assert GP_EMAIL not in page
    assert "Kai trusts Ms Marsh" not in page
    assert "Attended" not in page
    assert "Record attendance" not in page and "Correct the attendance" not in page

    page = client_for(cast.case_manager).get(meeting.get_absolute_url()).content.decode()
    assert "Kai trusts Ms Marsh" in page
    assert "Fernbrook Academy: 1 of 1 attended" in page
    assert "Avon Vale Surgery: 1 of 1 attended" in page
    assert "2 attended, 0 sent apologies, 0 did not attend" in page


def test_a_partner_sees_only_the_meetings_she_is_invited_to(
    cast: Cast, meeting: Meeting, schedule: Callable[..., Meeting]
) -> None:
    not_hers = schedule(starts_at=uk_time(WINTER_DAY, 10), ends_at=uk_time(WINTER_DAY, 11), invitees=[gp_invitee()])
    teacher = client_for(cast.teacher)

    assert teacher.get(not_hers.get_absolute_url()).status_code == 404
    assert teacher.get(meeting_url(not_hers, "meeting.ics")).status_code == 404
    listing = teacher.get(f"/cases/{cast.case.pk}/meetings/").content.decode()
    assert meeting.get_absolute_url() in listing
    assert not_hers.get_absolute_url() not in listing
    assert "You see the meetings about Kai that you are invited to." in listing

    everything = client_for(cast.colleague).get(f"/cases/{cast.case.pk}/meetings/").content.decode()
    assert meeting.get_absolute_url() in everything and not_hers.get_absolute_url() in everything


def test_a_withdrawn_partner_no_longer_sees_the_meeting(cast: Cast, meeting: Meeting) -> None:
    from formulation.services import invitation_withdraw

    invitation_withdraw(invitation=meeting.invitations.get(user=cast.teacher), actor=cast.senior_practitioner)
    assert client_for(cast.teacher).get(meeting.get_absolute_url()).status_code == 404


def test_the_calendar_download_is_a_logged_ics_file(cast: Cast, meeting: Meeting) -> None:
    response = client_for(cast.teacher).get(meeting_url(meeting, "meeting.ics"))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="ecm-meeting-{meeting.pk}.ics"'
    calendar = Calendar.from_ical(response.content)
    assert str(calendar["method"]) == "PUBLISH"
    [event] = calendar.walk("VEVENT")
    assert str(event["uid"]) == meeting.ics_uid
    assert AccessEvent.objects.filter(
        user=cast.teacher, action=AccessAction.DOWNLOAD, case_id=cast.case.pk, description="view_summary"
    ).exists()


def test_an_empty_list_says_so(cast: Cast) -> None:
    page = client_for(cast.case_manager).get(f"/cases/{cast.case.pk}/meetings/").content.decode()
    assert "No meetings have been scheduled yet." in page
    assert "Schedule a formulation meeting" not in page
    page = client_for(cast.psychologist).get(f"/cases/{cast.case.pk}/meetings/").content.decode()
    assert "Schedule a formulation meeting" in page


# Acting through the pages


def test_changing_the_time_sends_updates_and_says_so(
    cast: Cast, meeting: Meeting, django_capture_on_commit_callbacks: Any
) -> None:
    client = client_for(cast.senior_practitioner)
    form = client.get(meeting_url(meeting, "change/")).content.decode()
    assert 'value="10:00"' in form and 'value="11:30"' in form and f'value="{SUMMER_DAY.day}"' in form
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            meeting_url(meeting, "change/"), schedule_form(SUMMER_DAY, start_time="14:00", end_time="15:00")
        )
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.sequence == 1
    assert len(mail.outbox) == 2
    page = client.get(meeting.get_absolute_url()).content.decode()
    assert "Meeting changed: updated invitations sent to 2 people" in page
    assert "14:00 to 15:00" in page


def test_saving_without_a_change_says_nothing_was_sent(cast: Cast, meeting: Meeting) -> None:
    client = client_for(cast.senior_practitioner)
    client.post(meeting_url(meeting, "change/"), schedule_form(SUMMER_DAY))
    assert "Nothing changed: no updates were sent" in client.get(meeting.get_absolute_url()).content.decode()


def test_inviting_more_people_offers_only_those_not_yet_invited(
    cast: Cast, meeting: Meeting, django_capture_on_commit_callbacks: Any
) -> None:
    client = client_for(cast.senior_practitioner)
    page = client.get(meeting_url(meeting, "invite/")).content.decode()
    assert "Sam Okafor (Case holder, Bristol YJS)" in page
    assert "Helen Marsh (Designated" not in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(meeting_url(meeting, "invite/"), {"chosen": [f"user:{cast.case_manager.pk}"]})
    assert response.status_code == 302
    assert [message.to for message in mail.outbox] == [[cast.case_manager.email]]


def test_withdrawing_an_invitation_asks_first(
    cast: Cast, meeting: Meeting, django_capture_on_commit_callbacks: Any
) -> None:
    gp = meeting.invitations.get(email=GP_EMAIL)
    client = client_for(cast.senior_practitioner)
    page = client.get(meeting_url(meeting, f"invitations/{gp.pk}/withdraw/")).content.decode()
    assert "Withdraw Dr Imogen Vale's invitation?" in page
    with django_capture_on_commit_callbacks(execute=True):
        client.post(meeting_url(meeting, f"invitations/{gp.pk}/withdraw/"))
    gp.refresh_from_db()
    assert gp.removed_at is not None
    assert [message.to for message in mail.outbox] == [[GP_EMAIL]]
    assert client.get(meeting_url(meeting, f"invitations/{gp.pk}/withdraw/")).status_code == 404


def test_cancelling_needs_a_reason_and_then_tells_everyone(
    cast: Cast, meeting: Meeting, django_capture_on_commit_callbacks: Any
) -> None:
    client = client_for(cast.senior_practitioner)
    page = client.post(meeting_url(meeting, "cancel/"), {"reason": ""}).content.decode()
    assert "Enter the reason for cancelling the meeting" in page
    with django_capture_on_commit_callbacks(execute=True):
        client.post(meeting_url(meeting, "cancel/"), {"reason": "The psychologist is unwell."})
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.CANCELLED
    assert len(mail.outbox) == 2
    page = client.get(meeting.get_absolute_url()).content.decode()
    assert "This meeting was cancelled on" in page and "Reason: The psychologist is unwell." in page
    assert "Change the date, time or place" not in page
    assert "it cannot be changed" in client.get(meeting_url(meeting, "change/")).content.decode()


def test_attendance_is_recorded_per_person_once_the_meeting_has_started(cast: Cast, meeting: Meeting) -> None:
    client = client_for(cast.senior_practitioner)
    assert (
        "You can record attendance once the meeting has started."
        in client.get(meeting_url(meeting, "attendance/")).content.decode()
    )

    move_into_the_past(meeting)
    teacher = meeting.invitations.get(user=cast.teacher)
    gp = meeting.invitations.get(email=GP_EMAIL)
    page = client.post(meeting_url(meeting, "attendance/"), {f"attendance_{teacher.pk}": "attended"}).content.decode()
    assert "Choose whether Dr Imogen Vale attended" in page

    response = client.post(
        meeting_url(meeting, "attendance/"),
        {
            f"attendance_{teacher.pk}": Attendance.ATTENDED,
            f"attendance_{gp.pk}": Attendance.APOLOGIES,
            "notes": "Agreed: one key adult at school.",
        },
    )
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.HELD
    page = client.get(meeting.get_absolute_url()).content.decode()
    assert "Attendance and notes saved: the meeting is marked as held" in page
    assert "1 attended, 1 sent apologies, 0 did not attend" in page
    assert "Agreed: one key adult at school." in page
    assert "Correct the attendance or notes" in page

    form = client.get(meeting_url(meeting, "attendance/")).content.decode()
    assert f'value="{Attendance.APOLOGIES}" checked' in form


# My meetings and the case page


def test_my_meetings_lists_what_each_person_organises_or_is_invited_to(
    cast: Cast, meeting: Meeting, schedule: Callable[..., Meeting]
) -> None:
    not_hers = schedule(starts_at=uk_time(WINTER_DAY, 10), ends_at=uk_time(WINTER_DAY, 11), invitees=[gp_invitee()])
    cancelled = schedule(starts_at=uk_time(WINTER_DAY, 14), ends_at=uk_time(WINTER_DAY, 15))
    meeting_cancel(meeting=cancelled, actor=cast.senior_practitioner, reason="Double booked.")

    teacher_page = client_for(cast.teacher).get("/meetings/").content.decode()
    assert meeting.get_absolute_url() in teacher_page
    assert not_hers.get_absolute_url() not in teacher_page
    assert cancelled.get_absolute_url() not in teacher_page
    assert "Invited" in teacher_page

    organiser_page = client_for(cast.senior_practitioner).get("/meetings/").content.decode()
    assert meeting.get_absolute_url() in organiser_page and not_hers.get_absolute_url() in organiser_page
    assert "Organiser" in organiser_page

    # Seeing the case is not enough: the colleague is neither organiser nor invited.
    assert "You have no upcoming meetings." in client_for(cast.colleague).get("/meetings/").content.decode()
    assert "You have no upcoming meetings." in client_for(cast.commissioner).get("/meetings/").content.decode()


def test_my_meetings_reminds_the_organiser_of_meetings_to_record(cast: Cast, meeting: Meeting) -> None:
    move_into_the_past(meeting)
    page = client_for(cast.senior_practitioner).get("/meetings/").content.decode()
    assert "Meetings waiting for attendance and notes" in page
    assert meeting_url(meeting, "attendance/") in page
    assert "Meetings waiting for attendance" not in client_for(cast.psychologist).get("/meetings/").content.decode()


def test_my_meetings_is_in_the_navigation_of_everyone_who_works_on_cases(cast: Cast) -> None:
    for person in (cast.case_manager, cast.psychologist, cast.senior_practitioner, cast.teacher):
        assert 'href="/meetings/"' in client_for(person).get("/").content.decode()
    for person in (cast.commissioner, cast.administrator):
        assert 'href="/meetings/"' not in client_for(person).get("/").content.decode()


def render_case_meetings(user: User, cast: Cast) -> str:
    """The meetings section of the case's pages, as this person sees it: on the full record's "Meetings and
    reviews" page, on the network's shared summary."""
    sub_page = "meetings-and-reviews/" if access.may(user, Action.VIEW, cast.case) else ""
    page = client_for(user).get(f"/cases/{cast.case.pk}/{sub_page}").content.decode()
    start = page.index('<section aria-labelledby="meetings-heading">')
    return page[start : page.index("</section>", start)]


def test_the_case_page_section_shows_each_reader_their_meetings(
    cast: Cast, meeting: Meeting, schedule: Callable[..., Meeting]
) -> None:
    not_hers = schedule(starts_at=uk_time(WINTER_DAY, 10), ends_at=uk_time(WINTER_DAY, 11), invitees=[gp_invitee()])
    clinician = render_case_meetings(cast.senior_practitioner, cast)
    assert meeting.get_absolute_url() in clinician and not_hers.get_absolute_url() in clinician
    assert "Schedule a formulation meeting" in clinician
    teacher = render_case_meetings(cast.teacher, cast)
    assert meeting.get_absolute_url() in teacher and not_hers.get_absolute_url() not in teacher
    assert "Schedule a formulation meeting" not in teacher
    assert "No meetings have been scheduled yet." in render_case_meetings(cast.case_manager, _without_meetings(cast))


def _without_meetings(cast: Cast) -> Cast:
    Meeting.objects.filter(case=cast.case).delete()
    return cast


# Query counts


def test_the_meeting_page_costs_the_same_with_fifty_people_invited(
    cast: Cast, meeting: Meeting, django_assert_max_num_queries: Any
) -> None:
    invitees = [
        Invitee(name=f"Practitioner {n}", email=f"practitioner{n}@example.org", agency=cast.social_care)
        for n in range(48)
    ]
    meeting_invite(meeting=meeting, actor=cast.senior_practitioner, invitees=invitees)
    held(
        meeting,
        cast.senior_practitioner,
        {invitation.pk: Attendance.ATTENDED for invitation in meeting.invitations.all()},
        "Notes.",
    )
    client = client_for(cast.case_manager)
    # Sign-in, case, two permission reads, access log, meeting, invitations, memberships, notifications.
    with django_assert_max_num_queries(10):
        response = client.get(meeting.get_absolute_url())
    assert response.content.decode().count("Practitioner ") == 48


def test_my_meetings_costs_the_same_with_fifty_meetings(
    cast: Cast, schedule: Callable[..., Meeting], django_assert_max_num_queries: Any
) -> None:
    for n in range(50):
        start = uk_time(SUMMER_DAY, 8) + dt.timedelta(days=n)
        schedule(starts_at=start, ends_at=start + dt.timedelta(hours=1))
    client = client_for(cast.teacher)
    with django_assert_max_num_queries(8):
        response = client.get("/meetings/")
    assert response.content.decode().count("Invited</td>") == 25  # one page


def test_a_cases_meeting_list_costs_the_same_with_fifty_meetings(
    cast: Cast, schedule: Callable[..., Meeting], django_assert_max_num_queries: Any
) -> None:
    for n in range(50):
        start = uk_time(SUMMER_DAY, 8) + dt.timedelta(days=n)
        schedule(starts_at=start, ends_at=start + dt.timedelta(hours=1))
    client = client_for(cast.psychologist)
    with django_assert_max_num_queries(10):
        response = client.get(f"/cases/{cast.case.pk}/meetings/")
    assert response.content.decode().count("govuk-tag--blue") == 25


@pytest.mark.parametrize("path", ["", "change/", "invite/", "cancel/", "attendance/"])
def test_pages_about_a_meeting_of_another_case_are_not_found(cast: Cast, meeting: Meeting, path: str) -> None:
    from tests.factories import make_case

    other = make_case(owning_yjs=cast.bristol, case_holder=cast.case_manager)
    response = client_for(cast.senior_practitioner).get(f"/cases/{other.pk}/meetings/{meeting.pk}/{path}")
    assert response.status_code == 404
