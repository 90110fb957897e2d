"""The professional network: adding people, sharing the summary (a guardian grant on this case only), removing."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from cases import access
from cases.models import CaseEvent, CaseEventKind, CaseUserObjectPermission, NetworkMember
from cases.services import network_member_add
from tests.conftest import Cast
from tests.factories import make_case


@pytest.fixture
def fresh_case(cast: Cast) -> Any:
    """A Bristol case nobody has shared with the teacher yet."""
    return make_case(owning_yjs=cast.bristol, case_holder=cast.case_manager)


def add(client: Client, case_id: int, **data: Any) -> Any:
    return client.post(f"/cases/{case_id}/network/add/", data)


def test_the_teacher_gains_and_loses_the_summary_through_the_network_pages(
    cast: Cast, client: Client, fresh_case: Any
) -> None:
    teacher = Client()
    teacher.force_login(cast.teacher)
    assert teacher.get(f"/cases/{fresh_case.pk}/").status_code == 404

    client.force_login(cast.case_manager)
    response = client.post(
        f"/cases/{fresh_case.pk}/network/add/{cast.teacher.pk}/",
        {"role": "Designated teacher", "may_see_summary": "on"},
    )
    assert response.status_code == 302
    member = NetworkMember.objects.get(case=fresh_case, user=cast.teacher)
    assert member.may_see_summary and member.agency == cast.school and member.email == cast.teacher.email
    assert teacher.get(f"/cases/{fresh_case.pk}/").status_code == 200
    # Only this case: the grant is a per-object permission, never a model-level one.
    assert CaseUserObjectPermission.objects.filter(user=cast.teacher, content_object=fresh_case).count() == 1
    assert not cast.teacher.user_permissions.exists()

    response = client.post(f"/cases/{fresh_case.pk}/network/{member.pk}/sharing/", {"may_see_summary": "no"})
    assert response.status_code == 302
    assert teacher.get(f"/cases/{fresh_case.pk}/").status_code == 404

    client.post(f"/cases/{fresh_case.pk}/network/{member.pk}/sharing/", {"may_see_summary": "yes"})
    assert teacher.get(f"/cases/{fresh_case.pk}/").status_code == 200

    confirm = client.get(f"/cases/{fresh_case.pk}/network/{member.pk}/remove/").content.decode()
    assert "They will no longer see the shared summary" in confirm
    assert client.post(f"/cases/{fresh_case.pk}/network/{member.pk}/remove/").status_code == 302
    assert teacher.get(f"/cases/{fresh_case.pk}/").status_code == 404
    member.refresh_from_db()
    assert member.removed_at is not None  # kept, not deleted
    kinds = list(
        CaseEvent.objects.filter(case=fresh_case, kind=CaseEventKind.NETWORK).values_list("summary", flat=True)
    )
    assert len(kinds) == 4


def test_a_professional_without_an_account_is_added_with_their_details(
    cast: Cast, client: Client, fresh_case: Any
) -> None:
    client.force_login(cast.case_manager)
    response = add(
        client,
        fresh_case.pk,
        name="Dr Imogen Vale",
        agency_name="Avon Community Paediatrics",
        role="Community paediatrician",
        email="imogen.vale@example.org",
        phone="0117 496 0000",
    )
    assert response.status_code == 302 and response["Location"] == f"/cases/{fresh_case.pk}/network/"
    body = client.get(response["Location"]).content.decode()
    assert "Dr Imogen Vale is in the network" in body
    for text in ("Avon Community Paediatrics", "Community paediatrician", "imogen.vale@example.org", "No ECM account"):
        assert text in body


def test_a_professional_without_an_account_cannot_be_given_the_summary(
    cast: Cast, client: Client, fresh_case: Any
) -> None:
    client.force_login(cast.case_manager)
    form = client.get(f"/cases/{fresh_case.pk}/network/add/").content.decode()
    assert "They cannot see the shared summary" in form
    assert 'name="may_see_summary"' not in form
    # A crafted field is ignored: the contact is added without any share.
    add(client, fresh_case.pk, name="Dr Vale", agency_name="GP", role="GP", may_see_summary="on")
    member = NetworkMember.objects.get(case=fresh_case)
    assert not member.may_see_summary and member.user is None


def test_missing_details_are_explained(cast: Cast, client: Client, fresh_case: Any) -> None:
    client.force_login(cast.case_manager)
    body = add(client, fresh_case.pk).content.decode()
    for message in ("Enter the full name of someone not on ECM", "Enter their role", "Choose their agency"):
        assert message in body


def test_commissioners_and_administrators_are_not_offered_and_cannot_be_added(
    cast: Cast, client: Client, fresh_case: Any
) -> None:
    client.force_login(cast.case_manager)
    for text in ("Chris", "Dana", "lowe", "whitfield"):
        found = client.get(f"/cases/{fresh_case.pk}/network/add/", {"q": text}).content.decode()
        assert "Nobody who could join the network matches" in found
    for outsider in (cast.commissioner, cast.administrator):
        assert client.get(f"/cases/{fresh_case.pk}/network/add/{outsider.pk}/").status_code == 404
        assert (
            client.post(f"/cases/{fresh_case.pk}/network/add/{outsider.pk}/", {"may_see_summary": "on"}).status_code
            == 404
        )
    assert cast.case not in access.visible_cases(cast.commissioner)


def test_someone_already_in_the_network_is_not_offered_again(cast: Cast, client: Client, fresh_case: Any) -> None:
    network_member_add(case=fresh_case, actor=cast.case_manager, name="", role="Teacher", user=cast.teacher)
    client.force_login(cast.case_manager)
    found = client.get(f"/cases/{fresh_case.pk}/network/add/", {"q": "helen"}).content.decode()
    assert "Helen Marsh" not in found
    assert client.get(f"/cases/{fresh_case.pk}/network/add/{cast.teacher.pk}/").status_code == 404


def test_a_member_of_another_case_is_not_found_here(cast: Cast, client: Client, fresh_case: Any) -> None:
    elsewhere = network_member_add(case=cast.case, actor=cast.case_manager, name="Dr Vale", role="GP", agency_name="GP")
    client.force_login(cast.case_manager)
    assert client.get(f"/cases/{fresh_case.pk}/network/{elsewhere.pk}/remove/").status_code == 404
    assert client.post(f"/cases/{fresh_case.pk}/network/{elsewhere.pk}/remove/").status_code == 404
    elsewhere.refresh_from_db()
    assert elsewhere.removed_at is None


def test_the_partner_may_not_change_the_network_and_another_yjs_cannot_see_it(cast: Cast, client: Client) -> None:
    member = network_member_add(case=cast.case, actor=cast.case_manager, name="Dr Vale", role="GP", agency_name="GP")
    client.force_login(cast.teacher)
    assert add(client, cast.case.pk, name="X", role="Y", agency_name="Z").status_code == 403
    assert client.post(f"/cases/{cast.case.pk}/network/{member.pk}/remove/").status_code == 403
    client.force_login(cast.banes_case_manager)
    assert client.post(f"/cases/{cast.case.pk}/network/{member.pk}/remove/").status_code == 404
    assert add(client, cast.case.pk, name="X", role="Y", agency_name="Z").status_code == 404
    member.refresh_from_db()
    assert member.removed_at is None
    assert set(
        NetworkMember.objects.filter(case=cast.case, removed_at__isnull=True).values_list("name", flat=True)
    ) == {
        "Dr Vale",
        "Helen Marsh",
    }


def test_the_search_needs_no_query_per_person(cast: Cast, client: Client, django_assert_max_num_queries) -> None:
    from tests.factories import person

    for number in range(50):
        person(f"partner{number}", "Partner", f"Number{number}", agency=cast.school, role="partner")
    client.force_login(cast.case_manager)
    with django_assert_max_num_queries(12):
        body = client.get(f"/cases/{cast.case.pk}/network/add/", {"q": "partner"}).content.decode()
    # At most 20 are shown, with their role and agency; the page says there are more.
    assert body.count("Partner professional") == 20
    assert "Only the first 20 people are shown" in body
