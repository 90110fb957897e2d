"""The reports pages: who may open them, what they show, the CSV, and the access log."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

import pytest
from django.test import Client

from accounts.models import AccessAction, AccessEvent, AgencyKind, Role
from reporting.csv_export import safe_cell
from reporting.services import commissioning_add
from tests.conftest import Cast
from tests.factories import agency, person
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


def signed_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def csv_rows(content: bytes) -> list[list[str]]:
    assert content.startswith(b"\xef\xbb\xbf"), "the CSV starts with a UTF-8 byte order mark for Excel"
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def test_the_commissioner_sees_the_figures_of_every_service_they_commission(world: World) -> None:
    response = signed_in(world.cast.commissioner).get("/reports/", YEAR_2025)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Figures for 1 January 2025 to 31 December 2025, across 2 services." in page
    assert "BANES YJS" in page and "Bristol YJS" in page
    assert "Wyvern YJS" not in page  # not commissioned
    report = response.context["report"]
    assert dict((label, shown.text) for label, shown in report.headline)["Cases open in the period"] == "5–9"
    assert [section.title for section in report.sections][0] == "Referrals, triage and waiting times"
    assert 'role="img"' in page and "<desc" in page  # the charts carry their text alternative


def test_no_commissioner_page_or_csv_holds_a_name_a_date_of_birth_a_reference_or_free_text(world: World) -> None:
    client = signed_in(world.cast.commissioner)
    pages = {
        "dashboard": client.get("/reports/", YEAR_2025).content,
        "default dashboard": client.get("/reports/").content,
        "csv": client.get("/reports/figures.csv", YEAR_2025).content,
    }
    for name, content in pages.items():
        text = content.decode("utf-8-sig")
        found = [secret for secret in world.secrets if secret in text]
        assert not found, f"the {name} holds {found}"
    # The secrets are real: the case manager's own case pages do hold them.
    case_page = signed_in(world.cast.case_manager).get(f"/cases/{world.cases['B1'].pk}/details/").content.decode()
    assert "Quarrington" in case_page and "REF-900001" in case_page


def test_the_csv_as_on_screen_holds_the_same_suppressed_tables(world: World) -> None:
    response = signed_in(world.cast.commissioner).get("/reports/figures-as-shown.csv", YEAR_2025)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="ecm-figures-as-shown-2025-01-01-to-2025-12-31.csv"'
    rows = csv_rows(response.content)
    assert rows[1] == ["Period", "1 January 2025 to 31 December 2025"]
    assert ["Cases open in the period", "5–9"] in rows
    assert ["Accepted for formulation", "5–9"] in rows
    assert ["Referral to triage decision", "5–9", "10", "36.4"] in rows
    assert ["Education", "5–9", "5–9", "55–100%"] in rows
    months = [f"{dt.date(2025, month, 1):%b} 2025" for month in range(1, 13)]
    bristol = rows.index(["Service", *months, "Total"])
    assert rows[bristol + 2] == ["Bristol YJS", *["<5"] * 12, "5–9"]
    # A negative mean or a formula-like cell would start with a quote; these do not.
    assert ["Cases with goals rated twice or more", "5–9", "'+1.3"] in rows


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_a_cell_a_spreadsheet_would_run_starts_with_a_quote(start: str) -> None:
    assert safe_cell(f"{start}SUM(A1:A9)") == f"'{start}SUM(A1:A9)"


def test_plain_cells_are_left_alone() -> None:
    assert [safe_cell(value) for value in ("Bristol YJS", "12", "<5", "[c]", "75%")] == [
        "Bristol YJS",
        "12",
        "<5",
        "[c]",
        "75%",
    ]


def test_a_service_named_like_a_formula_stays_text_in_the_csv(cast: Cast) -> None:
    sneaky = agency('=HYPERLINK("http://evil.example","Click")', AgencyKind.YOUTH_JUSTICE)
    commissioning_add(commissioner_agency=cast.commissioning, yjs=sneaky)
    content = signed_in(cast.commissioner).get("/reports/figures-as-shown.csv").content
    names = [row[0] for row in csv_rows(content) if row]
    assert '\'=HYPERLINK("http://evil.example","Click")' in names
    assert not any(name.startswith("=") for name in names)
    # In the tidy CSV the name is in the services column, made safe the same way.
    tidy = csv_rows(signed_in(cast.commissioner).get("/reports/figures.csv").content)
    services = {row[2] for row in tidy[1:]}
    assert '\'=HYPERLINK("http://evil.example","Click")' in services
    assert not any(cell.startswith("=") for row in tidy for cell in row)


def test_every_view_and_csv_is_an_access_event(world: World) -> None:
    client = signed_in(world.cast.commissioner)
    client.get("/reports/", YEAR_2025)
    client.get("/reports/figures.csv", YEAR_2025)
    events = list(AccessEvent.objects.filter(user=world.cast.commissioner).order_by("at", "id"))
    assert [(event.action, event.record_type) for event in events] == [
        (AccessAction.VIEW, "aggregate report"),
        (AccessAction.EXPORT, "aggregate report"),
    ]
    assert events[0].description == (
        "dashboard, compared with 1 January 2024 to 31 December 2024: 1 January 2025 to 31 December 2025; "
        "BANES YJS, Bristol YJS"
    )
    assert events[1].description.startswith("figures CSV: 1 January 2025 to 31 December 2025")
    assert events[1].path.startswith("/reports/figures.csv")
    assert all(event.case_id is None for event in events)


@pytest.mark.parametrize("who", ["teacher", "social_worker", "administrator"])
def test_partners_and_administrators_may_not_read_reports(cast: Cast, who: str) -> None:
    client = signed_in(cast.everyone()[who])
    assert client.get("/reports/").status_code == 403
    assert client.get("/reports/figures.csv").status_code == 403
    assert not AccessEvent.objects.filter(record_type="aggregate report").exists()


def test_signed_out_people_are_sent_to_sign_in(client: Client) -> None:
    response = client.get("/reports/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/sign-in/")


def test_a_case_manager_sees_only_their_own_service(world: World) -> None:
    response = signed_in(world.cast.banes_case_manager).get("/reports/", YEAR_2025)
    report = response.context["report"]
    assert [agency.name for agency in report.scope.agencies] == ["BANES YJS"]
    assert "Bristol YJS" not in response.content.decode()
    assert dict((label, shown.text) for label, shown in report.headline)["Cases open in the period"] == "<5"


def test_the_filters_narrow_the_services(world: World) -> None:
    response = signed_in(world.cast.commissioner).get("/reports/", {**YEAR_2025, "agencies": [world.cast.banes.pk]})
    report = response.context["report"]
    assert [agency.name for agency in report.scope.agencies] == ["BANES YJS"]
    assert [row.label for row in report.figure("referrals").rows] == ["BANES YJS", "All services"]


def test_asking_for_a_service_one_may_not_see_is_an_error_not_a_report(world: World) -> None:
    response = signed_in(world.cast.case_manager).get("/reports/", {**YEAR_2025, "agencies": [world.cast.banes.pk]})
    assert response.status_code == 200
    assert response.context["report"] is None
    assert "There is a problem" in response.content.decode()
    assert not AccessEvent.objects.filter(record_type="aggregate report").exists()
    csv_response = signed_in(world.cast.case_manager).get(
        "/reports/figures.csv", {**YEAR_2025, "agencies": [world.cast.banes.pk]}
    )
    assert csv_response.status_code == 302 and csv_response["Location"].startswith("/reports/?")


@pytest.mark.parametrize(
    ("period", "message"),
    [
        ({**YEAR_2025, "end_year": "2024"}, "The end of the period must be the same as or after its start"),
        ({**YEAR_2025, "start_month": "13"}, "Start of the period must be a real date"),
        ({**YEAR_2025, "start_year": "2010"}, "The period must be shorter than 10 years"),
    ],
)
def test_a_period_that_makes_no_sense_is_explained(world: World, period: dict[str, str], message: str) -> None:
    response = signed_in(world.cast.commissioner).get("/reports/", period)
    assert response.context["report"] is None
    assert message in response.content.decode()


def test_the_navigation_offers_reports_to_those_who_may_read_them(cast: Cast) -> None:
    for who in ("commissioner", "case_manager", "psychologist", "senior_practitioner"):
        page = signed_in(cast.everyone()[who]).get("/").content.decode()
        assert 'href="/reports/"' in page, who
    for who in ("teacher", "administrator"):
        page = signed_in(cast.everyone()[who]).get("/").content.decode()
        assert 'href="/reports/"' not in page, who


def test_the_dashboard_takes_a_fixed_number_of_queries(world: World, django_assert_max_num_queries: Any) -> None:
    client = signed_in(world.cast.commissioner)
    with django_assert_max_num_queries(40):
        client.get("/reports/", YEAR_2025)


def test_a_commissioner_whose_body_commissions_nothing_sees_an_explanation_and_no_figures_of_anyone(
    world: World,
) -> None:
    other_body = agency("Sedgemoor ICB", AgencyKind.COMMISSIONER)
    newcomer = person("ivo", "Ivo", "Pardoe", agency=other_body, role=Role.COMMISSIONER)
    response = signed_in(newcomer).get("/reports/", YEAR_2025)
    assert response.status_code == 200
    page = response.content.decode()
    assert "There are no services in your reports yet" in page
    assert "Bristol YJS" not in page and "BANES YJS" not in page
    report = response.context["report"]
    assert dict((label, shown.text) for label, shown in report.headline)["Referrals received"] == "<5"
