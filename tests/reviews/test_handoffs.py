"""Hand-offs: a report waiting for your sign-off, signed off or sent back; a new action you own; a meeting on
your case. Each becomes an in-app notification for the right people (never the one who acted), names no
child, links through the access module, and is e-mailed when the person's preference says so. Sign-off asks
for confirmation when comments are unresolved or no meeting was held; the case's clinicians see its meetings."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import Client

from accounts.models import Coverage
from cases.models import Case
from core.handoffs import HandoffKind
from formulation.models import FormulationReport, Meeting, Recommendation, ReportStatus
from formulation.selectors import my_meetings
from formulation.services import report_comment_add, report_send_back, report_sign_off, report_submit
from reviews.models import EmailPreference, Notification, Reminder
from reviews.reminders import reminders_deliver
from reviews.services import action_owner_change
from tests.conftest import Cast
from tests.factories import formulation_meeting, person
from tests.formulation.helpers import SUMMER_DAY, gp_invitee, uk_time
from tests.formulation.report_support import add_recommendation, in_review, written

CHILD_WORDS = ("Kai", "Brennan", "LOC-100231")


def delivered(person: Any) -> list[Notification]:
    reminders_deliver(seconds=30)
    return list(Notification.objects.filter(recipient=person).order_by("pk"))


def assert_names_no_child(notification: Notification) -> None:
    for word in CHILD_WORDS:
        assert word not in notification.title and word not in notification.body


def mails_to(person: Any) -> list[Any]:
    return [message for message in mail.outbox if person.email in message.to]


def allocate(cast: Cast) -> None:
    Case.objects.filter(pk=cast.case.pk).update(
        psychologist=cast.psychologist, senior_practitioner=cast.senior_practitioner
    )
    cast.case.refresh_from_db()


def held_meeting(cast: Cast) -> Meeting:
    meeting = formulation_meeting(cast)
    Meeting.objects.filter(pk=meeting.pk).update(status="held")
    return meeting


# A report waiting for your sign-off.


def test_a_report_sent_for_review_waits_for_the_reviewers_sign_off(cast: Cast) -> None:
    report = written(cast)
    mail.outbox.clear()
    report_submit(report=report, actor=cast.psychologist)
    reminders = Reminder.objects.filter(kind=HandoffKind.REPORT_TO_SIGN_OFF)
    assert set(reminders.values_list("recipient_id", flat=True)) == {cast.senior_practitioner.pk}  # never the author
    [notice] = delivered(cast.senior_practitioner)
    assert notice.title == "A formulation report waits for your sign-off"
    assert f"case {cast.case.pk}" in notice.body and "Alex Morgan" in notice.body
    assert notice.link == f"/cases/{cast.case.pk}/formulation/{report.pk}/"
    assert_names_no_child(notice)
    [email] = mails_to(cast.senior_practitioner)
    assert notice.link in email.body and "Kai" not in email.body
    assert not Notification.objects.filter(recipient=cast.psychologist).exists()


def test_the_cases_own_senior_practitioner_is_told_rather_than_every_covering_clinician(cast: Cast) -> None:
    allocate(cast)
    other = person("morgan", "Morgan", "Ellery", agency=cast.ecm_team, role="psychologist", covers=(cast.bristol,))
    report_submit(report=written(cast), actor=cast.psychologist)
    recipients = set(Reminder.objects.filter(kind=HandoffKind.REPORT_TO_SIGN_OFF).values_list("recipient", flat=True))
    assert recipients == {cast.senior_practitioner.pk} and other.pk not in recipients


def test_no_email_goes_to_a_reviewer_who_turned_emails_off_but_the_notice_is_there(cast: Cast) -> None:
    EmailPreference.objects.create(user=cast.senior_practitioner, send_email=False, weekly_digest=True)
    report = written(cast)
    mail.outbox.clear()
    report_submit(report=report, actor=cast.psychologist)
    assert len(delivered(cast.senior_practitioner)) == 1
    assert mails_to(cast.senior_practitioner) == []


def test_a_notice_no_longer_due_is_not_sent(cast: Cast) -> None:
    report = in_review(cast)
    held_meeting(cast)
    report_sign_off(report=report, actor=cast.senior_practitioner, confirmed=True)  # before delivery ran
    titles = [notice.title for notice in delivered(cast.senior_practitioner)]
    assert "A formulation report waits for your sign-off" not in titles


# Signed off, sent back, and the actions it makes.


def test_a_signed_off_report_is_told_to_its_author_and_the_case_holder_and_actions_to_their_owners(
    cast: Cast,
) -> None:
    report = in_review(cast)  # one recommendation, owned by the teacher
    held_meeting(cast)
    mail.outbox.clear()
    report_sign_off(report=report, actor=cast.senior_practitioner, confirmed=True)
    for reader in (cast.psychologist, cast.case_manager):
        titles = [notice.title for notice in delivered(reader)]
        assert titles == ["A formulation report was signed off"], reader
        assert len(mails_to(reader)) == 1
    [action_notice] = delivered(cast.teacher)
    action = Recommendation.objects.get(report=report)
    assert action_notice.title == "You own a new action" and action_notice.link == f"/actions/{action.pk}/"
    assert_names_no_child(action_notice)
    assert not Notification.objects.filter(recipient=cast.senior_practitioner).exclude(
        title__contains="waits for your sign-off"
    )


def test_an_action_the_author_gives_themselves_is_not_told(cast: Cast) -> None:
    report = written(cast)
    Recommendation.objects.filter(report=report).delete()
    add_recommendation(report, cast, owner=cast.psychologist, owner_name="Alex Morgan", owner_agency=cast.ecm_team)
    report_submit(report=report, actor=cast.psychologist)
    held_meeting(cast)
    report_sign_off(report=report, actor=cast.senior_practitioner, confirmed=True)
    assert not Reminder.objects.filter(kind=HandoffKind.ACTION_ASSIGNED).exists()


def test_a_report_sent_back_is_a_draft_again_with_the_reason_and_its_author_is_told(cast: Cast) -> None:
    report = in_review(cast)
    report_send_back(report=report, actor=cast.senior_practitioner, reason="Say more about school, in his words.")
    report.refresh_from_db()
    assert report.status == ReportStatus.DRAFT
    assert report.comments.get().text == "Say more about school, in his words."
    [notice] = delivered(cast.psychologist)
    assert notice.title == "A formulation report was sent back to you"
    assert_names_no_child(notice)
    with pytest.raises(ValidationError):
        report_send_back(report=report, actor=cast.senior_practitioner, reason="Again")  # a draft now
    with pytest.raises(ValidationError):
        report_send_back(
            report=report_submit(report=report, actor=cast.psychologist), actor=cast.psychologist, reason="x"
        )


def test_a_new_owner_is_told_of_an_action_handed_to_them_but_nobody_of_their_own_choice(cast: Cast) -> None:
    report = in_review(cast)
    held_meeting(cast)
    report_sign_off(report=report, actor=cast.senior_practitioner, confirmed=True)
    action = Recommendation.objects.get(report=report)
    Reminder.objects.all().delete()
    action_owner_change(action=action, new_owner=cast.colleague, reason="Helen is on leave", actor=cast.case_manager)
    assert list(Reminder.objects.values_list("kind", "recipient_id")) == [
        (HandoffKind.ACTION_ASSIGNED, cast.colleague.pk)
    ]
    action_owner_change(action=action, new_owner=cast.case_manager, reason="I take it", actor=cast.case_manager)
    assert Reminder.objects.count() == 1  # taking it oneself tells nobody


# A meeting on your case.


def test_a_meeting_scheduled_is_told_to_the_case_holder_and_the_cases_clinicians_not_the_organiser(
    cast: Cast,
) -> None:
    allocate(cast)
    meeting = formulation_meeting(cast)  # scheduled by the senior practitioner
    recipients = set(Reminder.objects.filter(kind=HandoffKind.MEETING_SCHEDULED).values_list("recipient", flat=True))
    assert recipients == {cast.case_manager.pk, cast.psychologist.pk}
    [notice] = delivered(cast.case_manager)
    assert notice.title == "A meeting was scheduled on your case"
    assert notice.link == meeting.get_absolute_url()
    assert_names_no_child(notice)


# Sign-off asks for confirmation.


def test_sign_off_with_comments_unresolved_or_no_meeting_held_needs_confirmation(cast: Cast) -> None:
    report = in_review(cast)
    with pytest.raises(ValidationError) as refused:
        report_sign_off(report=report, actor=cast.senior_practitioner)
    assert "No formulation meeting has been held on this case" in refused.value.message_dict["confirmed"][0]
    held_meeting(cast)
    report_comment_add(report=report, actor=cast.senior_practitioner, text="Add his words.", section="strengths")
    with pytest.raises(ValidationError) as refused:
        report_sign_off(report=report, actor=cast.senior_practitioner)
    assert refused.value.message_dict["confirmed"][0].startswith("1 review comment is not resolved")
    assert FormulationReport.objects.get(pk=report.pk).status == ReportStatus.IN_REVIEW
    report_sign_off(report=report, actor=cast.senior_practitioner, confirmed=True)
    assert FormulationReport.objects.get(pk=report.pk).status == ReportStatus.SIGNED_OFF


def test_a_clean_report_after_the_meeting_is_signed_off_without_a_confirmation(cast: Cast) -> None:
    report = in_review(cast)
    held_meeting(cast)
    report_sign_off(report=report, actor=cast.senior_practitioner)
    assert FormulationReport.objects.get(pk=report.pk).status == ReportStatus.SIGNED_OFF


def test_the_sign_off_page_asks_for_the_confirmation_and_refuses_without_it(cast: Cast, client: Client) -> None:
    report = in_review(cast)
    client.force_login(cast.senior_practitioner)
    url = f"/cases/{cast.case.pk}/formulation/{report.pk}/sign-off/"
    page = client.get(url).content.decode()
    assert "No formulation meeting has been held on this case." in page
    assert "I have weighed this and sign this version off all the same" in page
    response = client.post(url, {"revision": report.revision})
    body = response.content.decode()
    assert response.status_code == 200 and "govuk-error-summary" in body and 'href="#id_confirmed"' in body
    assert FormulationReport.objects.get(pk=report.pk).status == ReportStatus.IN_REVIEW
    response = client.post(url, {"revision": report.revision, "confirmed": "on"})
    assert response.status_code == 302
    assert FormulationReport.objects.get(pk=report.pk).status == ReportStatus.SIGNED_OFF


def test_the_sign_off_page_sends_the_report_back_with_a_reason(cast: Cast, client: Client) -> None:
    report = in_review(cast)
    client.force_login(cast.senior_practitioner)
    url = f"/cases/{cast.case.pk}/formulation/{report.pk}/sign-off/"
    body = client.post(url, {"send_back": "1", "reason": ""}).content.decode()
    assert "Enter what the author needs to change" in body and 'href="#id_reason"' in body
    response = client.post(url, {"send_back": "1", "reason": "Add the school's view."})
    assert response.status_code == 302
    assert FormulationReport.objects.get(pk=report.pk).status == ReportStatus.DRAFT


# The case's clinicians see its meetings.


def test_the_cases_clinicians_see_its_meetings_invited_or_not_and_nobody_else_gains_any(cast: Cast) -> None:
    meeting = formulation_meeting(cast, invitees=[gp_invitee()])  # organised by the senior practitioner
    assert meeting not in my_meetings(user=cast.psychologist)  # covering, but not the case's psychologist
    allocate(cast)
    assert meeting in my_meetings(user=cast.psychologist)
    assert meeting not in my_meetings(user=cast.colleague)
    # The case's psychologist who stops covering the service stops seeing it: access decides first.
    Coverage.objects.filter(clinician=cast.psychologist).delete()
    assert meeting not in my_meetings(user=cast.psychologist)


def test_my_meetings_of_the_cases_psychologist_costs_the_same_with_fifty_meetings(
    cast: Cast, django_assert_max_num_queries: Any, client: Client
) -> None:
    allocate(cast)
    for n in range(50):
        start = uk_time(SUMMER_DAY, 8) + dt.timedelta(days=n)
        formulation_meeting(cast, starts_at=start, ends_at=start + dt.timedelta(hours=1), invitees=[gp_invitee()])
    client.force_login(cast.psychologist)
    client.get("/meetings/")
    with django_assert_max_num_queries(8):
        response = client.get("/meetings/")
    assert response.content.decode().count(f"/cases/{cast.case.pk}/meetings/") >= 25
