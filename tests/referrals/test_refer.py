"""Journey 1, refer: find or make the child's record, fill the draft, check and submit; no leaks."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.test import Client, override_settings

from accounts.models import AccessAction, AccessEvent
from cases.models import Child
from cases.services import case_close
from referrals.models import Referral, ReferralStatus
from tests.conftest import Cast
from tests.factories import child as make_child
from tests.factories import make_case
from tests.referrals.helpers import CONSENT, draft_referral

START = "/referrals/new/"


def find(given: str, family: str, born: dt.date, reference: str = "", **extra: str) -> dict[str, Any]:
    return {
        "step": "find",
        "given_name": given,
        "family_name": family,
        "date_of_birth_day": str(born.day),
        "date_of_birth_month": str(born.month),
        "date_of_birth_year": str(born.year),
        "reference": reference,
        **extra,
    }


NEW_CHILD = {
    "gender": "boy",
    "ethnicity": "mixed",
    "looked_after": "looked_after",
    "legal_status": "referral_order",
    "address_area": "Eastfield",
    "school": "Fernbrook Academy",
}


@pytest.fixture
def sam(cast: Cast, client: Client) -> Client:
    client.force_login(cast.case_manager)
    return client


# Finding or making the child's record.


def test_a_new_child_is_found_nowhere_then_their_record_and_draft_are_made(cast: Cast, sam: Client) -> None:
    answers = find("Noah", "Pryce", dt.date(2010, 9, 14), "LOC-777001")
    body = sam.post(START, answers).content.decode()
    assert "About Noah Pryce" in body
    assert 'name="date_of_birth_year" value="2010"' in body  # carried to the next step

    response = sam.post(START, {**answers, "step": "details", **NEW_CHILD})
    referral = Referral.objects.get(child__reference="LOC-777001")
    assert response.status_code == 302
    assert response["Location"] == f"/referrals/{referral.pk}/"
    assert referral.status == ReferralStatus.DRAFT
    assert referral.referring_yjs == cast.bristol
    child = referral.child
    assert (child.full_name, child.date_of_birth, child.looked_after) == (
        "Noah Pryce",
        dt.date(2010, 9, 14),
        "looked_after",
    )


def test_finding_the_child_needs_a_name_and_a_real_date_of_birth(sam: Client) -> None:
    body = sam.post(
        START,
        {
            "step": "find",
            "given_name": "Noah",
            "date_of_birth_day": "31",
            "date_of_birth_month": "2",
            "date_of_birth_year": "2010",
        },
    ).content.decode()
    assert "<title>Error: Refer a child" in body
    assert "There is a problem" in body
    assert '<a href="#id_family_name">Enter the child&#x27;s last name</a>' in body
    assert '<a href="#id_date_of_birth">Date of birth must be a real date</a>' in body
    assert 'value="Noah"' in body  # what was typed is kept
    assert 'name="date_of_birth_day" type="text" inputmode="numeric" value="31"' in body


def test_a_partial_date_of_birth_says_what_is_missing(sam: Client) -> None:
    body = sam.post(
        START,
        {
            "step": "find",
            "given_name": "Noah",
            "family_name": "Pryce",
            "date_of_birth_day": "4",
            "date_of_birth_year": "2010",
        },
    ).content.decode()
    assert "Date of birth must include a month" in body


def test_a_child_the_referrer_may_see_is_offered_for_reuse(cast: Cast, sam: Client) -> None:
    case = make_case(
        owning_yjs=cast.bristol,
        case_holder=cast.case_manager,
        child_record=make_child(given_name="Leo", family_name="Marsh", reference="LOC-100500"),
    )
    case_close(
        case=case,
        actor=cast.senior_practitioner,
        reason="goals_met",
        outcome_summary="Settled.",
        ending_plan="Text access for three months.",
    )

    body = sam.post(START, find("leo", "MARSH", case.child.date_of_birth)).content.decode()
    assert "ECM may already know this child" in body
    assert "LOC-100500" in body
    assert f'name="use_child" value="{case.child.pk}"' in body

    response = sam.post(START, {"use_child": str(case.child.pk), "referring_yjs": str(cast.bristol.pk)})
    referral = Referral.objects.get(child=case.child)
    assert response["Location"] == f"/referrals/{referral.pk}/"
    assert Child.objects.filter(family_name="Marsh").count() == 1  # the story is told once


def test_a_child_with_an_open_case_is_pointed_to_the_case_not_referred_again(cast: Cast, sam: Client) -> None:
    kai = cast.case.child
    body = sam.post(START, find("Kai", "Brennan", kai.date_of_birth)).content.decode()
    assert f"/cases/{cast.case.pk}/" in body
    assert f'name="use_child" value="{kai.pk}"' not in body


@pytest.fixture
def ellis_in_banes(cast: Cast) -> Child:
    """A child only BANES knows: Bristol's case manager must learn nothing about them."""
    ellis = make_child(
        given_name="Ellis",
        family_name="Carter",
        date_of_birth=dt.date(2009, 11, 23),
        reference="BNS-424242",
        school="Larkhill Secure School",
        address_area="Twerton",
    )
    make_case(owning_yjs=cast.banes, case_holder=cast.banes_case_manager, child_record=ellis)
    return ellis


