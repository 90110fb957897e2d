"""The service administrator's pages: agencies (create, rename, close, reopen, partners' second factor),
ECM coverage and commissioning, and the services behind them."""

from __future__ import annotations

from typing import Any

import pytest
from django.apps import apps
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.test import Client

from accounts import services
from accounts.models import Agency, AgencyKind, Commissioning, Coverage, Role, User
from accounts.selectors import active_memberships
from cases import access
from reporting.services import commissioning_add, commissioning_record, commissioning_remove
from tests.conftest import Cast


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def latest_history_actor(model_history: Any, obj_id: int) -> Any:
    event = model_history.objects.filter(pgh_obj_id=obj_id).order_by("-pgh_id").first()
    return event.pgh_context.metadata.get("user")


# Agencies


def test_the_agency_list_shows_kind_people_and_status(cast: Cast) -> None:
    page = signed_in(cast.administrator).get("/manage/agencies/").content.decode()
    for text in ("Bristol YJS", "Youth justice service", "Fernbrook Academy", "Education", "Open", "Required"):
        assert text in page, text
    listed = {
        agency.name: agency.people
        for agency in signed_in(cast.administrator).get("/manage/agencies/").context["agencies"]
    }
    assert listed["Bristol YJS"] == 3  # Sam, Priya and Ola


def test_creating_an_agency_gives_it_a_group_and_names_the_administrator(cast: Cast) -> None:
    response = signed_in(cast.administrator).post(
        "/manage/agencies/add/", {"name": "Northmoor Police", "kind": AgencyKind.POLICE}
    )
    assert response.status_code == 302
    police = Agency.objects.get(name="Northmoor Police")
    assert police.kind == AgencyKind.POLICE and police.group.name == "agency:Northmoor Police"
    assert latest_history_actor(apps.get_model("accounts", "AgencyHistory"), police.pk) == cast.administrator.pk


def test_an_agency_name_already_taken_is_refused_with_the_form_kept(cast: Cast) -> None:
    response = signed_in(cast.administrator).post(
        "/manage/agencies/add/", {"name": "bristol yjs", "kind": AgencyKind.YOUTH_JUSTICE}
    )
    page = response.content.decode()
    assert "There is already an agency called bristol yjs." in page and 'value="bristol yjs"' in page
    assert Agency.objects.filter(name__iexact="bristol yjs").count() == 1


def test_an_agency_needs_a_name_and_a_kind(cast: Cast) -> None:
    page = signed_in(cast.administrator).post("/manage/agencies/add/", {}).content.decode()
    assert "Enter the agency&#x27;s name" in page and "Choose the kind of agency" in page


def test_renaming_renames_its_group_and_keeps_the_old_name_in_history(cast: Cast) -> None:
    response = signed_in(cast.administrator).post(
        f"/manage/agencies/{cast.school.pk}/", {"name": "Fernbrook Academy Trust", "partner_mfa_required": "on"}
    )
    assert response.status_code == 302
    cast.school.refresh_from_db()
    assert cast.school.name == "Fernbrook Academy Trust"
    assert Group.objects.get(pk=cast.school.group_id).name == "agency:Fernbrook Academy Trust"
    names = list(
        apps.get_model("accounts", "AgencyHistory")
        .objects.filter(pgh_obj_id=cast.school.pk)
        .values_list("name", flat=True)
    )
    assert "Fernbrook Academy" in names


def test_renaming_to_another_agencys_name_is_refused(cast: Cast) -> None:
    with pytest.raises(ValidationError, match="already an agency called BANES YJS"):
        services.agency_rename(agency=cast.bristol, name="BANES YJS", actor=cast.administrator)


def test_partners_second_factor_can_be_switched_off_for_an_agency(cast: Cast) -> None:
    response = signed_in(cast.administrator).post(f"/manage/agencies/{cast.school.pk}/", {"name": cast.school.name})
    assert response.status_code == 302
    cast.school.refresh_from_db()
    assert not cast.school.partner_mfa_required
    assert latest_history_actor(apps.get_model("accounts", "AgencyHistory"), cast.school.pk) == cast.administrator.pk


