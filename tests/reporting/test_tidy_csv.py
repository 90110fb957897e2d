"""The figures CSV as one tidy table (a row per figure), and the second download "as on screen" (issue 18)."""

from __future__ import annotations

import csv
import io
import re
from typing import Any

import pytest
from django.test import Client

from accounts.models import AccessAction, AccessEvent
from reporting.suppression import MARKS
from tests.reporting.conftest import World

pytestmark = pytest.mark.django_db

YEAR_2025: dict[str, Any] = {
    "start_day": "1",
    "start_month": "1",
    "start_year": "2025",
    "end_day": "31",
    "end_month": "12",
    "end_year": "2025",
}
HEADER = ["measure", "breakdown", "services", "period_start", "period_end", "value", "suppressed"]
ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def signed_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def read_back(content: bytes) -> list[dict[str, str]]:
    """The CSV as a BI tool would load it: the header row, then dictionaries of the same seven columns."""
    assert content.startswith(b"\xef\xbb\xbf")
    text = content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == HEADER
    assert all(len(row) == len(HEADER) for row in rows), "every row has the same seven columns"
    return list(csv.DictReader(io.StringIO(text)))


def test_the_figures_csv_is_one_tidy_table_of_the_pages_figures(world: World) -> None:
    client = signed_in(world.cast.commissioner)
    page_report = client.get("/reports/", YEAR_2025).context["report"]
    response = client.get("/reports/figures.csv", YEAR_2025)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="ecm-figures-2025-01-01-to-2025-12-31.csv"'
    rows = read_back(response.content)

    # One row per figure of every table, in the page's order, with the page's published value.
    expected = [shown.csv for figure in page_report.figures() for row in figure.rows for shown in row.cells]
    assert [row["value"] for row in rows] == expected

    suppressed = [row for row in rows if row["suppressed"] == "true"]
    assert suppressed, "the 2025 world has small numbers"
    assert {row["suppressed"] for row in rows} == {"true", "false"}
    for row in suppressed:
        assert row["value"] in {MARKS["small"], MARKS["hidden"], MARKS["few"]}
        assert not re.search(r"\d{2}|[0-4]%|^\d", row["value"].replace("<5", "")), f"a number in {row}"
    for row in rows:
        assert ISO_DAY.fullmatch(row["period_start"]) and ISO_DAY.fullmatch(row["period_end"])
        assert "2025-01-01" <= row["period_start"] <= row["period_end"] <= "2025-12-31"
        assert row["measure"] and row["breakdown"] and row["services"]

    # A month's figure covers that month; a service's row covers that service; a total, both services.
    march = [
        row for row in rows if row["measure"].startswith("Referrals received") and row["period_start"] == "2025-03-01"
    ]
    assert {(row["services"], row["period_end"]) for row in march} == {
        ("BANES YJS", "2025-03-31"),
        ("Bristol YJS", "2025-03-31"),
        ("BANES YJS; Bristol YJS", "2025-03-31"),
    }
    # A table a row per month: each row's figures cover its month.
    by_month = [row for row in rows if row["breakdown"] == "Month: Mar 2025"]
    assert by_month and {(row["period_start"], row["period_end"]) for row in by_month} == {("2025-03-01", "2025-03-31")}
    education = {row["measure"]: row["value"] for row in rows if row["breakdown"] == "Agency type: Education"}
    assert education == {
        "Attendance by partner agency type: Invitations": "5–9",
        "Attendance by partner agency type: Attended": "5–9",
        "Attendance by partner agency type: Attendance rate": "55–100%",
    }
    triage = [row for row in rows if row["measure"] == "Triage outcomes"]
    assert ("Decision: Accepted for formulation", "5–9", "false") in {
        (row["breakdown"], row["value"], row["suppressed"]) for row in triage
    }
    # A signed mean is a plain number, left as one (a number is never a formula).
    assert {
        row["value"] for row in rows if row["measure"] == "Goal-based outcomes: mean change: Mean change in points"
    } == {"+1.3"}


def test_the_second_download_is_the_tables_as_on_screen_and_both_are_exports(world: World) -> None:
    client = signed_in(world.cast.commissioner)
    response = client.get("/reports/figures-as-shown.csv", YEAR_2025)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == ["ECM aggregate figures"]
    assert ["Education", "5–9", "5–9", "55–100%"] in rows
    client.get("/reports/figures.csv", YEAR_2025)
    events = list(AccessEvent.objects.filter(user=world.cast.commissioner).order_by("at", "id"))
    assert [(event.action, event.description.split(":")[0]) for event in events] == [
        (AccessAction.EXPORT, "figures CSV as on screen"),
        (AccessAction.EXPORT, "figures CSV"),
    ]
    assert events[0].path.startswith("/reports/figures-as-shown.csv")


def test_the_second_download_is_refused_to_those_who_may_not_read_reports(world: World) -> None:
    assert signed_in(world.cast.teacher).get("/reports/figures-as-shown.csv").status_code == 403
    response = signed_in(world.cast.case_manager).get(
        "/reports/figures-as-shown.csv", {**YEAR_2025, "agencies": [world.cast.banes.pk]}
    )
    assert response.status_code == 302 and response["Location"].startswith("/reports/?")
