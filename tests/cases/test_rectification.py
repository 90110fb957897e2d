"""Rectification (issue 15): correcting a mistake in the child's details keeps the original and a
statement of why, shows both, notes it in the chronology and tells the people the summary is shared with."""

from __future__ import annotations

from typing import Any

from django.core import mail
from django.test import Client

from cases.models import CaseEvent, Child, NetworkMember, Rectification, Visibility
from cases.services import network_member_add, network_member_set_sharing
from reviews.models import EmailPreference, Notification
from reviews.reminders import reminders_deliver, reminders_sweep
from tests.conftest import Cast
from tests.factories import make_case


def details(child: Child, **overrides: Any) -> dict[str, Any]:
    data = {
        "given_name": child.given_name,
        "family_name": child.family_name,
        "date_of_birth_day": str(child.date_of_birth.day),
        "date_of_birth_month": str(child.date_of_birth.month),
        "date_of_birth_year": str(child.date_of_birth.year),
        "reference": child.reference,
        "gender": child.gender,
        "ethnicity": child.ethnicity,
        "looked_after": child.looked_after,
        "legal_status": child.legal_status,
        "address_area": child.address_area,
        "school": child.school,
        "statement": "Date of birth was typed wrongly at referral",
    }
    data.update(overrides)
    return data


def correct_url(cast: Cast) -> str:
    return f"/cases/{cast.case.pk}/child/correct/"


def corrections_url(cast: Cast) -> str:
    return f"/cases/{cast.case.pk}/child/corrections/"


def correct_date_of_birth(cast: Cast, client: Client, **overrides: Any) -> Any:
    child = Child.objects.get(pk=cast.case.child_id)
    client.force_login(cast.case_manager)
    return client.post(correct_url(cast), details(child, date_of_birth_day="3", date_of_birth_month="2", **overrides))


def sweep_and_deliver() -> None:
    reminders_sweep()
    reminders_deliver(seconds=30)


def test_a_correction_keeps_the_original_and_the_statement_and_shows_them(cast: Cast, client: Client) -> None:
    original = Child.objects.get(pk=cast.case.child_id).date_of_birth
    response = correct_date_of_birth(cast, client)
    assert response.status_code == 302 and response["Location"] == corrections_url(cast)
    child = Child.objects.get(pk=cast.case.child_id)
    assert (child.date_of_birth.day, child.date_of_birth.month) == (3, 2)
    rectification = Rectification.objects.get()
    assert rectification.changes == [
        {
            "field": "date_of_birth",
            "label": "date of birth",
            "before": f"{original.day} {original:%B %Y}",
            "after": f"3 February {original.year}",
        }
    ]
    assert (rectification.statement, rectification.corrected_by, rectification.case) == (
        "Date of birth was typed wrongly at referral",
        cast.case_manager,
        cast.case,
    )
    assert rectification.history.count() == 1  # type: ignore[attr-defined]
    page = client.get(corrections_url(cast)).content.decode()
    assert "Date of birth corrected on" in page and "By Sam Okafor." in page
    assert f"{original.day} {original:%B %Y}" in page and f"3 February {original.year}" in page
    assert "Date of birth was typed wrongly at referral" in page
    assert "The correction is saved" in page


def test_the_statement_is_required_and_nothing_is_saved_without_it(cast: Cast, client: Client) -> None:
    before = Child.objects.get(pk=cast.case.child_id).date_of_birth
    response = correct_date_of_birth(cast, client, statement="  ")
    body = response.content.decode()
    assert response.status_code == 200
    assert "<title>Error: Correct a mistake" in body and "govuk-error-summary" in body
    assert 'href="#id_statement"' in body and "Enter why the details were wrong" in body
    assert Child.objects.get(pk=cast.case.child_id).date_of_birth == before
    assert not Rectification.objects.exists()
    assert not CaseEvent.objects.filter(summary__contains="correct").exists()


def test_a_correction_that_changes_nothing_is_refused(cast: Cast, client: Client) -> None:
    child = Child.objects.get(pk=cast.case.child_id)
    client.force_login(cast.case_manager)
    body = client.post(correct_url(cast), details(child)).content.decode()
    assert "Change at least one detail" in body and 'href="#id_given_name"' in body
    assert not Rectification.objects.exists()


