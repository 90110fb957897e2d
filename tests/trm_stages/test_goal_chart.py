"""The goal chart: self-contained SVG, one line and marker shape per goal, a text alternative, escaped text."""

from __future__ import annotations

import datetime as dt
import re
import xml.etree.ElementTree as ET

from django.template.loader import render_to_string

from trm_stages.goal_chart import STYLES, ChartGoal, Rating, build_goal_chart

SVG = "{http://www.w3.org/2000/svg}"
START = dt.date(2026, 3, 3)


def on(days: int) -> dt.date:
    return START + dt.timedelta(days=days)


def parse(svg: str) -> ET.Element:
    """The markup must be well-formed XML on its own (WeasyPrint and the browser both read it)."""
    return ET.fromstring(svg)  # noqa: S314 - our own markup, built in the test


def points_of(root: ET.Element) -> list[ET.Element]:
    """Every plotted rating: a group holding one marker and its title."""
    return [group for group in root.iter(f"{SVG}g") if group.find(f"{SVG}title") is not None]


def test_no_rating_means_no_chart_and_a_sentence_instead() -> None:
    chart = build_goal_chart([ChartGoal(number=1, text="Go to football", ratings=[])])
    assert chart.svg == "" and chart.rating_count == 0
    assert chart.description == "No goal has been rated yet."
    html = render_to_string("trm_stages/includes/goal_chart.html", {"chart": chart})
    assert "<svg" not in html and "No goal has been rated yet, so there is nothing to chart." in html
    assert build_goal_chart([]).svg == ""


def test_one_rating_is_one_point_in_the_middle_with_its_date() -> None:
    chart = build_goal_chart([ChartGoal(number=1, text="Go to football", ratings=[Rating(START, 4, "Start")])])
    root = parse(chart.svg)
    points = points_of(root)
    assert len(points) == 1
    circle = points[0].find(f"{SVG}circle")
    assert circle is not None and float(circle.get("cx", 0)) == (48 + 28 + 680 - 28) / 2
    assert float(circle.get("cy", 0)) == 34 + (10 - 4) * 22
    assert root.find(f"{SVG}polyline") is None  # no line for a single rating
    assert "3 Mar 2026" in chart.svg
    assert chart.description == "Goal 1, “Go to football”: rated 4 out of 10 on 3 March 2026."


def test_many_ratings_of_several_goals_each_get_a_point_a_line_and_their_own_shape_and_colour() -> None:
    goals = [
        ChartGoal(number=1, text="Go to football", ratings=[Rating(on(d), s) for d, s in [(0, 2), (30, 5)]]),
        ChartGoal(number=2, text="Sleep before midnight", ratings=[Rating(on(d), s) for d, s in [(7, 1), (60, 6)]]),
        ChartGoal(number=4, text="Talk to mum", ratings=[Rating(on(d), s) for d, s in [(10, 3), (20, 3), (90, 9)]]),
    ]
    chart = build_goal_chart(goals)
    root = parse(chart.svg)
    assert len(points_of(root)) == 7 == chart.rating_count
    lines = root.findall(f".//{SVG}polyline")
    assert len(lines) == 3
    assert len({line.get("stroke") for line in lines}) == 3  # colour
    assert len({line.get("stroke-dasharray", "solid") for line in lines}) == 3  # and line pattern
    shapes = [[child.tag for child in group if child.tag != f"{SVG}title"][0] for group in points_of(root)]
    assert shapes[:2] == [f"{SVG}circle"] * 2 and shapes[2:4] == [f"{SVG}rect"] * 2
    assert shapes[4:] == [f"{SVG}polygon"] * 3
    # The goal's number is written beside its last point, and the key names the marker.
    labels = [text.text for text in root.iter(f"{SVG}text")]
    assert {"1", "2", "4"} <= set(labels)
    assert "Goal 4:</tspan> Talk to mum" in chart.svg
    assert "Goal 2, “Sleep before midnight”: 2 ratings, from 1 out of 10 on 10 March 2026 to 6 out of 10" in (
        chart.description
    )
    # Later ratings sit further right, higher scores higher up.
    xs = [float(point.get("cx", 0)) for point in root.iter(f"{SVG}circle") if point.get("r") == "6.0"]
    assert xs[0] < xs[1]