def _assert_nothing_of_ellis(body: str, ellis: Child, *, typed: tuple[str, ...] = ()) -> None:
    secrets = [
        "Ellis",
        "Carter",
        "BNS-424242",
        "Larkhill",
        "Twerton",
        "BANES",
        "Tom Hartley",
        "23 November 2009",
        f'name="use_child" value="{ellis.pk}"',  # not bare value="<pk>": a typed day of birth may equal it
        f"/cases/{ellis.cases.get().pk}/",
    ]
    for secret in secrets:
        if secret in typed:
            continue
        assert secret not in body, f"the page leaks {secret!r}"


def _page_without_tokens(response: Any) -> tuple[int, str]:
    """Status and page, with the per-request CSRF token masked, to compare two answers."""
    body = re.sub(
        r'name="csrfmiddlewaretoken" value="[^"]*"', 'name="csrfmiddlewaretoken" value=""', response.content.decode()
    )
    return response.status_code, body


def test_a_reference_alone_gets_exactly_the_answer_of_no_match(cast: Cast, sam: Client, ellis_in_banes: Child) -> None:
    # Same reference as BANES's child, another name and date of birth: references cannot be tried one by one.
    with_reference = sam.post(START, find("Eli", "Cartwright", dt.date(2010, 1, 2), "bns-424242"))
    without = sam.post(START, find("Eli", "Cartwright", dt.date(2010, 1, 2), "bns-424242-nothing"))
    status, body = _page_without_tokens(with_reference)
    assert status == 200
    assert "may already exist" not in body
    assert "About Eli Cartwright" in body  # straight on to the new child's details
    expected = _page_without_tokens(without)[1].replace("bns-424242-nothing", "bns-424242")
    assert (status, body) == (without.status_code, expected)
    _assert_nothing_of_ellis(body, ellis_in_banes)
    assert not AccessEvent.objects.filter(user=cast.case_manager, record_id=str(ellis_in_banes.pk)).exists()


def test_a_reference_the_person_may_see_still_finds_their_own_record(cast: Cast, sam: Client) -> None:
    body = sam.post(START, find("Kay", "Brenan", dt.date(2011, 1, 1), "loc-100231")).content.decode()
    assert "ECM may already know this child" in body
    assert "Kai Brennan" in body


def test_a_name_and_birth_match_elsewhere_shows_only_what_was_typed(
    cast: Cast, sam: Client, ellis_in_banes: Child
) -> None:
    body = sam.post(START, find("Ellis", "Carter", dt.date(2009, 11, 23))).content.decode()
    assert "may already exist in another service" in body
    _assert_nothing_of_ellis(body, ellis_in_banes, typed=("Ellis", "Carter"))


def test_going_on_after_a_hidden_match_needs_a_confirmation(cast: Cast, sam: Client, ellis_in_banes: Child) -> None:
    answers = find("Ellis", "Carter", dt.date(2009, 11, 23))
    body = sam.post(START, {**answers, "step": "confirm"}).content.decode()
    assert '<a href="#id_confirm_new">Confirm you have checked before you make a new record</a>' in body
    assert Child.objects.filter(family_name="Carter").count() == 1

    body = sam.post(START, {**answers, "step": "confirm", "confirm_new": "on"}).content.decode()
    assert "About Ellis Carter" in body
    # Skipping the confirmation (a hand-made request) lands on the matches again, and makes nothing.
    body = sam.post(START, {**answers, "step": "details", **NEW_CHILD}).content.decode()
    assert "may already exist in another service" in body
    assert Child.objects.filter(family_name="Carter").count() == 1

    response = sam.post(START, {**answers, "step": "details", "confirm_new": "on", **NEW_CHILD})
    assert response.status_code == 302
    made = Referral.objects.get(referrer=cast.case_manager, child__family_name="Carter")
    assert made.child != ellis_in_banes  # a new record: the ECM team will link them if they are the same child