def test_the_chronology_names_the_details_and_why_and_the_network_sees_only_that_a_correction_was_made(
    cast: Cast, client: Client
) -> None:
    correct_date_of_birth(cast, client)
    full = CaseEvent.objects.get(case=cast.case, summary__startswith="Details corrected")
    assert full.summary == "Details corrected: date of birth. Why: Date of birth was typed wrongly at referral"
    assert full.visibility == Visibility.FULL and full.link == corrections_url(cast)
    shared = CaseEvent.objects.get(case=cast.case, summary__startswith="A correction was made")
    assert (shared.summary, shared.visibility) == ("A correction was made to the child's details", Visibility.SUMMARY)
    client.force_login(cast.psychologist)
    chronology = client.get(f"/cases/{cast.case.pk}/chronology/").content.decode()
    assert "Details corrected: date of birth" in chronology
    client.force_login(cast.teacher)
    chronology = client.get(f"/cases/{cast.case.pk}/chronology/").content.decode()
    assert "A correction was made to the child&#x27;s details" in chronology
    assert "Details corrected" not in chronology and "typed wrongly" not in chronology


def test_a_correction_of_the_name_is_named_to_the_network(cast: Cast, client: Client) -> None:
    child = Child.objects.get(pk=cast.case.child_id)
    client.force_login(cast.case_manager)
    client.post(correct_url(cast), details(child, family_name="Brennen", statement="Misspelt on the referral form"))
    shared = CaseEvent.objects.get(case=cast.case, visibility=Visibility.SUMMARY, summary__contains="correction")
    assert shared.summary == "A correction was made to the child's details (last name)"
    assert "Brennan" not in shared.summary and "Brennen" not in shared.summary


def test_every_case_of_the_child_notes_the_correction(cast: Cast, client: Client) -> None:
    child = Child.objects.get(pk=cast.case.child_id)
    other = make_case(owning_yjs=cast.banes, case_holder=cast.banes_case_manager, child_record=child)
    correct_date_of_birth(cast, client)
    assert CaseEvent.objects.filter(case=other, summary__startswith="Details corrected").exists()
    client.force_login(cast.banes_case_manager)
    page = client.get(f"/cases/{other.pk}/child/corrections/").content.decode()
    assert "Date of birth was typed wrongly at referral" in page


def test_the_people_the_summary_is_shared_with_are_told_and_only_they(cast: Cast, client: Client) -> None:
    # In the network without the summary: not told. The one correcting is not told either.
    network_member_add(
        case=cast.case,
        actor=cast.case_manager,
        user=cast.social_worker,
        name="",
        agency=cast.social_care,
        role="Social worker",
        may_see_summary=False,
    )
    correct_date_of_birth(cast, client)
    sweep_and_deliver()
    notification = Notification.objects.get()
    assert notification.recipient == cast.teacher
    assert notification.title == "A correction was made to a child's record shared with you"
    assert notification.link == f"/cases/{cast.case.pk}/"
    assert f"case {cast.case.pk}" in notification.body and "Sam Okafor" in notification.body
    [message] = mail.outbox
    assert message.to == [cast.teacher.email]
    original = Rectification.objects.get().changes[0]
    for text in (f"{notification.title} {notification.body}", f"{message.subject} {message.body}"):
        for secret in ("Kai", "Brennan", original["before"], original["after"], "typed wrongly", "date of birth"):
            assert secret not in text, secret
    sweep_and_deliver()  # once only
    assert Notification.objects.count() == 1 and len(mail.outbox) == 1


def test_the_e_mail_follows_the_persons_preference(cast: Cast, client: Client) -> None:
    EmailPreference.objects.create(user=cast.teacher, send_email=False, weekly_digest=False)
    correct_date_of_birth(cast, client)
    sweep_and_deliver()
    assert Notification.objects.get().recipient == cast.teacher
    assert mail.outbox == []


def test_someone_no_longer_shared_the_summary_is_not_told(cast: Cast, client: Client) -> None:
    correct_date_of_birth(cast, client)
    member = NetworkMember.objects.get(case=cast.case, user=cast.teacher)
    network_member_set_sharing(member=member, may_see_summary=False, actor=cast.case_manager)
    sweep_and_deliver()
    assert not Notification.objects.exists()


def test_only_those_who_may_change_the_record_may_correct_it(cast: Cast, client: Client) -> None:
    child = Child.objects.get(pk=cast.case.child_id)
    expected = {"teacher": 403, "banes_case_manager": 404, "commissioner": 404, "administrator": 404}
    for who, status in expected.items():
        client.force_login(cast.everyone()[who])
        assert client.get(correct_url(cast)).status_code == status, who
        assert client.post(correct_url(cast), details(child, date_of_birth_day="3")).status_code == status, who
        assert client.get(corrections_url(cast)).status_code == status, who
    for who in ("case_manager", "colleague", "psychologist", "senior_practitioner"):
        client.force_login(cast.everyone()[who])
        assert client.get(correct_url(cast)).status_code == 200, who
        assert client.get(corrections_url(cast)).status_code == 200, who
    assert not Rectification.objects.exists()
    client.force_login(cast.teacher)
    page = client.get(f"/cases/{cast.case.pk}/").content.decode()
    assert "/child/correct/" not in page and "/child/corrections/" not in page
