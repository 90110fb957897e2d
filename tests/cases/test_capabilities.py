"""Case capabilities: the case's state and the access module folded into one object, and the actions enum."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from django.test import Client

from cases import access
from cases.access import RULES, Action
from cases.capabilities import case_capabilities, person_capabilities
from cases.models import Case
from cases.services import case_close
from tests.conftest import Cast


def closed(cast: Cast) -> Case:
    case_close(
        case=cast.case,
        actor=cast.case_manager,
        reason="goals_met",
        outcome_summary="Back in school full time.",
        ending_plan="The school carries on the daily check-in.",
    )
    return Case.objects.get(pk=cast.case.pk)


def test_every_action_is_a_rule_and_still_equals_its_old_name() -> None:
    assert set(RULES) == set(Action)
    assert Action.VIEW == "view" and Action("view") is Action.VIEW and f"{Action.VIEW}" == "view"
    with pytest.raises(ValueError):
        Action("veiw")


def test_the_case_holder_may_change_the_open_case_and_close_it_but_not_reopen_it(cast: Cast) -> None:
    caps = case_capabilities(cast.case_manager, cast.case)
    assert caps.is_open and caps.full_record and caps.view_restricted and caps.see_access_log
    assert caps.change and caps.log_contact and caps.manage_network and caps.change_child and caps.change_holder
    assert caps.close and not caps.reopen
    assert not caps.log_consultation and not caps.schedule_meeting and not caps.write_report


def test_a_closed_case_is_read_only_but_reopened_and_its_childs_details_still_corrected(cast: Cast) -> None:
    caps = case_capabilities(cast.case_manager, closed(cast))
    assert caps.is_closed and caps.reopen and not caps.close
    assert not caps.log_contact and not caps.manage_network and not caps.change_child and not caps.change_holder
    assert not caps.record_outcomes
    assert caps.correct_child  # rectification is a data-rights duty that outlives the case
    clinician = case_capabilities(cast.psychologist, Case.objects.get(pk=cast.case.pk))
    assert not clinician.log_consultation and not clinician.schedule_meeting and not clinician.review_report


def test_the_covering_psychologist_runs_meetings_and_reports_only_while_the_case_is_open(cast: Cast) -> None:
    caps = case_capabilities(cast.psychologist, cast.case)
    assert caps.log_consultation and caps.schedule_meeting and caps.write_report and caps.start_report
    assert caps.record_stage and caps.read_report_drafts
    after = case_capabilities(cast.psychologist, closed(cast))
    assert not after.write_report and not after.start_report and not after.record_stage
    assert after.read_report_drafts  # reading stays


def test_the_network_sees_the_summary_and_may_do_nothing(cast: Cast) -> None:
    caps = case_capabilities(cast.teacher, cast.case)
    granted = {field.name for field in dataclasses.fields(caps) if getattr(caps, field.name) is True}
    assert granted == {"is_open"}


def test_the_capabilities_ask_nothing_of_the_database_once_the_case_is_fetched(
    cast: Cast, django_assert_num_queries: Any
) -> None:
    case = access.get_case_for(cast.psychologist, cast.case.pk, Action.VIEW, log=False)
    case_capabilities(cast.psychologist, case)  # the permissions of the role, read once per person
    with django_assert_num_queries(0):
        case_capabilities(cast.psychologist, case)


def test_a_senior_practitioner_may_hand_on_the_case_holders_work(cast: Cast) -> None:
    assert case_capabilities(cast.senior_practitioner, cast.case).hand_on_holders_work
    assert not case_capabilities(cast.colleague, cast.case).hand_on_holders_work


def test_the_case_page_offers_what_the_capabilities_allow(cast: Cast, client: Client) -> None:
    client.force_login(cast.case_manager)
    overview, details = f"/cases/{cast.case.pk}/", f"/cases/{cast.case.pk}/details/"
    page = client.get(details).content.decode()
    assert (
        "Close the case" in page
        and "Reopen the case" not in page
        and "Log a contact" in client.get(overview).content.decode()
    )
    closed(cast)
    page = client.get(details).content.decode()
    assert "Reopen the case" in page and "Close the case" not in page
    assert "Log a contact" not in client.get(overview).content.decode()


def test_an_agency_administrator_changes_their_own_agencys_memberships_only(cast: Cast) -> None:
    memberships = list(cast.colleague.memberships.all())
    caps = person_capabilities(cast.agency_administrator, cast.colleague, memberships=memberships)
    assert caps.change and not caps.is_self
    assert caps.changeable_memberships == {m.pk for m in memberships if m.is_active and m.agency_id == cast.bristol.pk}
    outside = person_capabilities(cast.agency_administrator, cast.administrator, memberships=[])
    assert not outside.change and not outside.changeable_memberships
