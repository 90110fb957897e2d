"""Issue 18: the charts (a suppressed value is written, never drawn), the comparison rule (no change, no
side-by-side figure that gives away a small number), the key figures and the reports page that shows them."""

from __future__ import annotations

import datetime as dt
import itertools
import re
from types import SimpleNamespace
from typing import Any

import pytest
from django.test import Client

from reporting import comparison
from reporting.charts import (
    BarGroup,
    Cell,
    Point,
    Series,
    column_chart,
    flow_matrix,
    funnel_chart,
    grouped_bars,
    line_chart,
    sparkline,
)
from reporting.comparison import change, comparison_scope, forced_difference, pinned_parts, published_bounds
from reporting.figures import Shown, build_report
from reporting.headline import KEY_FIGURES, headline_figures, report_charts
from reporting.scope import ReportScope
from reporting.suppression import count_text
from tests.reporting.conftest import World
from tests.reporting.test_differencing import pair_disclosure, triple_disclosures

LABELS = ["Jan 2025", "Feb 2025", "Mar 2025"]


def drawn_rects(svg: str) -> list[str]:
    """The bars and columns drawn (rectangles placed with x and y; a key's swatches have neither)."""
    return re.findall(r'<rect x="[^"]+" y="[^"]+"[^>]*>', svg)


def assert_self_contained(svg: str) -> None:
    assert svg.startswith("<svg") and 'role="img"' in svg and "<title" in svg and "<desc" in svg
    assert "<script" not in svg and "class=" not in svg and "style=" not in svg


# --- Charts ---------------------------------------------------------------------------------------------------


def test_a_suppressed_month_gets_no_column_only_its_words() -> None:
    svg = str(
        column_chart(
            chart_id="c",
            title="Referrals and decisions",
            labels=LABELS,
            series=[
                Series("Referrals", [Point(12.0, "10–14"), Point(None, "<5"), Point(7.0, "5–9")]),
                Series("Decisions", [Point(7.0, "5–9"), Point(7.0, "5–9"), Point(None, "[c]")]),
            ],
        )
    )
    assert_self_contained(svg)
    assert len(drawn_rects(svg)) == 4  # six values, two of them suppressed
    assert ">&lt;5</text>" in svg and ">[c]</text>" in svg
    heights = [float(h) for h in re.findall(r'<rect x="[^"]+" y="[^"]+" width="[^"]+" height="([\d.]+)"', svg)]
    assert heights[0] > heights[1]  # 12 above 7
    assert "Jan 2025: referrals 10–14, decisions 5–9; Feb 2025: referrals &lt;5" in svg  # the description


def test_a_suppressed_month_breaks_the_line_and_the_target_is_drawn() -> None:
    svg = str(
        line_chart(
            chart_id="w",
            title="Waiting",
            labels=LABELS,
            series=[Series("Median", [Point(20.0, "20"), Point(None, "<5 cases"), Point(18.0, "18")])],
            target=14,
            target_text="Target 14 days",
            unit="days",
        )
    )
    assert_self_contained(svg)
    assert "<polyline" not in svg  # no two neighbouring months to join
    assert len(re.findall(r"<circle cx=", svg)) == 2 + 1  # two months, and the key's mark
    assert "&lt;5 cases</text>" in svg
    assert 'stroke="#d4351c"' in svg and "Target 14 days" in svg


def test_grouped_bars_and_the_funnel_draw_no_bar_for_a_suppressed_count() -> None:
    svg = str(
        grouped_bars(
            chart_id="a",
            title="Attendance",
            description="Education: 10–14 invited, <5 attended.",
            groups=[BarGroup("Education", [Point(12.0, "10–14"), Point(None, "<5")], after="[c]")],
            names=["Invited", "Attended"],
        )
    )
    assert_self_contained(svg)
    assert len(drawn_rects(svg)) == 1 and "&lt;5 attended" in svg
    funnel = str(
        funnel_chart(
            chart_id="f",
            title="Funnel",
            description="...",
            steps=[BarGroup("Need", [Point(22.0, "20–24")], "40%"), BarGroup("Attending", [Point(None, "<5")], "")],
        )
    )
    assert len(drawn_rects(funnel)) == 1 and ">&lt;5</text>" in funnel