def test_closing_an_agency_asks_first_then_takes_its_roles_away_until_it_reopens(cast: Cast) -> None:
    client = signed_in(cast.administrator)
    assert "Close the agency" in client.get(f"/manage/agencies/{cast.school.pk}/close/").content.decode()
    assert client.post(f"/manage/agencies/{cast.school.pk}/close/").status_code == 302
    cast.school.refresh_from_db()
    assert not cast.school.is_active
    assert active_memberships(User.objects.get(pk=cast.teacher.pk)) == []
    assert client.post(f"/manage/agencies/{cast.school.pk}/open/").status_code == 302
    cast.school.refresh_from_db()
    assert cast.school.is_active
    assert [m.agency for m in active_memberships(User.objects.get(pk=cast.teacher.pk))] == [cast.school]


def test_an_administrator_cannot_close_their_own_agency(cast: Cast) -> None:
    response = signed_in(cast.administrator).post(f"/manage/agencies/{cast.ecm_team.pk}/close/")
    assert "You cannot deactivate your own agency" in response.content.decode()
    cast.ecm_team.refresh_from_db()
    assert cast.ecm_team.is_active


def test_only_a_service_administrator_changes_agencies_through_the_services(cast: Cast) -> None:
    for change in (
        lambda: services.agency_create(name="X", kind=AgencyKind.POLICE, actor=cast.agency_administrator),
        lambda: services.agency_rename(agency=cast.bristol, name="Y", actor=cast.agency_administrator),
        lambda: services.agency_deactivate(agency=cast.banes, actor=cast.agency_administrator),
        lambda: services.agency_reactivate(agency=cast.banes, actor=cast.agency_administrator),
        lambda: services.agency_set_partner_mfa(agency=cast.school, required=False, actor=cast.agency_administrator),
        lambda: services.coverage_remove(coverage=cast.psychologist.coverage.get(), actor=cast.agency_administrator),
    ):
        with pytest.raises(ValidationError, match="Only a service administrator"):
            change()
    cast.school.refresh_from_db()
    assert cast.school.partner_mfa_required and Coverage.objects.filter(clinician=cast.psychologist).exists()


# Coverage


def test_coverage_lists_who_covers_which_service(cast: Cast) -> None:
    page = signed_in(cast.administrator).get("/manage/coverage/").content.decode()
    assert "Alex Morgan" in page and "Jordan Reeve" in page and "Bristol YJS" in page


def test_adding_coverage_lets_the_clinician_see_that_services_cases(cast: Cast) -> None:
    response = signed_in(cast.administrator).post(
        "/manage/coverage/", {"clinician": cast.psychologist.pk, "yjs": cast.banes.pk}
    )
    assert response.status_code == 302
    line = Coverage.objects.get(clinician=cast.psychologist, yjs=cast.banes)
    assert latest_history_actor(apps.get_model("accounts", "CoverageHistory"), line.pk) == cast.administrator.pk


def test_coverage_is_for_clinicians_and_once_per_service(cast: Cast) -> None:
    client = signed_in(cast.administrator)
    not_clinician = client.post("/manage/coverage/", {"clinician": cast.case_manager.pk, "yjs": cast.banes.pk})
    assert "Choose one of the clinicians listed" in not_clinician.content.decode()
    again = client.post("/manage/coverage/", {"clinician": cast.psychologist.pk, "yjs": cast.bristol.pk})
    assert "Alex Morgan already covers Bristol YJS." in again.content.decode()
    assert Coverage.objects.filter(clinician=cast.psychologist).count() == 1


def test_removing_coverage_asks_first_and_takes_the_cases_away(cast: Cast) -> None:
    line = cast.psychologist.coverage.get()
    client = signed_in(cast.administrator)
    assert (
        "Stop Alex Morgan covering Bristol YJS?" in client.get(f"/manage/coverage/{line.pk}/remove/").content.decode()
    )
    assert client.post(f"/manage/coverage/{line.pk}/remove/").status_code == 302
    assert not Coverage.objects.filter(pk=line.pk).exists()
    assert not access.visible_cases(cast.psychologist).exists()
    deleted = apps.get_model("accounts", "CoverageHistory").objects.get(pgh_obj_id=line.pk, pgh_label="delete")
    assert deleted.pgh_context.metadata["user"] == cast.administrator.pk


# Commissioning


