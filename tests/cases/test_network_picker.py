"""The network picker: a search by name or e-mail (never a list of all staff), the agencies that already work
with the child first, and a confirmation before adding someone of another youth justice service."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from accounts.models import Role
from cases import access
from cases.access import Action
from cases.models import CaseUserObjectPermission, NetworkMember
from cases.selectors import network_search
from tests.conftest import Cast
from tests.factories import person

EVERY_STAFF_NAME = ("Helen Marsh", "Tom Hartley", "Rob Ingram", "Priya Nandra", "Alex Morgan", "Jordan Reeve")


@pytest.fixture
def manager(cast: Cast, client: Client) -> Client:
    client.force_login(cast.case_manager)
    return client


def search(client: Client, cast: Cast, text: str) -> str:
    response = client.get(f"/cases/{cast.case.pk}/network/add/", {"q": text})
    assert response.status_code == 200
    return response.content.decode()


def test_the_add_page_lists_nobody_until_a_search(cast: Cast, manager: Client) -> None:
    body = manager.get(f"/cases/{cast.case.pk}/network/add/").content.decode()
    assert 'name="user"' not in body  # the old drop-down of every member of staff is gone
    for name in EVERY_STAFF_NAME:
        assert name not in body
    assert "Search by name or e-mail address" in body


@pytest.mark.parametrize("text", ["", "a", " b "])
def test_a_search_needs_at_least_two_characters(cast: Cast, manager: Client, text: str) -> None:
    body = search(manager, cast, text)
    assert "There is a problem" in body
    expected = "Enter their name or e-mail address" if not text else "Enter at least 2 characters"
    assert expected in body
    for name in EVERY_STAFF_NAME:
        assert name not in body


def test_a_search_finds_people_by_name_or_e_mail_with_their_agency_and_role(cast: Cast, manager: Client) -> None:
    by_name = search(manager, cast, "tom hart")
    assert "Tom Hartley" in by_name and "BANES YJS" in by_name and "Case manager" in by_name
    assert "Another youth justice service" in by_name
    by_email = search(manager, cast, cast.social_worker.email)
    assert "Rob Ingram" in by_email and "Avonvale Social Care" in by_email and "Partner professional" in by_email
    assert "Tom Hartley" not in by_email


def test_people_of_the_agencies_working_with_the_child_come_first(cast: Cast) -> None:
    """The school is in Kai's network, Bristol owns the case and the ECM team works on it; social care does not."""
    aaron = person("aaron", "Aaron", "Teal", agency=cast.social_care, role=Role.PARTNER)
    zoe = person("zoe", "Zoe", "Teal", agency=cast.school, role=Role.PARTNER)
    yusuf = person("yusuf", "Yusuf", "Teal", agency=cast.bristol, role=Role.CASE_MANAGER)
    bea = person("bea", "Bea", "Teal", agency=cast.ecm_team, role=Role.PSYCHOLOGIST)
    found = network_search(case=cast.case, text="teal")
    assert found == [bea, yusuf, zoe, aaron]
    assert [person.works_with_child for person in found] == [True, True, True, False]  # type: ignore[attr-defined]


def test_the_page_shows_the_two_groups_in_that_order(cast: Cast, manager: Client) -> None:
    person("aaron", "Aaron", "Teal", agency=cast.social_care, role=Role.PARTNER)
    person("zoe", "Zoe", "Teal", agency=cast.school, role=Role.PARTNER)
    body = search(manager, cast, "teal")
    assert body.index("People of the agencies that already work with Kai") < body.index("Zoe Teal")
    assert body.index("Zoe Teal") < body.index("People of other agencies") < body.index("Aaron Teal")


def test_results_are_limited(cast: Cast) -> None:
    for number in range(25):
        person(f"sw{number}", "Social", f"Worker{number:02d}", agency=cast.social_care, role=Role.PARTNER)
    assert len(network_search(case=cast.case, text="worker")) == 20


def test_leavers_commissioners_and_administrators_are_never_found(cast: Cast) -> None:
    from accounts.services import user_deactivate

    user_deactivate(user=cast.social_worker, actor=cast.administrator)
    for text in ("rob", "chris", "dana", "ola"):
        assert network_search(case=cast.case, text=text) == []


def test_someone_of_the_same_service_is_added_without_a_confirmation(cast: Cast, manager: Client) -> None:
    NetworkMember.objects.filter(case=cast.case, user=cast.teacher).delete()
    response = manager.post(f"/cases/{cast.case.pk}/network/add/{cast.colleague.pk}/", {"role": "Second case manager"})
    assert response.status_code == 302
    member = NetworkMember.objects.get(case=cast.case, user=cast.colleague)
    assert (member.role, member.agency, member.may_see_summary) == ("Second case manager", cast.bristol, False)


def test_someone_of_another_youth_justice_service_needs_a_confirmation(cast: Cast, manager: Client) -> None:
    tom = cast.banes_case_manager
    url = f"/cases/{cast.case.pk}/network/add/{tom.pk}/"
    page = manager.get(url).content.decode()
    assert "Tom Hartley works for BANES YJS, not Bristol YJS" in page

    confirm = manager.post(url, {"role": "Case manager where Kai's cousin lives", "may_see_summary": "on"})
    assert confirm.status_code == 200
    body = confirm.content.decode()
    assert "Tom Hartley works for BANES YJS. Sharing gives them the summary of this case." in body
    assert "Confirm and add Tom Hartley" in body
    assert not NetworkMember.objects.filter(case=cast.case, user=tom).exists()  # nothing yet
    assert cast.case not in access.visible_cases(tom)

    added = manager.post(
        url, {"role": "Case manager where Kai's cousin lives", "may_see_summary": "on", "confirmed": "on"}
    )
    assert added.status_code == 302
    member = NetworkMember.objects.get(case=cast.case, user=tom)
    assert (member.agency, member.may_see_summary) == (cast.banes, True)
    assert CaseUserObjectPermission.objects.filter(user=tom, content_object=cast.case).exists()
    assert cast.case in access.visible_cases(tom)
    assert not access.may(tom, Action.VIEW, cast.case)  # the summary only


def test_the_choose_step_keeps_to_the_access_rules(cast: Cast, client: Client) -> None:
    url = f"/cases/{cast.case.pk}/network/add/{cast.social_worker.pk}/"
    client.force_login(cast.teacher)
    assert client.get(url).status_code == 403
    assert client.post(url, {"may_see_summary": "on"}).status_code == 403
    client.force_login(cast.banes_case_manager)
    assert client.get(url).status_code == 404
    assert client.post(url, {"may_see_summary": "on"}).status_code == 404
    client.force_login(cast.case_manager)
    assert client.get(url).status_code == 200
    assert not NetworkMember.objects.filter(case=cast.case, user=cast.social_worker).exists()


def test_a_search_costs_a_few_queries_whatever_the_number_of_matches(
    cast: Cast, manager: Client, django_assert_max_num_queries: Any
) -> None:
    for number in range(30):
        person(f"p{number}", "Pat", f"Jones{number}", agency=cast.social_care, role=Role.PARTNER)
    with django_assert_max_num_queries(12):
        body = search(manager, cast, "pat jones")
    assert body.count(">Choose<span") == 20
