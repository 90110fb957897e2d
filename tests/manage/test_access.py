"""Who may manage whom: the access module's administration questions, branch by branch, and the
access triad (allowed, forbidden 403, invisible 404) on every page of /manage/."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.test import Client

from accounts.models import AccessAction, AccessEvent, Agency, Role, User
from accounts.services import agency_deactivate, membership_add, membership_end
from cases import access
from tests.conftest import Cast
from tests.factories import person


def test_both_kinds_of_administrator_manage_people_and_nobody_else_does(cast: Cast) -> None:
    managers = {name for name, user in cast.everyone().items() if access.may_manage_people(user)}
    assert managers == {"administrator", "agency_administrator"}
    assert not access.may_manage_people(AnonymousUser())


def test_only_the_service_administrator_manages_the_service(cast: Cast) -> None:
    managers = {name for name, user in cast.everyone().items() if access.may_manage_service(user)}
    assert managers == {"administrator"}


def test_an_inactive_administrator_manages_nobody(cast: Cast) -> None:
    User.objects.filter(pk=cast.administrator.pk).update(is_active=False)
    cast.administrator.refresh_from_db()
    assert not access.may_manage_people(cast.administrator)
    assert not access.manageable_people(cast.administrator).exists()


def test_the_service_administrator_manages_everyone(cast: Cast) -> None:
    assert set(access.manageable_people(cast.administrator)) == set(User.objects.all())


def test_the_agency_administrator_manages_their_own_agencys_people_only(cast: Cast) -> None:
    managed = set(access.manageable_people(cast.agency_administrator))
    assert managed == {cast.case_manager, cast.colleague, cast.agency_administrator}
    assert cast.banes_case_manager not in managed


def test_a_leaver_stays_in_the_agency_administrators_reach(cast: Cast) -> None:
    membership_end(membership=cast.colleague.memberships.get(), actor=cast.agency_administrator)
    assert cast.colleague in access.manageable_people(cast.agency_administrator)


def test_an_agency_administrator_of_a_closed_agency_manages_nobody(cast: Cast) -> None:
    agency_deactivate(agency=cast.bristol, actor=cast.administrator)
    assert not access.manageable_people(cast.agency_administrator).exists()


def test_people_who_are_not_administrators_manage_nobody(cast: Cast) -> None:
    for name in ("case_manager", "psychologist", "teacher", "commissioner"):
        assert not access.manageable_people(cast.everyone()[name]).exists(), name
        assert not access.manageable_agencies(cast.everyone()[name]).exists(), name


def test_manageable_agencies_are_every_open_agency_or_the_administrators_own(cast: Cast) -> None:
    agency_deactivate(agency=cast.social_care, actor=cast.administrator)
    assert set(access.manageable_agencies(cast.administrator)) == set(Agency.objects.filter(is_active=True))
    assert cast.social_care not in access.manageable_agencies(cast.administrator)
    assert list(access.manageable_agencies(cast.agency_administrator)) == [cast.bristol]


def test_an_agency_administrator_never_changes_a_service_administrator(cast: Cast) -> None:
    membership_add(user=cast.administrator, agency=cast.bristol, role=Role.PARTNER)
    assert cast.administrator in access.manageable_people(cast.agency_administrator)
    assert not access.may_manage_person(cast.agency_administrator, cast.administrator)
    assert access.may_manage_person(cast.agency_administrator, cast.colleague)
    assert access.may_manage_person(cast.administrator, cast.administrator)


def test_may_manage_person_is_false_outside_the_scope(cast: Cast) -> None:
    assert not access.may_manage_person(cast.agency_administrator, cast.banes_case_manager)
    assert not access.may_manage_person(cast.case_manager, cast.colleague)


def _refusals(user: User) -> list[str]:
    return list(
        AccessEvent.objects.filter(user=user, action=AccessAction.DENIED, record_type="person").values_list(
            "description", flat=True
        )
    )


def test_get_person_for_returns_a_person_in_scope(cast: Cast) -> None:
    assert access.get_person_for(cast.agency_administrator, cast.colleague.pk) == cast.colleague
    assert access.get_person_for(cast.administrator, str(cast.banes_case_manager.pk)) == cast.banes_case_manager


def test_get_person_for_answers_404_outside_the_agency_and_logs_it(cast: Cast) -> None:
    with pytest.raises(Http404):
        access.get_person_for(cast.agency_administrator, cast.banes_case_manager.pk)
    assert _refusals(cast.agency_administrator) == ["manage person: not visible"]


def test_get_person_for_answers_404_for_someone_who_does_not_exist(cast: Cast) -> None:
    with pytest.raises(Http404):
        access.get_person_for(cast.administrator, 987654)
    with pytest.raises(Http404):
        access.get_person_for(cast.administrator, "not-a-number")


def test_get_person_for_answers_403_to_someone_who_manages_nobody_and_logs_it(cast: Cast) -> None:
    with pytest.raises(PermissionDenied):
        access.get_person_for(cast.case_manager, cast.colleague.pk)
    assert _refusals(cast.case_manager) == ["manage person: forbidden"]


def test_get_person_for_change_answers_403_for_a_service_administrator_in_the_agency(cast: Cast) -> None:
    membership_add(user=cast.administrator, agency=cast.bristol, role=Role.PARTNER)
    assert access.get_person_for(cast.agency_administrator, cast.administrator.pk) == cast.administrator
    with pytest.raises(PermissionDenied):
        access.get_person_for(cast.agency_administrator, cast.administrator.pk, change=True)


# The triad on every page. `person` is a Bristol person (in both administrators' reach);
# BANES's case manager is out of the agency administrator's reach.

PersonPage = Callable[[Cast, User], str]
PERSON_PAGES: dict[str, PersonPage] = {
    "person": lambda cast, who: f"/manage/people/{who.pk}/",
    "membership add": lambda cast, who: f"/manage/people/{who.pk}/memberships/add/",
    "membership role": lambda cast, who: f"/manage/people/{who.pk}/memberships/{who.memberships.get().pk}/role/",
    "membership end": lambda cast, who: f"/manage/people/{who.pk}/memberships/{who.memberships.get().pk}/end/",
    "deactivate": lambda cast, who: f"/manage/people/{who.pk}/deactivate/",
    "reactivate": lambda cast, who: f"/manage/people/{who.pk}/reactivate/",
    "second factor reset": lambda cast, who: f"/manage/people/{who.pk}/second-factor/reset/",
}


def _get(user: User, path: str) -> int:
    client = Client()
    client.force_login(user)
    return client.get(path).status_code


# (Not named "page": that is pytest-playwright's fixture, and would pull these tests among the browser tests.)
@pytest.mark.parametrize("person_page", sorted(PERSON_PAGES))
def test_person_pages_allow_administrators_forbid_others_and_hide_other_agencies(cast: Cast, person_page: str) -> None:
    path = PERSON_PAGES[person_page]
    assert _get(cast.administrator, path(cast, cast.colleague)) == 200
    assert _get(cast.agency_administrator, path(cast, cast.colleague)) == 200
    assert _get(cast.case_manager, path(cast, cast.colleague)) == 403
    assert _get(cast.agency_administrator, path(cast, cast.banes_case_manager)) == 404
    assert _get(cast.administrator, path(cast, cast.banes_case_manager)) == 200


@pytest.mark.parametrize("path", ["/manage/", "/manage/people/", "/manage/people/invite/"])
def test_people_pages_allow_both_administrators_and_forbid_everyone_else(cast: Cast, path: str) -> None:
    assert _get(cast.administrator, path) == 200
    assert _get(cast.agency_administrator, path) == 200
    for name in ("case_manager", "psychologist", "teacher", "commissioner"):
        assert _get(cast.everyone()[name], path) == 403, name


@pytest.mark.parametrize(
    "path",
    [
        "/manage/agencies/",
        "/manage/agencies/add/",
        "/manage/agencies/{bristol}/",
        "/manage/agencies/{bristol}/close/",
        "/manage/agencies/{bristol}/open/",
        "/manage/coverage/",
        "/manage/commissioning/",
    ],
)
def test_service_pages_are_for_the_service_administrator_only(cast: Cast, path: str) -> None:
    path = path.format(bristol=cast.bristol.pk)
    assert _get(cast.administrator, path) == 200
    assert _get(cast.agency_administrator, path) == 403
    assert _get(cast.case_manager, path) == 403


def test_missing_agencies_coverage_and_commissioning_answer_404(cast: Cast) -> None:
    for path in ("/manage/agencies/98765/", "/manage/coverage/98765/remove/", "/manage/commissioning/98765/remove/"):
        assert _get(cast.administrator, path) == 404, path


def test_the_agency_administrator_cannot_change_a_banes_person(cast: Cast) -> None:
    client = Client()
    client.force_login(cast.agency_administrator)
    banes_membership = cast.banes_case_manager.memberships.get()
    assert client.post(f"/manage/people/{cast.banes_case_manager.pk}/deactivate/").status_code == 404
    assert (
        client.post(f"/manage/people/{cast.banes_case_manager.pk}/memberships/{banes_membership.pk}/end/").status_code
        == 404
    )
    assert client.post(f"/manage/people/{cast.banes_case_manager.pk}/invitation/").status_code == 404
    cast.banes_case_manager.refresh_from_db()
    banes_membership.refresh_from_db()
    assert cast.banes_case_manager.is_active and banes_membership.is_active


def test_the_agency_administrator_cannot_invite_into_banes(cast: Cast) -> None:
    client = Client()
    client.force_login(cast.agency_administrator)
    response = client.post(
        "/manage/people/invite/",
        {
            "first_name": "Nia",
            "last_name": "Okoro",
            "email": "nia.okoro@banes.invalid",
            "agency": cast.banes.pk,
            "role": Role.CASE_MANAGER,
        },
    )
    assert response.status_code == 200
    assert "Choose one of the agencies listed" in response.content.decode()
    assert not User.objects.filter(email="nia.okoro@banes.invalid").exists()


def test_the_agency_administrator_cannot_end_a_membership_in_another_agency(cast: Cast) -> None:
    """A Bristol person who also works for the school: Bristol's administrator reaches them, not their school role."""
    school_membership = membership_add(user=cast.colleague, agency=cast.school, role=Role.PARTNER)
    client = Client()
    client.force_login(cast.agency_administrator)
    path = f"/manage/people/{cast.colleague.pk}/memberships/{school_membership.pk}/end/"
    assert client.post(path).status_code == 404
    school_membership.refresh_from_db()
    assert school_membership.is_active


def test_the_manage_area_shows_no_case_content(cast: Cast) -> None:
    client = Client()
    client.force_login(cast.administrator)
    for path in ("/manage/", "/manage/people/", f"/manage/people/{cast.case_manager.pk}/"):
        page = client.get(path).content.decode()
        assert "Kai" not in page and "Brennan" not in page and "LOC-100231" not in page, path


def test_a_clinician_outside_any_agency_admin_scope_is_invisible_to_bristols_administrator(cast: Cast) -> None:
    newcomer = person("lena", "Lena", "Voss", agency=cast.ecm_team, role=Role.PSYCHOLOGIST)
    assert _get(cast.agency_administrator, f"/manage/people/{newcomer.pk}/") == 404
    assert _get(cast.administrator, f"/manage/people/{newcomer.pk}/") == 200
