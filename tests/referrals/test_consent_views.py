"""The Consent panel and its forms (issue 17): GOV.UK errors that keep what was typed, the withdrawal ending the
network's view, the Network page saying why, the lawful basis, and closed cases read-only."""

from __future__ import annotations

import datetime as dt

from django.test import Client

from cases.services import case_close
from referrals.consent import consent_withdraw
from referrals.consent_models import ConsentRecord
from tests.clock import hold_today
from tests.conftest import Cast

TODAY = dt.date(2026, 11, 18)
_today = hold_today(TODAY)

WITHDRAWAL = {
    "given_by": "parent_carer",
    "given_by_name": "Jo Brennan, mother",
    "method": "written",
    "purposes": ["share_summary"],
    "on_day": "17",
    "on_month": "11",
    "on_year": "2026",
}


def client_for(user: object) -> Client:
    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    return client


def test_the_panel_shows_the_history_and_the_forms_for_those_who_may_record(cast: Cast) -> None:
    page = client_for(cast.case_manager).get(f"/cases/{cast.case.pk}/details/").content.decode()
    assert 'id="consent-heading"' in page and "No consent has been recorded" in page
    assert f"/referrals/cases/{cast.case.pk}/consent/withdraw/" in page
    assert "lawful-basis" not in page  # nothing has stopped


def test_an_empty_withdrawal_comes_back_with_the_error_summary_and_keeps_what_was_typed(cast: Cast) -> None:
    path = f"/referrals/cases/{cast.case.pk}/consent/withdraw/"
    response = client_for(cast.case_manager).post(path, {"given_by": "parent_carer", "on_day": "17"})
    page = response.content.decode()
    assert response.status_code == 200 and "There is a problem" in page
    assert "Enter the parent&#x27;s or carer&#x27;s name" in page and "Choose what it is for" in page
    assert 'value="parent_carer" checked' in page and 'value="17"' in page
    assert not ConsentRecord.objects.exists()


def test_a_withdrawal_stops_sharing_and_the_network_page_says_why(cast: Cast) -> None:
    response = client_for(cast.case_manager).post(f"/referrals/cases/{cast.case.pk}/consent/withdraw/", WITHDRAWAL)
    assert response.status_code == 302 and response["Location"].endswith("/details/#consent-heading")
    network = client_for(cast.case_manager).get(f"/cases/{cast.case.pk}/network/").content.decode()
    assert "Sharing stopped: consent withdrawn on 17 November 2026" in network
    assert "Stopped: no consent" in network
    assert client_for(cast.teacher).get(f"/cases/{cast.case.pk}/network/").status_code == 404
    details = client_for(cast.case_manager).get(f"/cases/{cast.case.pk}/details/").content.decode()
    assert "Jo Brennan, mother" in details and "In writing" in details
    assert "lawful-basis" not in details  # a case manager does not record a lawful basis


def test_a_senior_practitioner_records_a_lawful_basis_and_the_network_page_shows_it(cast: Cast) -> None:
    consent_withdraw(
        case=cast.case,
        actor=cast.case_manager,
        given_by="child",
        method="verbal",
        purposes=["share_summary"],
        on=TODAY,
    )
    path = f"/referrals/cases/{cast.case.pk}/consent/lawful-basis/"
    assert client_for(cast.psychologist).get(path).status_code == 403
    assert client_for(cast.teacher).get(path).status_code == 404
    senior = client_for(cast.senior_practitioner)
    assert "lawful-basis" in senior.get(f"/cases/{cast.case.pk}/details/").content.decode()
    empty = senior.post(path, {"explanation": "Too short"})
    assert empty.status_code == 200 and "Choose the lawful basis" in empty.content.decode()
    reason = "Kai was seen with adults suspected of exploiting him; school must keep watch."
    assert senior.post(path, {"basis": "safeguarding_child", "explanation": reason}).status_code == 302
    network = client_for(cast.teacher).get(f"/cases/{cast.case.pk}/network/").content.decode()
    assert "Sharing continues without consent on a lawful basis" in network and "Jordan Reeve" in network
    assert reason in senior.get(f"/cases/{cast.case.pk}/details/").content.decode()


def test_a_closed_case_is_read_only(cast: Cast) -> None:
    case_close(
        case=cast.case, actor=cast.case_manager, reason="goals_met", outcome_summary="Settled.", ending_plan="Call us."
    )
    client = client_for(cast.case_manager)
    assert "consent/withdraw/" not in client.get(f"/cases/{cast.case.pk}/details/").content.decode()
    response = client.post(f"/referrals/cases/{cast.case.pk}/consent/withdraw/", WITHDRAWAL)
    assert response.status_code == 200 and "This case is closed" in response.content.decode()
    assert not ConsentRecord.objects.exists()
