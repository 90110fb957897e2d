"""The autosave endpoint behind static/ecm/autosave.js: 204 when saved, never a redirect."""

from __future__ import annotations

import pytest
from django.test import Client

from accounts.models import AccessEvent
from referrals.models import Referral
from referrals.services import referral_save_draft, referral_submit, referral_version
from tests.conftest import Cast
from tests.referrals.helpers import draft_referral


def autosave_url(referral: Referral) -> str:
    return f"/referrals/{referral.pk}/autosave/"


def typed(referral: Referral, section: str = "reasons", **fields: str) -> dict[str, str]:
    """What autosave.js posts: the section's fields, and the version they were typed over."""
    return {"section": section, "version": str(referral_version(referral)), **fields}


@pytest.fixture
def sam(cast: Cast, client: Client) -> Client:
    client.force_login(cast.case_manager)
    return client


def test_a_section_is_saved_and_the_new_version_returned(cast: Cast, sam: Client) -> None:
    referral = draft_referral(cast)
    response = sam.post(autosave_url(referral), typed(referral, reasons="Typed so far"))
    assert response.status_code == 204
    referral.refresh_from_db()
    assert referral.reasons == "Typed so far"
    assert response["X-ECM-Saved-At"] == str(int(referral.updated_at.timestamp() * 1000))


def test_the_version_shown_on_the_section_page_is_the_one_autosave_compares(cast: Cast, sam: Client) -> None:
    referral = draft_referral(cast)
    body = sam.get(f"/referrals/{referral.pk}/reasons/").content.decode()
    version = int(referral.updated_at.timestamp() * 1000)
    assert f'data-autosave-saved-at="{version}"' in body
    assert f'data-autosave-url="/referrals/{referral.pk}/autosave/"' in body
    assert '<script type="module" src="/static/ecm/autosave.js"></script>' in body


def test_autosave_uses_the_same_rules_as_the_form(cast: Cast, sam: Client) -> None:
    referral = draft_referral(cast)
    response = sam.post(
        autosave_url(referral),
        {
            "section": "consent",
            "consent_given_by": "Carer",
            "consent_date_day": "40",
            "consent_date_month": "1",
            "consent_date_year": "2026",
        },
    )
    assert response.status_code == 400  # the browser keeps its copy; nothing is half-saved
    referral.refresh_from_db()
    assert referral.consent_given_by == ""


def test_a_signed_out_person_gets_401_not_a_sign_in_page(cast: Cast, client: Client) -> None:
    referral = draft_referral(cast)
    response = client.post(autosave_url(referral), typed(referral, reasons="Lost?"))
    assert response.status_code == 401
    referral.refresh_from_db()
    assert referral.reasons == ""


def test_another_service_cannot_autosave_into_a_draft(cast: Cast, client: Client) -> None:
    referral = draft_referral(cast)
    client.force_login(cast.banes_case_manager)
    assert client.post(autosave_url(referral), typed(referral, reasons="x")).status_code == 404
    client.force_login(cast.psychologist)
    assert client.post(autosave_url(referral), typed(referral, reasons="x")).status_code == 404


def test_a_submitted_referral_answers_409(cast: Cast, sam: Client) -> None:
    referral = referral_submit(referral=draft_referral(cast, complete=True), actor=cast.case_manager)
    assert sam.post(autosave_url(referral), typed(referral, reasons="x")).status_code == 409


def test_autosave_is_a_write_not_a_read_so_it_does_not_fill_the_access_log(cast: Cast, sam: Client) -> None:
    referral = draft_referral(cast)
    for text in ("One", "One two", "One two three"):
        assert sam.post(autosave_url(referral), typed(referral, reasons=text)).status_code == 204
        referral.refresh_from_db()
    assert not AccessEvent.objects.filter(record_type="referral", record_id=str(referral.pk)).exists()


def test_autosave_needs_the_csrf_token(cast: Cast) -> None:
    referral = draft_referral(cast)
    client = Client(enforce_csrf_checks=True)
    client.force_login(cast.case_manager)
    assert client.post(autosave_url(referral), typed(referral, reasons="x")).status_code == 403


def test_a_late_autosave_never_undoes_a_newer_save(cast: Cast, sam: Client) -> None:
    """The person pressed Save while a background save was on its way: the background one loses."""
    referral = draft_referral(cast)
    opened = typed(referral, reasons="Older text")
    referral_save_draft(referral=referral, actor=cast.case_manager, reasons="Newer text, saved by the button")
    response = sam.post(autosave_url(referral), opened)
    assert response.status_code == 409
    referral.refresh_from_db()
    assert referral.reasons == "Newer text, saved by the button"


def test_autosave_without_a_version_is_refused(cast: Cast, sam: Client) -> None:
    referral = draft_referral(cast)
    assert sam.post(autosave_url(referral), {"section": "reasons", "reasons": "x"}).status_code == 400
