"""The people pages of /manage/: the list (search, filters, pagination, query count), the person page and
its actions (role, memberships, deactivate, reactivate, second factor), and the services behind them."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import services
from accounts.models import Membership, Role, User
from accounts.roles import role_group
from accounts.selectors import person_history
from tests.conftest import Cast
from tests.factories import person


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def history_of(user: User) -> dict[str, str]:
    """What changed -> who changed it. (A test runs in one transaction, so every change has the same time.)"""
    return {change.what: change.actor for change in person_history(user)}


def listed_usernames(response: Any) -> list[str]:
    return [listed.username for listed in response.context["page_obj"].object_list]


# The list


def test_the_list_shows_name_email_agency_role_sign_in_second_factor_and_status(cast: Cast) -> None:
    TOTPDevice.objects.create(user=cast.colleague, name="phone", confirmed=True)
    User.objects.filter(pk=cast.case_manager.pk).update(is_active=False)
    response = signed_in(cast.administrator).get("/manage/people/")
    page = response.content.decode()
    assert response.status_code == 200
    for text in ("Priya Nandra", "priya@test.ecm.invalid", "Bristol YJS: case manager", "Set up", "Not set up"):
        assert text in page, text
    assert "Inactive" in page and "Active" in page
    rows = {listed.username: listed for listed in response.context["page_obj"].object_list}
    assert rows["priya"].mfa_set_up and not rows["sam"].mfa_set_up
    assert not rows["sam"].is_active


def test_search_finds_people_by_name_username_or_email(cast: Cast) -> None:
    client = signed_in(cast.administrator)
    assert listed_usernames(client.get("/manage/people/", {"q": "nandra"})) == ["priya"]
    assert listed_usernames(client.get("/manage/people/", {"q": "Priya Nandra"})) == ["priya"]
    assert listed_usernames(client.get("/manage/people/", {"q": "tom"})) == ["tom"]
    assert listed_usernames(client.get("/manage/people/", {"q": "helen@test"})) == ["helen"]


def test_filters_by_agency_role_and_status(cast: Cast) -> None:
    client = signed_in(cast.administrator)
    bristol = client.get("/manage/people/", {"agency": cast.bristol.pk})
    assert set(listed_usernames(bristol)) == {"sam", "priya", "ola"}
    clinicians = client.get("/manage/people/", {"role": Role.PSYCHOLOGIST})
    assert listed_usernames(clinicians) == ["alex"]
    services.user_deactivate(user=cast.colleague, actor=cast.administrator)
    assert listed_usernames(client.get("/manage/people/", {"status": "inactive"})) == ["priya"]
    assert "priya" not in listed_usernames(client.get("/manage/people/", {"status": "active"}))
    both = client.get("/manage/people/", {"agency": str(cast.bristol.pk), "role": str(Role.AGENCY_ADMINISTRATOR)})
    assert listed_usernames(both) == ["ola"]


def test_an_ended_membership_does_not_count_for_the_agency_filter(cast: Cast) -> None:
    services.membership_add(user=cast.colleague, agency=cast.school, role=Role.PARTNER)
    services.membership_end(membership=cast.colleague.memberships.get(agency=cast.bristol), actor=cast.administrator)
    listed = listed_usernames(signed_in(cast.administrator).get("/manage/people/", {"agency": cast.bristol.pk}))
    assert "priya" not in listed


def test_the_agency_administrator_lists_only_bristols_people(cast: Cast) -> None:
    response = signed_in(cast.agency_administrator).get("/manage/people/")
    assert set(listed_usernames(response)) == {"sam", "priya", "ola"}
    assert "Hartley" not in response.content.decode()
    # Their agency filter offers only Bristol: BANES's name is not even an option.
    assert list(response.context["form"].fields["agency"].queryset) == [cast.bristol]


def test_nothing_matching_shows_an_empty_state(cast: Cast) -> None:
    response = signed_in(cast.administrator).get("/manage/people/", {"q": "nobody-by-this-name"})
    page = response.content.decode()
    assert 'data-testid="no-people"' in page and "Nobody matches these filters" in page
    assert 'data-testid="people"' not in page


def test_the_list_shows_fifty_a_page(cast: Cast) -> None:
    for number in range(55):
        person(f"page{number:02d}", "Paged", f"Person{number:02d}", agency=cast.bristol, role=Role.CASE_MANAGER)
    client = signed_in(cast.administrator)
    first = client.get("/manage/people/", {"q": "Paged"})
    assert len(first.context["page_obj"].object_list) == 50
    assert "Page 1 of 2" in first.content.decode()
    second = client.get("/manage/people/", {"q": "Paged", "page": "2"})
    assert len(second.context["page_obj"].object_list) == 5


def test_the_list_makes_the_same_few_queries_however_many_people(
    cast: Cast, django_assert_max_num_queries: Any
) -> None:
    for number in range(60):
        someone = person(f"many{number:02d}", "Many", f"Person{number:02d}", agency=cast.bristol, role=Role.PARTNER)
        services.membership_add(user=someone, agency=cast.school, role=Role.PARTNER)
        TOTPDevice.objects.create(user=someone, name="phone", confirmed=number % 2 == 0)
    client = signed_in(cast.administrator)
    # Session (read from PostgreSQL), user, memberships (navigation), role permissions, count, page, memberships
    # prefetch, the filter's agencies...: ten, measured, whatever the number of people (one query per person
    # would make it 60 more).
    with django_assert_max_num_queries(10):
        response = client.get("/manage/people/")
    assert len(response.context["page_obj"].object_list) == 50


# The person page


def test_the_person_page_shows_details_memberships_coverage_and_second_factor(cast: Cast) -> None:
    TOTPDevice.objects.create(user=cast.psychologist, name="phone", confirmed=True)
    response = signed_in(cast.administrator).get(f"/manage/people/{cast.psychologist.pk}/")
    page = response.content.decode()
    assert "Alex Morgan" in page and "alex@test.ecm.invalid" in page
    assert "Clinical psychologist" in page and "ECM Team" in page
    assert "Covers Bristol YJS." in page
    assert 'data-testid="mfa-status"><strong class="govuk-tag govuk-tag--green">Set up' in page


def test_the_person_page_shows_ended_memberships_and_the_history_with_the_administrators_name(cast: Cast) -> None:
    services.membership_change_role(
        membership=cast.colleague.memberships.get(), role=Role.PARTNER, actor=cast.agency_administrator
    )
    response = signed_in(cast.administrator).get(f"/manage/people/{cast.colleague.pk}/")
    page = response.content.decode()
    assert "Ended" in page and "Partner professional" in page
    history = {change.what: change.actor for change in response.context["history"]}
    assert history["Membership as a case manager in Bristol YJS ended"] == "Ola Brandt"
    assert history["Became a partner professional in Bristol YJS"] == "Ola Brandt"
    assert history["Became a case manager in Bristol YJS"] == "The system"  # made by the test's factory
    assert "Ola Brandt" in page


def test_the_history_names_second_factor_events_and_details_changed(cast: Cast) -> None:
    from accounts import mfa

    TOTPDevice.objects.create(user=cast.colleague, name="phone", confirmed=True)
    mfa.mfa_reset_for(user=cast.colleague, actor=cast.administrator)
    User.objects.filter(pk=cast.colleague.pk).update(job_title="Team leader")
    history = history_of(cast.colleague)
    assert "Job title changed from “” to “Team leader”" in history
    assert history[mfa.MFA_EVENT_DESCRIPTIONS["mfa.reset"]] == "Dana Whitfield"
    assert "Account created" in history


def test_the_agency_administrator_sees_no_actions_on_a_service_administrator_in_their_agency(cast: Cast) -> None:
    services.membership_add(user=cast.administrator, agency=cast.bristol, role=Role.PARTNER)
    page = signed_in(cast.agency_administrator).get(f"/manage/people/{cast.administrator.pk}/").content.decode()
    assert "Deactivate" not in page and "Change role" not in page and "Add a membership" not in page


def test_an_administrator_is_offered_no_deactivate_button_on_their_own_page(cast: Cast) -> None:
    page = signed_in(cast.agency_administrator).get(f"/manage/people/{cast.agency_administrator.pk}/").content.decode()
    assert f"/manage/people/{cast.agency_administrator.pk}/deactivate/" not in page
    assert f"/manage/people/{cast.agency_administrator.pk}/work/" in page


# Changing role and memberships


def test_changing_a_role_ends_the_old_membership_and_starts_the_new_one(cast: Cast) -> None:
    membership = cast.colleague.memberships.get()
    response = signed_in(cast.agency_administrator).post(
        f"/manage/people/{cast.colleague.pk}/memberships/{membership.pk}/role/", {"role": Role.AGENCY_ADMINISTRATOR}
    )
    assert response.status_code == 302
    memberships = {m.role: m.is_active for m in cast.colleague.memberships.all()}
    assert memberships == {Role.CASE_MANAGER: False, Role.AGENCY_ADMINISTRATOR: True}
    assert cast.colleague.groups.filter(pk=role_group(Role.AGENCY_ADMINISTRATOR).pk).exists()
    assert not cast.colleague.groups.filter(pk=role_group(Role.CASE_MANAGER).pk).exists()
    cast.colleague.refresh_from_db()
    assert cast.colleague.is_active


def test_a_role_that_does_not_fit_the_agency_is_refused_with_the_form_kept(cast: Cast) -> None:
    membership = cast.colleague.memberships.get()
    response = signed_in(cast.administrator).post(
        f"/manage/people/{cast.colleague.pk}/memberships/{membership.pk}/role/", {"role": Role.PSYCHOLOGIST}
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "govuk-error-summary" in page
    assert "A clinical psychologist cannot belong to a Youth justice service." in page
    assert f'<option value="{Role.PSYCHOLOGIST}" selected>' in page
    assert cast.colleague.memberships.get().role == Role.CASE_MANAGER


def test_the_agency_administrator_is_not_offered_the_service_administrator_role(cast: Cast) -> None:
    membership = cast.colleague.memberships.get()
    response = signed_in(cast.agency_administrator).post(
        f"/manage/people/{cast.colleague.pk}/memberships/{membership.pk}/role/", {"role": Role.ADMINISTRATOR}
    )
    assert "Choose one of the roles listed" in response.content.decode()
    assert not cast.colleague.memberships.filter(role=Role.ADMINISTRATOR).exists()


def test_adding_a_membership_in_another_agency(cast: Cast) -> None:
    response = signed_in(cast.administrator).post(
        f"/manage/people/{cast.colleague.pk}/memberships/add/", {"agency": cast.school.pk, "role": Role.PARTNER}
    )
    assert response.status_code == 302
    assert cast.colleague.memberships.filter(agency=cast.school, role=Role.PARTNER, is_active=True).exists()
    assert cast.colleague.groups.filter(pk=cast.school.group_id).exists()


def test_adding_a_membership_the_person_already_has_is_refused(cast: Cast) -> None:
    response = signed_in(cast.administrator).post(
        f"/manage/people/{cast.colleague.pk}/memberships/add/", {"agency": cast.bristol.pk, "role": Role.CASE_MANAGER}
    )
    assert "Priya Nandra is already a case manager in Bristol YJS." in response.content.decode()
    assert cast.colleague.memberships.count() == 1


def test_adding_back_an_ended_membership_restores_it(cast: Cast) -> None:
    services.membership_add(user=cast.colleague, agency=cast.school, role=Role.PARTNER)
    ended = cast.colleague.memberships.get(agency=cast.bristol)
    services.membership_end(membership=ended, actor=cast.administrator)
    restored = services.membership_add(
        user=cast.colleague, agency=cast.bristol, role=Role.CASE_MANAGER, actor=cast.administrator
    )
    assert restored.pk == ended.pk and restored.is_active
    assert history_of(cast.colleague)["Membership as a case manager in Bristol YJS restored"] == "Dana Whitfield"


def test_ending_a_membership_asks_first_and_warns_when_it_is_the_last(cast: Cast) -> None:
    membership = cast.colleague.memberships.get()
    path = f"/manage/people/{cast.colleague.pk}/memberships/{membership.pk}/end/"
    client = signed_in(cast.agency_administrator)
    page = client.get(path).content.decode()
    assert "This is their last membership: ending it deactivates them." in page
    membership.refresh_from_db()
    assert membership.is_active
    assert client.post(path).status_code == 302
    membership.refresh_from_db()
    cast.colleague.refresh_from_db()
    assert not membership.is_active and not cast.colleague.is_active


def test_ending_one_of_two_memberships_keeps_the_person_active(cast: Cast) -> None:
    services.membership_add(user=cast.colleague, agency=cast.school, role=Role.PARTNER)
    membership = cast.colleague.memberships.get(agency=cast.bristol)
    path = f"/manage/people/{cast.colleague.pk}/memberships/{membership.pk}/end/"
    assert "last membership" not in signed_in(cast.administrator).get(path).content.decode()
    signed_in(cast.administrator).post(path)
    cast.colleague.refresh_from_db()
    assert cast.colleague.is_active


# Deactivating and reactivating


def test_the_deactivation_page_says_what_happens_and_changes_nothing(cast: Cast) -> None:
    page = signed_in(cast.agency_administrator).get(f"/manage/people/{cast.colleague.pk}/deactivate/").content
    text = page.decode()
    for words in ("cannot sign in", "session", "no longer shared", "meetings", "stay as they are"):
        assert words in text, words
    cast.colleague.refresh_from_db()
    assert cast.colleague.is_active


def test_deactivating_ends_the_persons_sessions_and_names_the_administrator(cast: Cast) -> None:
    their_browser = signed_in(cast.colleague)
    assert their_browser.get("/").status_code == 200
    response = signed_in(cast.agency_administrator).post(f"/manage/people/{cast.colleague.pk}/deactivate/")
    assert response.status_code == 302
    cast.colleague.refresh_from_db()
    assert not cast.colleague.is_active
    assert their_browser.get("/").status_code == 302  # back to sign-in
    assert history_of(cast.colleague)["Deactivated: cannot sign in"] == "Ola Brandt"


def test_an_administrator_cannot_deactivate_themselves(cast: Cast) -> None:
    client = signed_in(cast.agency_administrator)
    path = f"/manage/people/{cast.agency_administrator.pk}/deactivate/"
    page = client.get(path).content.decode()
    assert "You cannot deactivate yourself" in page and ">Deactivate</button>" not in page
    response = client.post(path)
    assert response.status_code == 200 and "govuk-error-summary" in response.content.decode()
    cast.agency_administrator.refresh_from_db()
    assert cast.agency_administrator.is_active


def test_reactivating_lets_the_person_sign_in_again(cast: Cast) -> None:
    services.user_deactivate(user=cast.colleague, actor=cast.administrator)
    response = signed_in(cast.agency_administrator).post(f"/manage/people/{cast.colleague.pk}/reactivate/")
    assert response.status_code == 302
    cast.colleague.refresh_from_db()
    assert cast.colleague.is_active
    assert history_of(cast.colleague)["Reactivated: can sign in again"] == "Ola Brandt"


def test_reactivating_someone_with_no_active_membership_is_refused(cast: Cast) -> None:
    services.membership_end(membership=cast.colleague.memberships.get(), actor=cast.administrator)
    response = signed_in(cast.administrator).post(f"/manage/people/{cast.colleague.pk}/reactivate/")
    assert "Give the person an active membership before reactivating them." in response.content.decode()
    cast.colleague.refresh_from_db()
    assert not cast.colleague.is_active


def test_resetting_the_second_factor_deletes_their_authenticator(cast: Cast) -> None:
    TOTPDevice.objects.create(user=cast.colleague, name="phone", confirmed=True)
    path = f"/manage/people/{cast.colleague.pk}/second-factor/reset/"
    client = signed_in(cast.agency_administrator)
    assert "authenticator app and recovery codes stop working" in client.get(path).content.decode()
    assert client.post(path).status_code == 302
    assert not TOTPDevice.objects.filter(user=cast.colleague).exists()


# The services' own rules (every caller, not only these pages)


def test_an_agency_administrator_cannot_change_another_agencys_people_through_the_services(cast: Cast) -> None:
    banes_membership = cast.banes_case_manager.memberships.get()
    with pytest.raises(ValidationError, match="agency you administer"):
        services.user_deactivate(user=cast.banes_case_manager, actor=cast.agency_administrator)
    with pytest.raises(ValidationError, match="agency you administer"):
        services.membership_end(membership=banes_membership, actor=cast.agency_administrator)
    with pytest.raises(ValidationError, match="agency you administer"):
        services.membership_add(
            user=cast.banes_case_manager, agency=cast.banes, role=Role.PARTNER, actor=cast.agency_administrator
        )
    cast.banes_case_manager.refresh_from_db()
    assert cast.banes_case_manager.is_active


def test_an_agency_administrator_cannot_grant_the_service_administrator_role(cast: Cast) -> None:
    with pytest.raises(ValidationError, match="Only a service administrator can make someone"):
        services.membership_add(
            user=cast.colleague, agency=cast.bristol, role=Role.ADMINISTRATOR, actor=cast.agency_administrator
        )
    granted = services.membership_add(
        user=cast.colleague, agency=cast.bristol, role=Role.ADMINISTRATOR, actor=cast.administrator
    )
    assert granted.is_active


def test_an_agency_administrator_cannot_change_a_service_administrator(cast: Cast) -> None:
    services.membership_add(user=cast.administrator, agency=cast.bristol, role=Role.PARTNER)
    with pytest.raises(ValidationError, match="Only a service administrator can change a service administrator"):
        services.user_deactivate(user=cast.administrator, actor=cast.agency_administrator)


def test_deactivating_yourself_is_refused_by_the_service(cast: Cast) -> None:
    with pytest.raises(ValidationError, match="You cannot deactivate yourself"):
        services.user_deactivate(user=cast.administrator, actor=cast.administrator)


def test_changing_to_the_same_role_or_on_an_ended_membership_is_refused(cast: Cast) -> None:
    membership = cast.colleague.memberships.get()
    with pytest.raises(ValidationError, match="already a case manager"):
        services.membership_change_role(membership=membership, role=Role.CASE_MANAGER, actor=cast.administrator)
    services.membership_add(user=cast.colleague, agency=cast.school, role=Role.PARTNER)
    services.membership_end(membership=membership, actor=cast.administrator)
    with pytest.raises(ValidationError, match="has ended"):
        services.membership_change_role(membership=membership, role=Role.PARTNER, actor=cast.administrator)


def test_a_role_change_is_all_or_nothing(cast: Cast) -> None:
    membership = cast.colleague.memberships.get()
    with pytest.raises(ValidationError):
        services.membership_change_role(membership=membership, role=Role.COMMISSIONER, actor=cast.administrator)
    assert list(cast.colleague.memberships.values_list("role", "is_active")) == [(Role.CASE_MANAGER, True)]
    assert Membership.objects.filter(user=cast.colleague).count() == 1
    assert Group.objects.filter(user=cast.colleague, name="role:case_manager").exists()