def test_commissioning_add_and_remove(cast: Cast) -> None:
    client = signed_in(cast.administrator)
    response = client.post(
        "/manage/commissioning/", {"commissioner_agency": cast.commissioning.pk, "yjs": cast.banes.pk}
    )
    assert response.status_code == 302
    line = Commissioning.objects.get(commissioner_agency=cast.commissioning, yjs=cast.banes)
    assert cast.banes in access.reportable_agencies(cast.commissioner)
    page = client.get("/manage/commissioning/").content.decode()
    assert "Westcombe ICB" in page and "BANES YJS" in page
    assert (
        "Stop Westcombe ICB commissioning ECM for BANES YJS?"
        in client.get(f"/manage/commissioning/{line.pk}/remove/").content.decode()
    )
    assert client.post(f"/manage/commissioning/{line.pk}/remove/").status_code == 302
    assert cast.banes not in access.reportable_agencies(cast.commissioner)


def test_commissioning_twice_or_by_a_non_commissioning_body_is_refused(cast: Cast) -> None:
    commissioning_add(commissioner_agency=cast.commissioning, yjs=cast.bristol)
    client = signed_in(cast.administrator)
    again = client.post(
        "/manage/commissioning/", {"commissioner_agency": cast.commissioning.pk, "yjs": cast.bristol.pk}
    )
    assert "Westcombe ICB already commissions ECM for Bristol YJS." in again.content.decode()
    school = client.post("/manage/commissioning/", {"commissioner_agency": cast.school.pk, "yjs": cast.bristol.pk})
    assert "Choose one of the bodies listed" in school.content.decode()
    assert Commissioning.objects.count() == 1


def test_only_a_service_administrator_changes_commissioning_through_the_services(cast: Cast) -> None:
    line = commissioning_add(commissioner_agency=cast.commissioning, yjs=cast.bristol)
    with pytest.raises(ValidationError, match="Only a service administrator"):
        commissioning_record(commissioner_agency=cast.commissioning, yjs=cast.banes, actor=cast.agency_administrator)
    with pytest.raises(ValidationError, match="Only a service administrator"):
        commissioning_remove(commissioning=line, actor=cast.case_manager)
    line_id = line.pk
    commissioning_remove(commissioning=line, actor=cast.administrator)
    deleted = apps.get_model("accounts", "CommissioningHistory").objects.get(pgh_obj_id=line_id, pgh_label="delete")
    assert deleted.pgh_context.metadata["user"] == cast.administrator.pk


def test_the_landing_page_offers_the_service_administrator_everything_and_the_agency_administrator_people(
    cast: Cast,
) -> None:
    service = signed_in(cast.administrator).get("/manage/").content.decode()
    for link in (
        "/manage/people/",
        "/manage/agencies/",
        "/manage/coverage/",
        "/manage/commissioning/",
        "/trm/",
        "/cases/access-log/",
    ):
        assert f'href="{link}"' in service, link
    agency = signed_in(cast.agency_administrator).get("/manage/").content.decode()
    assert 'href="/manage/people/"' in agency and "the people of Bristol YJS only" in agency
    for link in ("/manage/agencies/", "/manage/coverage/", "/manage/commissioning/", "/trm/", "/cases/access-log/"):
        assert f'href="{link}"' not in agency, link


def test_the_navigation_offers_manage_to_administrators_only(cast: Cast) -> None:
    for name, user in cast.everyone().items():
        nav = [item["label"] for item in signed_in(user).get("/").context["nav_items"]]
        assert ("Manage" in nav) == (name in {"administrator", "agency_administrator"}), name
    nav = [item["label"] for item in signed_in(cast.administrator).get("/").context["nav_items"]]
    assert "Access log" in nav


def test_the_agency_administrators_home_page_leads_to_their_people(cast: Cast) -> None:
    page = signed_in(cast.agency_administrator).get("/").content.decode()
    assert (
        "People of Bristol YJS" in page and 'href="/manage/people/"' in page and 'href="/manage/people/invite/"' in page
    )


def test_a_membership_by_role_fits_the_agency_kind(cast: Cast) -> None:
    with pytest.raises(ValidationError, match="cannot belong"):
        services.membership_add(user=cast.colleague, agency=cast.commissioning, role=Role.CASE_MANAGER)
