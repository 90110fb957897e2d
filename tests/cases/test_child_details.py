"""The child's details: changed from a case, kept once for every case, with the before values in history."""

from __future__ import annotations

from typing import Any

from django.test import Client

from cases.models import CaseEvent, Child
from tests.conftest import Cast


def details(**overrides: Any) -> dict[str, Any]:
    data = {
        "given_name": "Kai",
        "family_name": "Brennan",
        "date_of_birth_day": "17",
        "date_of_birth_month": "5",
        "date_of_birth_year": "2010",
        "reference": "LOC-100231",
        "gender": "boy",
        "ethnicity": "white",
        "looked_after": "looked_after",
        "legal_status": "referral_order",
        "address_area": "Hartcliffe",
        "school": "Fernbrook Academy",
    }
    data.update(overrides)
    return data


def url(cast: Cast) -> str:
    return f"/cases/{cast.case.pk}/child/"


def test_the_form_starts_from_the_record_and_saves_a_change(cast: Cast, client: Client) -> None:
    client.force_login(cast.case_manager)
    form = client.get(url(cast)).content.decode()
    assert 'value="Kai"' in form and 'value="17"' in form and 'value="LOC-100231"' in form
    assert client.post(url(cast), details()).status_code == 302
    child = Child.objects.get(pk=cast.case.child_id)
    assert (child.looked_after, child.school, child.gender) == ("looked_after", "Fernbrook Academy", "boy")
    line = CaseEvent.objects.filter(case=cast.case, summary__startswith="Child's details changed").get()
    assert "looked after" in line.summary and "school" in line.summary.lower()
    before = [row.looked_after for row in child.history.order_by("pgh_id")]  # type: ignore[attr-defined]
    assert before == ["not_known", "looked_after"]
    page = client.get(f"/cases/{cast.case.pk}/").content.decode()
    assert "Kai&#x27;s details are saved" in page and "Looked after</strong>" in page


def test_invalid_details_are_explained_and_kept(cast: Cast, client: Client) -> None:
    client.force_login(cast.case_manager)
    body = client.post(url(cast), details(given_name="", date_of_birth_month="13", school="Kept")).content.decode()
    assert "Enter the child&#x27;s first name" in body and "Date of birth must be a real date" in body
    assert 'value="Kept"' in body
    assert Child.objects.get(pk=cast.case.child_id).school == ""


def test_the_partner_may_not_change_the_child_and_another_yjs_cannot_see_it(cast: Cast, client: Client) -> None:
    client.force_login(cast.teacher)
    assert client.post(url(cast), details(school="X")).status_code == 403
    client.force_login(cast.banes_case_manager)
    assert client.post(url(cast), details(school="X")).status_code == 404
    assert Child.objects.get(pk=cast.case.child_id).school == ""


def test_who_the_child_is_is_corrected_with_a_statement_not_changed_here(cast: Cast, client: Client) -> None:
    client.force_login(cast.case_manager)
    body = client.post(url(cast), details(date_of_birth_day="16", school="Kept")).content.decode()
    assert "To change the date of birth, use “Correct a mistake in Kai&#x27;s details”" in body
    assert "govuk-error-summary" in body and 'value="Kept"' in body
    child = Child.objects.get(pk=cast.case.child_id)
    assert (child.date_of_birth.day, child.school) == (17, "")  # nothing saved
    assert f"/cases/{cast.case.pk}/child/correct/" in body  # the way to correct it
