"""Changing the case holder: only to a case manager of the owning YJS, with a reason, every change kept."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from accounts.services import membership_end
from cases.models import Case, CaseEvent, CaseEventKind, CaseHolderChange
from cases.services import case_holder_change
from tests.conftest import Cast


def url(cast: Cast) -> str:
    return f"/cases/{cast.case.pk}/case-holder/"


def test_a_case_manager_hands_the_case_to_a_colleague_with_a_reason(cast: Cast, client: Client) -> None:
    client.force_login(cast.case_manager)
    form = client.get(url(cast)).content.decode()
    assert "Priya Nandra" in form
    assert "Tom Hartley" not in form  # BANES is not offered
    response = client.post(url(cast), {"new_holder": cast.colleague.pk, "reason": "Sam is moving to the court team"})
    assert response.status_code == 302 and response["Location"] == f"/cases/{cast.case.pk}/details/"
    case = Case.objects.get(pk=cast.case.pk)
    assert case.case_holder == cast.colleague
    change = CaseHolderChange.objects.filter(case=case).first()
    assert change is not None
    assert (change.previous_holder, change.new_holder, change.changed_by) == (
        cast.case_manager,
        cast.colleague,
        cast.case_manager,
    )
    assert CaseEvent.objects.filter(case=case, kind=CaseEventKind.CASE_HOLDER).count() == 1
    page = client.get(f"/cases/{cast.case.pk}/details/").content.decode()
    assert "Priya Nandra now holds the case" in page  # the success banner
    assert "Sam is moving to the court team" in page  # the holder history on the case's details page


def test_every_holder_is_kept_in_the_history(cast: Cast, client: Client) -> None:
    case_holder_change(case=cast.case, new_holder=cast.colleague, reason="Leave", actor=cast.case_manager)
    case_holder_change(case=cast.case, new_holder=cast.case_manager, reason="Back from leave", actor=cast.colleague)
    client.force_login(cast.psychologist)
    body = client.get(url(cast)).content.decode()
    assert body.index("Back from leave") < body.index("Leave<") < body.index("Case opened")


def test_a_case_manager_of_another_yjs_cannot_be_chosen(cast: Cast, client: Client) -> None:
    client.force_login(cast.case_manager)
    response = client.post(url(cast), {"new_holder": cast.banes_case_manager.pk, "reason": "Moving"})
    body = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in body and "Choose a case manager" in body
    assert Case.objects.get(pk=cast.case.pk).case_holder == cast.case_manager
    with pytest.raises(ValidationError):
        case_holder_change(case=cast.case, new_holder=cast.banes_case_manager, reason="x", actor=cast.case_manager)


@pytest.mark.parametrize("who", ["psychologist", "teacher", "social_worker"])
def test_clinicians_and_partners_cannot_hold_a_case(cast: Cast, who: str) -> None:
    with pytest.raises(ValidationError):
        case_holder_change(case=cast.case, new_holder=cast.everyone()[who], reason="x", actor=cast.case_manager)


def test_a_case_manager_who_has_left_the_service_cannot_be_chosen(cast: Cast) -> None:
    membership_end(membership=cast.colleague.memberships.get(), actor=cast.administrator)
    with pytest.raises(ValidationError):
        case_holder_change(case=cast.case, new_holder=cast.colleague, reason="x", actor=cast.case_manager)


def test_the_reason_is_required_and_the_choice_is_kept(cast: Cast, client: Client) -> None:
    client.force_login(cast.case_manager)
    body = client.post(url(cast), {"new_holder": cast.colleague.pk, "reason": "  "}).content.decode()
    assert "Enter the reason for the change" in body
    assert f'<option value="{cast.colleague.pk}" selected>' in body
    assert 'href="#id_reason"' in body
    assert Case.objects.get(pk=cast.case.pk).case_holder == cast.case_manager


def test_the_network_partner_may_not_change_the_holder_and_another_yjs_cannot_see_it(
    cast: Cast, client: Client
) -> None:
    client.force_login(cast.teacher)
    assert client.post(url(cast), {"new_holder": cast.colleague.pk, "reason": "x"}).status_code == 403
    client.force_login(cast.banes_case_manager)
    assert client.post(url(cast), {"new_holder": cast.banes_case_manager.pk, "reason": "x"}).status_code == 404
    assert Case.objects.get(pk=cast.case.pk).case_holder == cast.case_manager


def test_the_covering_senior_practitioner_is_offered_the_holders_whole_work(cast: Cast, client: Client) -> None:
    work_url = f"/manage/people/{cast.case_manager.pk}/work/"
    client.force_login(cast.senior_practitioner)
    page = client.get(f"/cases/{cast.case.pk}/case-holder/")
    assert work_url in page.content.decode()
    client.force_login(cast.colleague)
    page = client.get(f"/cases/{cast.case.pk}/case-holder/")
    assert page.status_code == 200
    assert work_url not in page.content.decode()
