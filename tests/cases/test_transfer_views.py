"""The transfer pages (issue 17): forms come back with the GOV.UK error summary and lose nothing; the receiving
service sees initials, never the record, until it accepts."""

from __future__ import annotations

import pytest
from django.test import Client

from accounts.models import AccessEvent
from cases.models import Case, CaseTransfer, TransferStatus
from cases.services.transfers import transfer_offer
from tests.cast import Cast

pytestmark = pytest.mark.django_db


def _offer(cast: Cast) -> CaseTransfer:
    return transfer_offer(case=cast.case, actor=cast.case_manager, to_yjs=cast.banes, reason="Kai moved to Bath.")


def test_the_offer_form_shows_its_errors_and_keeps_what_was_typed(cast: Cast, client: Client) -> None:
    client.force_login(cast.case_manager)
    url = f"/cases/{cast.case.pk}/transfer/"
    page = client.post(url, {"to_yjs": "", "reason": "", "note": "Moves on Friday."}).content.decode()
    assert "There is a problem" in page
    assert "Choose the youth justice service to offer the case to" in page
    assert "Enter why the case should move to the other service" in page
    assert "Moves on Friday." in page  # nothing typed is lost
    assert not CaseTransfer.objects.exists()

    response = client.post(url, {"to_yjs": cast.banes.pk, "reason": "Kai moved to Bath.", "note": ""})
    assert response.status_code == 302
    page = client.get(url).content.decode()
    assert "It waits for their decision" in page and "Withdraw the offer" in page
    assert "The case is offered to BANES YJS" in client.get(f"/cases/{cast.case.pk}/details/").content.decode()
    # A second offer while one waits: the form is not offered; a post is refused with the reason.
    again = client.post(url, {"to_yjs": cast.banes.pk, "reason": "Again"}).content.decode()
    assert "already offered to BANES YJS" in again
    assert client.post(f"/cases/{cast.case.pk}/transfer/withdraw/").status_code == 302
    assert CaseTransfer.objects.get().status == TransferStatus.WITHDRAWN


def test_the_receiving_service_sees_initials_and_decides_with_errors_shown(cast: Cast, client: Client) -> None:
    transfer = _offer(cast)
    client.force_login(cast.banes_case_manager)
    listing = client.get("/cases/transfers/").content.decode()
    assert f"Case {cast.case.pk} (KB, born" in listing
    assert "Brennan" not in listing
    url = f"/cases/transfers/{transfer.pk}/"
    page = client.get(url).content.decode()
    assert "Kai moved to Bath." in page and "Brennan" not in page
    assert AccessEvent.objects.filter(user=cast.banes_case_manager, record_type="case_transfer").exists()

    declined = client.post(url, {"decision": "decline", "decline-decline_reason": ""}).content.decode()
    assert "There is a problem" in declined and "Enter why your service cannot take the case" in declined
    accepted = client.post(url, {"decision": "accept", "accept-new_holder": ""}).content.decode()
    assert "There is a problem" in accepted and "Choose who will hold the case" in accepted
    assert CaseTransfer.objects.get().is_pending

    response = client.post(url, {"decision": "accept", "accept-new_holder": cast.banes_case_manager.pk})
    assert response.status_code == 302 and response["Location"] == f"/cases/{cast.case.pk}/"
    assert Case.objects.get(pk=cast.case.pk).owning_yjs == cast.banes
    assert "Brennan" in client.get(f"/cases/{cast.case.pk}/contacts/").content.decode()
    # Decided: posting again says so.
    again = client.post(url, {"decision": "decline", "decline-decline_reason": "Too late"}).content.decode()
    assert "This offer was already accepted" in again


def test_others_cannot_open_an_offer(cast: Cast, client: Client) -> None:
    transfer = _offer(cast)
    for person in (cast.case_manager, cast.colleague, cast.senior_practitioner, cast.teacher):
        client.force_login(person)
        assert client.get(f"/cases/transfers/{transfer.pk}/").status_code == 404
        assert client.post(f"/cases/transfers/{transfer.pk}/", {"decision": "decline"}).status_code == 404
    assert CaseTransfer.objects.get().is_pending


def test_the_receiving_case_managers_workboard_lists_the_offer(cast: Cast, client: Client) -> None:
    transfer = _offer(cast)
    client.force_login(cast.banes_case_manager)
    home = client.get("/").content.decode()
    assert "Cases offered to your service" in home
    assert f"/cases/transfers/{transfer.pk}/" in home and "KB, born 17 May 2010" in home
    assert "Brennan" not in home
    client.force_login(cast.colleague)
    assert "Cases offered to your service" not in client.get("/").content.decode()
