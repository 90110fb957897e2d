"""How often the child is contacted: a per-case contact frequency, changed by those who may change the case
while it is open, kept in the case's history (issue 16)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from cases.models import Case, CaseStatus
from cases.services.contact_frequency import case_contact_frequency_set
from tests.conftest import Cast
from tests.factories import make_case


def url(case: Case) -> str:
    return f"/cases/{case.pk}/contact-frequency/"


def test_a_new_case_expects_a_contact_every_fourteen_days(cast: Cast) -> None:
    assert cast.case.contact_frequency_days == 14


@pytest.mark.parametrize("who", ["case_manager", "colleague", "psychologist", "senior_practitioner"])
def test_those_who_may_change_the_case_set_the_frequency(cast: Cast, client: Client, who: str) -> None:
    client.force_login(getattr(cast, who))
    page = client.get(url(cast.case)).content.decode()
    assert "Contacts are due every 14 days" in page and 'value="14"' in page
    response = client.post(url(cast.case), {"days": "7"})
    assert response.status_code == 302 and response["Location"] == cast.case.get_absolute_url()
    cast.case.refresh_from_db()
    assert cast.case.contact_frequency_days == 7
    latest = cast.case.history.order_by("-pgh_id").first()  # type: ignore[attr-defined]
    assert latest is not None and latest.contact_frequency_days == 7
    assert latest.pgh_context.metadata["user"] == getattr(cast, who).pk


@pytest.mark.parametrize(
    ("days", "error"),
    [
        ("", "Enter how many days may pass between contacts"),
        ("0", "Enter 1 day or more"),
        ("366", "Enter 365 days or fewer"),
        ("two weeks", "Enter the number of days as a whole number, like 14"),
    ],
)
def test_bad_input_shows_the_error_summary_and_changes_nothing(
    cast: Cast, client: Client, days: str, error: str
) -> None:
    client.force_login(cast.case_manager)
    response = client.post(url(cast.case), {"days": days})
    body = response.content.decode()
    assert response.status_code == 200 and "govuk-error-summary" in body and error in body
    assert "<title>Error: " in body
    cast.case.refresh_from_db()
    assert cast.case.contact_frequency_days == 14


@pytest.mark.parametrize(("who", "status"), [("teacher", 403), ("banes_case_manager", 404), ("commissioner", 404)])
def test_others_may_not_change_it(cast: Cast, client: Client, who: str, status: int) -> None:
    client.force_login(getattr(cast, who))
    assert client.get(url(cast.case)).status_code == status
    assert client.post(url(cast.case), {"days": "3"}).status_code == status
    cast.case.refresh_from_db()
    assert cast.case.contact_frequency_days == 14


def test_a_closed_case_refuses_the_change(cast: Cast, client: Client) -> None:
    closed = make_case(owning_yjs=cast.bristol, case_holder=cast.case_manager)
    Case.objects.filter(pk=closed.pk).update(status=CaseStatus.CLOSED)
    closed.refresh_from_db()
    client.force_login(cast.case_manager)
    response = client.post(url(closed), {"days": "3"}, follow=True)
    assert "The case is closed: reopen it to change how often the child is contacted" in response.content.decode()
    closed.refresh_from_db()
    assert closed.contact_frequency_days == 14
    with pytest.raises(ValidationError, match="The case is closed"):
        case_contact_frequency_set(case=closed, days=3, actor=cast.case_manager)


def test_the_service_checks_the_range_too(cast: Cast) -> None:
    with pytest.raises(ValidationError, match="between 1 and 365"):
        case_contact_frequency_set(case=cast.case, days=0, actor=cast.case_manager)