def test_the_hidden_match_is_logged_for_the_ecm_team(cast: Cast, sam: Client, ellis_in_banes: Child) -> None:
    sam.post(START, find("Ellis", "Carter", dt.date(2009, 11, 23)), REMOTE_ADDR="192.0.2.44")
    event = AccessEvent.objects.get(user=cast.case_manager, record_type="child", record_id=str(ellis_in_banes.pk))
    assert event.action == AccessAction.SEARCH
    assert event.description == "duplicate check: hinted at a possible match in another service, not shown"
    assert event.case_id is None  # nothing of the other service's case
    assert event.ip_address == "192.0.2.44"


def test_each_hint_given_is_logged(cast: Cast, sam: Client, ellis_in_banes: Child) -> None:
    answers = find("Ellis", "Carter", dt.date(2009, 11, 23))
    sam.post(START, answers)
    sam.post(START, {**answers, "step": "confirm"})
    hints = AccessEvent.objects.filter(user=cast.case_manager, record_id=str(ellis_in_banes.pk))
    assert hints.count() == 2


@override_settings(ECM_RATE_LIMITS={**settings.ECM_RATE_LIMITS, "duplicate_check": "2/m"})
def test_the_duplicate_check_is_rate_limited_per_person(cast: Cast, sam: Client, ellis_in_banes: Child) -> None:
    for _ in range(2):
        assert sam.post(START, find("Ellis", "Carter", dt.date(2009, 11, 23))).status_code == 200
    response = sam.post(START, find("Ellis", "Carter", dt.date(2009, 11, 23)))
    body = response.content.decode()
    assert response.status_code == 429
    assert "You have checked too many times whether a child already has a record" in body
    assert "Try again in a minute." in body
    assert "may already exist" not in body
    assert AccessEvent.objects.filter(user=cast.case_manager, record_id=str(ellis_in_banes.pk)).count() == 2
    # An invalid form is not a check: it is shown again with its errors, and counts nothing.
    assert sam.post(START, {"step": "find", "given_name": ""}).status_code == 200
    colleague = Client()
    colleague.force_login(cast.colleague)
    assert colleague.post(START, find("Ellis", "Carter", dt.date(2009, 11, 23))).status_code == 200


def test_a_hidden_child_cannot_be_used_by_guessing_its_id(cast: Cast, sam: Client, ellis_in_banes: Child) -> None:
    response = sam.post(START, {"use_child": str(ellis_in_banes.pk)})
    assert response.status_code == 404
    assert not Referral.objects.filter(child=ellis_in_banes, referrer=cast.case_manager).exists()


# Filling the draft.


def test_each_section_saves_and_leads_to_the_next(cast: Cast, sam: Client) -> None:
    referral = draft_referral(cast)
    response = sam.post(f"/referrals/{referral.pk}/reasons/", {"reasons": "Rising risk at home."})
    assert response["Location"] == f"/referrals/{referral.pk}/needs/"
    response = sam.post(f"/referrals/{referral.pk}/needs/", {"complex_needs": ["abuse", "self_harm"]})
    assert response["Location"] == f"/referrals/{referral.pk}/risks/"
    response = sam.post(f"/referrals/{referral.pk}/consent/", {"child_consent": "given"})
    assert response["Location"] == f"/referrals/{referral.pk}/check/"
    referral.refresh_from_db()
    assert (referral.reasons, referral.complex_needs, referral.child_consent) == (
        "Rising risk at home.",
        ["abuse", "self_harm"],
        "given",
    )


def test_save_as_draft_keeps_what_was_typed_and_returns_to_the_task_list(cast: Cast, sam: Client) -> None:
    referral = draft_referral(cast)
    response = sam.post(f"/referrals/{referral.pk}/risks/", {"current_risks": "Half writt", "action": "draft"})
    assert response["Location"] == f"/referrals/{referral.pk}/"
    body = sam.get(response["Location"]).content.decode()
    assert "Your draft has been saved" in body
    assert "Incomplete" in body or "Completed" in body
    referral.refresh_from_db()
    assert referral.current_risks == "Half writt"


def test_an_invalid_section_is_shown_again_with_what_was_typed_and_nothing_saved(cast: Cast, sam: Client) -> None:
    referral = draft_referral(cast)
    answers = {
        **CONSENT,
        "consent_covers_sharing": "on",
        "consent_date_day": "12",
        "consent_date_month": "13",
        "consent_date_year": "2025",
    }
    response = sam.post(f"/referrals/{referral.pk}/consent/", answers)
    body = response.content.decode()
    assert response.status_code == 200
    assert "<title>Error: Consent" in body
    assert '<a href="#id_consent_date">When was consent given? must be a real date</a>' in body
    assert 'value="The child and their foster carer"' in body
    assert 'name="consent_date_month" type="text" inputmode="numeric" value="13"' in body
    referral.refresh_from_db()
    assert referral.consent_given_by == ""  # nothing half-saved


