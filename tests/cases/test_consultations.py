"""Consultations: the psychologist logs them; everyone who reads the full record sees them."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.test import Client
from django.utils import timezone

from cases.models import CaseEvent, Consultation
from tests.conftest import Cast


def consultation_form(**overrides: Any) -> dict[str, Any]:
    today = timezone.localdate()
    data = {
        "held_on_day": str(today.day),
        "held_on_month": str(today.month),
        "held_on_year": str(today.year),
        "attendees": "Sam Okafor (case manager), Helen Marsh (designated teacher)",
        "question": "Kai walks out of lessons when he is challenged. What helps?",
        "advice": "Offer a named adult and a quiet space; keep the same routine every day.",
        "follow_up": "Review in four weeks.",
        "minutes_spent": "60",
    }
    data.update(overrides)
    return data


def url(cast: Cast, suffix: str = "") -> str:
    return f"/cases/{cast.case.pk}/consultations/{suffix}"


def test_the_psychologist_logs_a_consultation_and_the_case_manager_reads_it(cast: Cast, client: Client) -> None:
    client.force_login(cast.psychologist)
    response = client.post(url(cast, "add/"), consultation_form())
    consultation = Consultation.objects.get(case=cast.case)
    assert response.status_code == 302 and response["Location"] == url(cast, f"{consultation.pk}/")
    assert consultation.psychologist == cast.psychologist and consultation.minutes_spent == 60
    assert CaseEvent.objects.filter(case=cast.case, kind="consultation").exists()
    client.force_login(cast.case_manager)
    listing = client.get(url(cast)).content.decode()
    assert "Kai walks out of lessons" in listing and "Alex Morgan" in listing
    assert "Log a consultation" not in listing
    detail = client.get(url(cast, f"{consultation.pk}/")).content.decode()
    assert "Offer a named adult" in detail and "Review in four weeks." in detail


def test_only_the_psychologist_may_log_one(cast: Cast, client: Client) -> None:
    for who, status in [
        ("senior_practitioner", 403),
        ("case_manager", 403),
        ("teacher", 403),
        ("banes_case_manager", 404),
    ]:
        client.force_login(cast.everyone()[who])
        assert client.post(url(cast, "add/"), consultation_form()).status_code == status, who
    assert not Consultation.objects.exists()


def test_invalid_input_is_explained_and_kept(cast: Cast, client: Client) -> None:
    client.force_login(cast.psychologist)
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    body = client.post(
        url(cast, "add/"),
        consultation_form(
            held_on_day=str(tomorrow.day),
            held_on_month=str(tomorrow.month),
            held_on_year=str(tomorrow.year),
            advice="",
            minutes_spent="0",
        ),
    ).content.decode()
    assert "The date of the consultation must be today or in the past" in body
    assert "Enter the advice" in body and "The minutes spent must be 1 or more" in body
    assert "Kai walks out of lessons when he is challenged. What helps?</textarea>" in body
    assert not Consultation.objects.exists()


def test_the_partner_does_not_see_consultations(cast: Cast, client: Client) -> None:
    client.force_login(cast.teacher)
    assert client.get(url(cast)).status_code == 403