def test_the_flow_writes_every_cell_and_no_cell_is_sized_by_its_count() -> None:
    cells = [[Cell(None, "<5") for _ in range(6)] for _ in range(6)]
    cells[0][1] = Cell(12.0, "10–14")
    svg = str(
        flow_matrix(
            chart_id="m", title="Flow", description="...", stages=[f"Stage {n}" for n in range(1, 7)], cells=cells
        )
    )
    assert_self_contained(svg)
    assert svg.count(">&lt;5</text>") == 35 and svg.count(">10–14</text>") == 1
    cells_drawn = re.findall(r'<rect x="\d+" y="\d+" width="78" height="48" fill="#(?:e8f1f8|fbe9e6|f3f2f1)"', svg)
    assert len(cells_drawn) == 36
    assert set(re.findall(r'<rect x="\d+" y="\d+" width="(\d+)"', svg)) == {"78", "16"}  # the cells and the key


def test_a_sparkline_has_its_months_in_words_and_breaks_at_a_suppressed_one() -> None:
    svg = str(
        sparkline(
            chart_id="s",
            title="Referrals",
            labels=["Jan 2025", "Feb 2025", "Mar 2025", "Apr 2025"],
            points=[Point(12.0, "10–14"), Point(17.0, "15–19"), Point(None, "<5"), Point(7.0, "5–9")],
        )
    )
    assert_self_contained(svg)
    assert "Referrals, month by month" in svg
    assert (
        "Jan 2025: referrals 10–14; Feb 2025: referrals 15–19; Mar 2025: referrals &lt;5; Apr 2025: referrals 5–9."
        in svg
    )
    assert len(re.findall("<polyline", svg)) == 1  # January to February; April stands alone
    assert len(re.findall("<circle", svg)) == 2  # April's point and the last point's mark


# --- The comparison rule --------------------------------------------------------------------------------------


def count(text: str) -> Shown:
    bounds = published_bounds(text)
    value = None if bounds is None or text in {"<5", "[c]"} else (bounds[0] + bounds[1]) / 2
    return Shown(text, text, value, key="a count")


def test_a_change_is_not_shown_when_either_period_is_suppressed() -> None:
    moved = change(count("10–14"), count("<5"), when="the previous period")
    assert not moved.shown and moved.direction == "" and moved.short == "Not compared"
    assert moved.text == "Not compared: too few in one of the periods (<5 in the previous period)"
    assert not change(count("[c]"), count("10–14")).shown


def test_a_change_between_ranges_says_which_way() -> None:
    assert change(count("10–14"), count("5–9"), when="2024").text == "Up from 5–9 in 2024"
    assert change(count("5–9"), count("10–14")).direction == "down"
    assert change(count("5–9"), count("5–9")).direction == "same"
    median = change(Shown("21", "21", 21.0), Shown("24", "24", 24.0), unit="days", when="2024")
    assert median.shown and median.text == "Down from 24 days in 2024"  # a median is not a count: no rule


def test_the_rule_withholds_a_change_that_pins_a_small_number() -> None:
    """Were counts published exactly (no ranges), 9 against 8 would say exactly 1: the rule withholds it."""
    assert forced_difference((9, 9), (8, 8)) == 1
    moved = change(count("9"), count("8"))
    assert not moved.shown and moved.text == "Not compared: the difference would give away a small number"
    assert change(count("19"), count("8")).shown  # 11 is not a small number


def test_the_rule_agrees_with_the_differencing_attack_on_every_pair_of_published_counts() -> None:
    for first, second in itertools.product(range(0, 40), repeat=2):
        now, before = published_bounds(count_text(first)), published_bounds(count_text(second))
        assert now is not None and before is not None
        assert forced_difference(now, before) is None  # ranges of five never pin a difference
        assert pair_disclosure(before, now, contains=False) is None
    # And exactly where the attack finds a disclosure, so does the rule.
    for first, second in itertools.product(range(0, 12), repeat=2):
        # The attack takes the smaller from the larger; the rule looks both ways.
        attack = pair_disclosure((second, second), (first, first), contains=False) or pair_disclosure(
            (first, first), (second, second), contains=False
        )
        assert (forced_difference((first, first), (second, second)) is not None) == (attack is not None)


