"""Closing and reopening a case: reason, outcome and ending plan; one close wins when two happen at once."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from cases.models import Case, CaseEvent, CaseStatus
from cases.services import StaleState, case_close, case_reopen
from tests.conftest import Cast


def closure(**overrides: Any) -> dict[str, Any]:
    data = {
        "reason": "goals_met",
        "outcome_summary": "Kai is back in school full time and sees his mentor weekly.",
        "ending_plan": "Kai and his mother can text Sam for three months.",
    }
    data.update(overrides)
    return data


def url(cast: Cast, action: str) -> str:
    return f"/cases/{cast.case.pk}/{action}/"


def test_a_case_manager_closes_and_reopens_a_case(cast: Cast, client: Client) -> None:
    client.force_login(cast.case_manager)
    form = client.get(url(cast, "close")).content.decode()
    assert "Goals met: the network can carry on without ECM" in form
    response = client.post(url(cast, "close"), closure())
    assert response.status_code == 302
    case = Case.objects.get(pk=cast.case.pk)
    assert case.status == CaseStatus.CLOSED and case.closure_reason == "goals_met" and case.closed_at
    assert response["Location"] == f"/cases/{case.pk}/details/"  # where the closure is shown
    page = client.get(response["Location"]).content.decode()
    assert "The case is closed" in page and "back in school full time" in page

    response = client.post(url(cast, "reopen"), {"reason": "Kai was arrested again; the network asked for ECM."})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.OPEN and case.closed_at is None
    assert case.child_id == cast.case.child_id  # the child's record stays
    summaries = list(CaseEvent.objects.filter(case=case, kind="status").values_list("summary", flat=True))
    assert summaries[:3] == [
        "Reason for reopening: Kai was arrested again; the network asked for ECM.",
        "Case reopened",
        "Case closed: Goals met: the network can carry on without ECM",
    ]
    # The closure stays in the case's history.
    assert any(row.closure_reason == "goals_met" and row.status == "closed" for row in case.history.all())


def test_closing_needs_a_reason_an_outcome_and_an_ending_plan(cast: Cast, client: Client) -> None:
    client.force_login(cast.case_manager)
    body = client.post(url(cast, "close"), closure(reason="", ending_plan="")).content.decode()
    assert "Choose the reason for closing the case" in body and 'href="#id_reason"' in body
    assert "Enter the ending plan (the safety net after ECM)" in body
    assert "sees his mentor weekly.</textarea>" in body
    assert Case.objects.get(pk=cast.case.pk).status == CaseStatus.OPEN
    with pytest.raises(ValidationError):
        case_close(case=cast.case, actor=cast.case_manager, reason="made_up", outcome_summary="o", ending_plan="p")


def test_a_second_close_at_the_same_time_is_told_clearly_and_the_first_stands(cast: Cast, client: Client) -> None:
    first, second = Client(), Client()
    first.force_login(cast.case_manager)
    second.force_login(cast.psychologist)
    assert "Close the case</button>" in second.get(url(cast, "close")).content.decode()  # both have the form open
    assert first.post(url(cast, "close"), closure()).status_code == 302
    response = second.post(url(cast, "close"), closure(reason="disengaged", outcome_summary="Typed by Alex"))
    body = response.content.decode()
    assert response.status_code == 200
    assert "Someone else closed this case while you were filling in this form" in body
    assert "Typed by Alex</textarea>" in body  # nothing typed is lost
    assert "sees his mentor weekly." in body  # the closure that stands is shown
    case = Case.objects.get(pk=cast.case.pk)
    assert case.closure_reason == "goals_met"
    assert CaseEvent.objects.filter(case=case, summary__startswith="Case closed").count() == 1


def test_the_service_refuses_a_stale_close_and_reopen(cast: Cast) -> None:
    stale = Case.objects.get(pk=cast.case.pk)
    case_close(case=cast.case, actor=cast.case_manager, reason="other", outcome_summary="o", ending_plan="p")
    assert Case.objects.get(pk=cast.case.pk).closed_by == cast.case_manager
    with pytest.raises(StaleState):
        case_close(case=stale, actor=cast.psychologist, reason="other", outcome_summary="o", ending_plan="p")
    case_reopen(case=cast.case, actor=cast.case_manager, reason="Back")
    assert Case.objects.get(pk=cast.case.pk).closed_by is None
    with pytest.raises(StaleState):
        case_reopen(case=stale, actor=cast.psychologist, reason="Back again")


def test_reopening_needs_a_reason_and_an_open_case_says_so(cast: Cast, client: Client) -> None:
    client.force_login(cast.case_manager)
    assert "This case is open." in client.get(url(cast, "reopen")).content.decode()
    case_close(case=cast.case, actor=cast.case_manager, reason="other", outcome_summary="o", ending_plan="p")
    body = client.post(url(cast, "reopen"), {"reason": ""}).content.decode()
    assert "Enter the reason for reopening the case" in body
    assert Case.objects.get(pk=cast.case.pk).status == CaseStatus.CLOSED
    closed_form = client.get(url(cast, "close")).content.decode()
    assert "This case is closed." in closed_form and "Close the case</button>" not in closed_form


def test_the_partner_may_not_close_and_another_yjs_cannot_see_the_case(cast: Cast, client: Client) -> None:
    client.force_login(cast.teacher)
    assert client.post(url(cast, "close"), closure()).status_code == 403
    client.force_login(cast.banes_case_manager)
    assert client.post(url(cast, "close"), closure()).status_code == 404
    assert Case.objects.get(pk=cast.case.pk).status == CaseStatus.OPEN