def test_an_unknown_section_is_not_found(cast: Cast, sam: Client) -> None:
    referral = draft_referral(cast)
    assert sam.get(f"/referrals/{referral.pk}/nonsense/").status_code == 404


def test_a_submitted_referral_is_no_longer_editable(cast: Cast, sam: Client) -> None:
    referral = draft_referral(cast, complete=True)
    sam.post(f"/referrals/{referral.pk}/submit/")
    response = sam.post(f"/referrals/{referral.pk}/reasons/", {"reasons": "Late change"})
    assert response["Location"] == f"/referrals/{referral.pk}/"
    referral.refresh_from_db()
    assert referral.reasons != "Late change"


# Check your answers and submit.


def test_submitting_an_incomplete_draft_lists_what_is_missing_with_links(cast: Cast, sam: Client) -> None:
    referral = draft_referral(cast, reasons="Rising risk at home.")
    response = sam.post(f"/referrals/{referral.pk}/submit/")
    body = response.content.decode()
    assert response.status_code == 200
    assert "<title>Error: Check your answers" in body
    assert f'href="/referrals/{referral.pk}/needs/#id_complex_needs">Choose at least one area of complex need' in body
    assert f'href="/referrals/{referral.pk}/consent/#id_child_consent">Record the child' in body
    assert "Rising risk at home." in body
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.DRAFT


def test_a_complete_draft_is_checked_then_submitted(cast: Cast, sam: Client) -> None:
    referral = draft_referral(cast, complete=True)
    body = sam.get(f"/referrals/{referral.pk}/check/").content.decode()
    assert "Check your answers before you submit the referral" in body
    assert "Exploitation (criminal or sexual)" in body
    assert "There is a problem" not in body

    response = sam.post(f"/referrals/{referral.pk}/submit/")
    assert response["Location"] == f"/referrals/{referral.pk}/"
    body = sam.get(response["Location"]).content.decode()
    assert "Referral submitted" in body
    assert "Waiting for triage" in body
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.SUBMITTED


def test_missing_consent_points_to_the_override(cast: Cast, sam: Client) -> None:
    referral = draft_referral(cast, complete=True, consent=False)
    body = sam.get(f"/referrals/{referral.pk}/").content.decode()
    assert "Jordan Reeve" in body  # the covering senior practitioner who can override
    assert f"/referrals/{referral.pk}/consent-override/" in body


# The consent override, as the senior practitioner meets it.


def test_a_covering_senior_practitioner_records_a_consent_override(cast: Cast, client: Client) -> None:
    referral = draft_referral(cast, complete=True, consent=False)
    client.force_login(cast.senior_practitioner)
    url = f"/referrals/{referral.pk}/consent-override/"
    body = client.get(url).content.decode()
    assert "Record a consent override" in body
    assert referral.child.full_name in body

    body = client.post(url, {"reason": "Too short"}).content.decode()
    assert "Give the reason for the override in at least 20 characters" in body
    assert "Too short" in body

    response = client.post(url, {"reason": "The carer cannot be reached; the child is 17 and agrees."})
    assert response["Location"] == url
    referral.refresh_from_db()
    assert referral.consent_override_by == cast.senior_practitioner

    client.force_login(cast.case_manager)
    body = client.get(f"/referrals/{referral.pk}/check/").content.decode()
    assert "Consent override" in body
    assert "The carer cannot be reached" in body
    assert client.post(f"/referrals/{referral.pk}/submit/").status_code == 302
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.SUBMITTED


def test_drafts_stay_invisible_to_clinicians_everywhere_but_the_override(cast: Cast, client: Client) -> None:
    referral = draft_referral(cast, complete=True)
    for who in ("psychologist", "senior_practitioner"):
        client.force_login(cast.everyone()[who])
        for path in ("", "reasons/", "check/"):
            assert client.get(f"/referrals/{referral.pk}/{path}").status_code == 404, (who, path)


@pytest.mark.parametrize(
    ("day", "month", "year", "message"),
    [
        ("12", "3", "0206", "When was consent given? must be a real date"),
        ("31", "2", "2026", "When was consent given? must be a real date"),
        ("12", "", "2026", "When was consent given? must include a month"),
        ("1", "1", "2999", "When was consent given? must be today or in the past"),
    ],
    ids=["mistyped-year", "no-such-day", "no-month", "future"],
)
def test_the_consent_date_is_a_real_date_that_has_happened(day: str, month: str, year: str, message: str) -> None:
    from referrals.forms import ReferralSectionForm

    field = ReferralSectionForm.base_fields["consent_date"]
    with pytest.raises(ValidationError) as refused:
        field.clean([day, month, year])
    assert refused.value.messages == [message]
    assert field.clean(["", "", ""]) is None
    assert field.clean(["12", "3", "2026"]) == dt.date(2026, 3, 12)