def test_side_by_side_hides_the_services_when_their_total_pins_one() -> None:
    # Five services each "<5" and all of them "20–24": each must be 4.
    assert pinned_parts([(0, 4)] * 5, (20, 24)) == [0, 1, 2, 3, 4]
    assert pinned_parts([(0, 4)] * 4, (15, 19)) == []  # a total and up to four parts never pin a count
    assert pinned_parts([(5, 9), (0, 4)], (5, 9)) == []
    assert triple_disclosures((5, 9), (0, 4), (5, 9)) == []  # the attack agrees


def test_the_side_by_side_table_hides_a_row_that_would_give_a_service_away() -> None:
    def report(**texts: str) -> Any:
        return SimpleNamespace(key={name: count(text) for name, text in texts.items()})

    services = [(SimpleNamespace(name=f"Service {n}"), report(referrals="<5", open="10–14")) for n in range(5)]
    whole = report(referrals="20–24", open="50–54")
    table = comparison.side_by_side(whole, services, [("referrals", "Referrals"), ("open", "Cases open")])  # type: ignore[arg-type]
    referrals, cases = table.rows
    assert referrals.withheld and referrals.cells == ["[c]"] * 5 and referrals.whole == "20–24"
    assert not cases.withheld and cases.cells == ["10–14"] * 5


def test_the_periods_compared() -> None:
    def scope(start: str, end: str) -> ReportScope:
        return ReportScope(dt.date.fromisoformat(start), dt.date.fromisoformat(end), (), dt.date(2026, 1, 15))

    def period(found: ReportScope | None) -> tuple[str, str]:
        assert found is not None
        return (found.start.isoformat(), found.end.isoformat())

    year = scope("2025-01-01", "2025-12-31")
    assert period(comparison_scope(year, comparison.PREVIOUS)) == ("2024-01-01", "2024-12-31")
    assert period(comparison_scope(year, comparison.LAST_YEAR)) == ("2024-01-01", "2024-12-31")
    quarter = scope("2025-04-01", "2025-06-30")
    assert period(comparison_scope(quarter, comparison.PREVIOUS)) == ("2025-01-01", "2025-03-31")
    days = scope("2025-03-10", "2025-03-19")
    assert period(comparison_scope(days, comparison.PREVIOUS)) == ("2025-02-28", "2025-03-09")
    leap = scope("2024-02-29", "2024-03-31")
    assert period(comparison_scope(leap, comparison.LAST_YEAR)) == ("2023-02-28", "2023-03-31")
    assert comparison_scope(year, comparison.SERVICES) is None and comparison_scope(year, comparison.NONE) is None


# --- The key figures and the page -----------------------------------------------------------------------------

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