def test_same_day_ratings_stay_visible_side_by_side() -> None:
    same_day = [Rating(START, 3, "Start"), Rating(START, 3, "Review")]
    chart = build_goal_chart(
        [
            ChartGoal(number=1, text="Go to football", ratings=same_day),
            ChartGoal(number=2, text="Sleep", ratings=[Rating(START, 3, "Start")]),
        ]
    )
    root = parse(chart.svg)
    circles = [point for point in root.iter(f"{SVG}circle") if point.get("r") == "6.0"]
    square = next(point for point in root.iter(f"{SVG}rect") if point.get("width") == "12.0")
    positions = {circle.get("cx") for circle in circles} | {str(float(square.get("x", 0)) + 6)}
    assert len(positions) == 3, "no marker may sit exactly on another"


def test_the_chart_is_self_contained_for_pdfs() -> None:
    chart = build_goal_chart([ChartGoal(number=1, text="Go to football", ratings=[Rating(START, 4)])])
    svg = str(chart.svg)
    assert svg.startswith('<svg xmlns="http://www.w3.org/2000/svg"')
    assert 'font-family="Arial, Helvetica, sans-serif"' in svg
    for forbidden in ("<script", "class=", "style", "<link", "href", "@import", "url("):
        assert forbidden not in svg, forbidden
    assert re.search(r'viewBox="0 0 720 \d+"', svg) and 'width="100%"' in svg and "height=" not in svg[:200]


def test_the_text_alternative_names_every_goal_and_a_hidden_table_lists_every_rating() -> None:
    goals = [
        ChartGoal(number=1, text="Go to football", ratings=[Rating(START, 2, "Start"), Rating(on(9), 8, "Review")])
    ]
    chart = build_goal_chart(goals, chart_id="kai-goals", title="Kai's goals")
    root = parse(chart.svg)
    assert root.get("role") == "img" and root.get("aria-labelledby") == "kai-goals-title kai-goals-desc"
    title, desc = root.find(f"{SVG}title"), root.find(f"{SVG}desc")
    assert title is not None and title.text == "Kai's goals" and title.get("id") == "kai-goals-title"
    assert desc is not None and "from 2 out of 10 on 3 March 2026 to 8 out of 10 on 12 March 2026" in (desc.text or "")
    html = render_to_string("trm_stages/includes/goal_chart.html", {"chart": chart})
    # The table is visually hidden (in a hidden box, so it cannot widen a phone's page).
    assert re.search(r'<div class="govuk-visually-hidden">\s*<table class="govuk-table">', html) or (
        'class="govuk-table govuk-visually-hidden"' in html
    )
    rows = re.findall(r"<tr class=\"govuk-table__row\">(.*?)</tr>", html, flags=re.S)
    assert len(rows) == 3  # the header and both ratings
    assert "12 March 2026" in rows[2] and ">8<" in rows[2] and "Review" in rows[2]
    without_table = render_to_string("trm_stages/includes/goal_chart.html", {"chart": chart, "no_table": True})
    assert "<svg" in without_table and "govuk-visually-hidden" not in without_table


def test_a_goal_with_markup_in_its_words_is_escaped_everywhere() -> None:
    text = '<script>alert("x")</script> & </text><svg onload=alert(1)>'
    chart = build_goal_chart([ChartGoal(number=1, text=text, ratings=[Rating(START, 4), Rating(on(3), 5)])])
    svg = str(chart.svg)
    assert "<script" not in svg and "<svg onload" not in svg and "</text><svg" not in svg
    assert "&lt;script&gt;" in svg
    root = parse(svg)  # still well-formed: nothing broke out of its element
    assert len(points_of(root)) == 2
    html = render_to_string("trm_stages/includes/goal_chart.html", {"chart": chart})
    assert "<script" not in html


def test_styles_repeat_only_after_six_goals() -> None:
    goals = [ChartGoal(number=n, text=f"Goal {n}", ratings=[Rating(on(n), n)]) for n in range(1, 8)]
    root = parse(build_goal_chart(goals).svg)
    assert len(points_of(root)) == 7
    assert len(STYLES) == 6 and len({colour for colour, _, _ in STYLES}) == 6
    assert len({shape for _, shape, _ in STYLES}) == 6
