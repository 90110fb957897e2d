"""The aggregate figures through the API (reporting/api.py): the dashboard's report as JSON, suppressed, scoped
by the access module; a commissioner's token reads aggregates and nothing of a case."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from accounts.models import AccessEvent
from reporting.report_cache import cached_report
from reporting.scope import report_scope
from reporting.services import commissioning_add
from tests.api.helpers import token_client
from tests.conftest import Cast
from tests.factories import log_contact

URL = "/api/v1/reports/figures/"


@pytest.fixture
def commissioned(cast: Cast) -> None:
    commissioning_add(commissioner_agency=cast.commissioning, yjs=cast.bristol)


def test_a_commissioner_reads_the_figures_of_the_services_it_commissions(cast: Cast, commissioned: None) -> None:
    response = token_client(cast.commissioner, cast=cast).get(URL)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["services"] == [{"id": cast.bristol.pk, "name": "Bristol YJS"}]
    report = cached_report(report_scope(cast.commissioner))
    # The same cells as the dashboard and its CSV: ranges of five, never an exact small count.
    assert body["headline"] == [{"label": label, "value": shown.csv} for label, shown in report.headline]
    assert body["headline"][0] == {"label": "Cases open in the period", "value": "<5"}
    first = report.sections[0].figures[0]
    assert body["sections"][0]["figures"][0]["rows"][0]["cells"] == [cell.csv for cell in first.rows[0].cells]
    event = AccessEvent.objects.filter(user=cast.commissioner).get()
    assert (event.action, event.record_type) == ("view", "aggregate report")
    assert event.description.startswith("figures API: ")


def test_a_commissioners_token_sees_no_case(cast: Cast, commissioned: None) -> None:
    client = token_client(cast.commissioner, cast=cast)
    assert client.get("/api/v1/cases/").json()["results"] == []
    assert client.get(f"/api/v1/cases/{cast.case.pk}/").status_code == 404
    assert client.get(f"/api/v1/cases/{cast.case.pk}/network/").status_code == 404
    assert client.get(f"/api/v1/cases/{cast.case.pk}/contacts/").status_code == 404


def test_a_period_and_services_are_chosen_within_what_the_caller_may_see(cast: Cast, commissioned: None) -> None:
    log_contact(cast.case, cast.case_manager)
    client = token_client(cast.psychologist, cast=cast)
    today = timezone.localdate()
    start = (today - dt.timedelta(days=60)).isoformat()
    asked: dict[str, Any] = {"start": start, "end": today.isoformat(), "agency": [cast.bristol.pk]}
    response = client.get(URL, asked)
    assert response.status_code == 200
    assert (response.json()["start"], response.json()["end"]) == (start, today.isoformat())
    # BANES is not a service the psychologist covers: a field error, not a silent widening.
    refused = client.get(URL, {"agency": [cast.bristol.pk, cast.banes.pk]})
    assert refused.status_code == 400 and set(refused.json()) == {"agency"}


def test_a_period_that_makes_no_sense_is_400_naming_the_field(cast: Cast) -> None:
    client = token_client(cast.case_manager, cast=cast)
    backwards = client.get(URL, {"start": "2026-05-01", "end": "2026-04-01"})
    assert backwards.status_code == 400 and set(backwards.json()) == {"end"}
    too_long = client.get(URL, {"start": "2010-01-01", "end": "2026-01-01"})
    assert too_long.status_code == 400 and set(too_long.json()) == {"start"}
    not_a_date = client.get(URL, {"start": "yesterday"})
    assert not_a_date.status_code == 400 and set(not_a_date.json()) == {"start"}
    out_of_range = client.get(URL, {"start": "2026-01-01", "end": "9999-12-31"})
    assert out_of_range.status_code == 400 and set(out_of_range.json()) == {"end"}


def test_those_who_may_not_read_reports_get_403(cast: Cast) -> None:
    for person in (cast.teacher, cast.social_worker, cast.administrator, cast.agency_administrator):
        assert token_client(person, cast=cast).get(URL).status_code == 403
    assert token_client(cast.case_manager, cast=cast, scopes=("write",)).get(URL).status_code == 403


def test_the_figures_query_count_is_pinned(cast: Cast, commissioned: None, django_assert_max_num_queries: Any) -> None:
    for days_ago in range(30):
        log_contact(cast.case, cast.case_manager, days_ago=days_ago + 1)
    client = token_client(cast.commissioner, cast=cast)
    # Whatever the data: the token, the scope, the report's statements (not one per case), the access event; one
    # more when this process has not read the reference data yet (it is kept for the process).
    with django_assert_max_num_queries(10):
        assert client.get(URL).status_code == 200