@pytest.mark.django_db
def test_the_key_figures_are_the_reports_own_cells_with_their_months(world: World) -> None:
    report = build_report(world.scope())
    previous = build_report(
        ReportScope(dt.date(2024, 1, 1), dt.date(2024, 12, 31), world.scope().agencies, world.scope().today)
    )
    figures = {figure.key: figure for figure in headline_figures(report, previous, when="2024")}
    assert list(figures) == [spec.key for spec in KEY_FIGURES]
    # Bristol's 7 referrals and BANES's 2 in 2025; one (B3's) in 2024.
    assert figures["referrals"].value == "5–9" == report.figure("referrals").total_rows[0].cells[-1].text
    assert figures["open"].value == "5–9"
    assert figures["wait"].value == "10 days" and not figures["wait"].suppressed
    assert figures["moved_on"].value == "<5" and figures["moved_on"].suppressed
    referrals = figures["referrals"].change
    assert referrals is not None and not referrals.shown and "<5 in 2024" in referrals.text
    # Each sparkline is a month of the report: twelve months, each as published.
    assert report.labels[0] == "Jan 2025" and len(report.series["referrals"]) == 12
    # March's five (B4, B5, B6, C9 and N1's) are the only month of five or more.
    assert [shown.text for shown in report.series["referrals"]] == ["<5", "<5", "5–9", *["<5"] * 9]
    spark = figures["referrals"].sparkline
    assert 'aria-labelledby="spark-referrals-title spark-referrals-desc"' in spark
    assert "Mar 2025: referrals 5–9; Apr 2025: referrals &lt;5;" in spark and "Dec 2025: referrals &lt;5." in spark
    assert "<polyline" not in spark and spark.count("<circle") == 2  # March alone, and its mark as the last
    chart = report.figure("referrals_by_month").chart
    assert chart is not None and len(drawn_rects(str(chart))) == 1  # March's referrals (its 4 decisions: "<5")
    # A chart with nothing to draw is left out: every TRM stage is "<5".
    assert report.figure("stages").chart is None
    assert "stages" not in [chart.key for chart in report_charts(report, ["stages", "referrals_by_month"])]


@pytest.mark.django_db
def test_the_months_add_up_to_the_figures_and_are_protected_with_them(world: World) -> None:
    report = build_report(world.scope())
    lines = {(line.members, line.total) for line in report.lines}
    decisions = tuple(f"decisions:{month:%Y-%m}-01" for month in [dt.date(2025, m, 1) for m in range(1, 13)])
    assert (decisions, "triage:total") in lines
    flow = report.figure("movement_flow")
    assert flow.total_rows[0].cells[-1].text == report.figure("movement").total_rows[0].cells[0].text


@pytest.mark.django_db
def test_the_page_shows_the_key_figures_and_compares_them(world: World) -> None:
    response = signed_in(world.cast.commissioner).get("/reports/", {**YEAR_2025, "compare": "last_year"})
    page = response.content.decode()
    assert response.context["compare"] == "last_year"
    assert "Each compared with the same period last year: 1 January 2024 to 31 December 2024." in page
    assert page.index('data-testid="key-figures"') < page.index('data-testid="contents"') < page.index("table-triage")
    assert [figure.key for figure in response.context["headline"]] == [spec.key for spec in KEY_FIGURES]
    # The tables compared row by row carry the earlier period's cells and the change.
    assert "Referrals, the same period last year" in page
    contents = re.findall(r'href="#section-([a-z_]+)-title"', page[page.index('data-testid="contents"') :])
    assert contents[:2] == ["referrals", "meetings"] and len(contents) >= 7


@pytest.mark.django_db
def test_services_side_by_side_are_only_those_the_person_may_see(world: World) -> None:
    response = signed_in(world.cast.commissioner).get("/reports/", {**YEAR_2025, "compare": "services"})
    table = response.context["side_by_side"]
    assert table.services == ["BANES YJS", "Bristol YJS"]  # not Wyvern: not commissioned
    rows = {row.label: row for row in table.rows}
    assert rows["Referrals received"].cells == ["<5", "5–9"] and rows["Referrals received"].whole == "5–9"
    page = response.content.decode()
    assert "All of them" in page and "Wyvern" not in page
    # A case manager sees their own service only: nothing to put side by side.
    own = signed_in(world.cast.banes_case_manager).get("/reports/", {**YEAR_2025, "compare": "services"})
    assert own.context.get("side_by_side") is None
    assert "nothing to put side by side" in own.content.decode()


@pytest.mark.django_db
def test_the_dashboard_takes_a_pinned_number_of_queries(world: World, django_assert_num_queries: Any) -> None:
    client = signed_in(world.cast.commissioner)
    client.get("/")  # the session and the person's facts, read once
    with django_assert_num_queries(QUERIES_DEFAULT):
        client.get("/reports/", YEAR_2025)  # this period and the previous one, both made now
    with django_assert_num_queries(QUERIES_CACHED):
        client.get("/reports/", YEAR_2025)  # both from the day's cache


QUERIES_DEFAULT = 11
QUERIES_CACHED = 6
