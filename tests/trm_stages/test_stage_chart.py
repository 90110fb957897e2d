"""The stage chart's SVG: what it draws, its text alternative, and the same markup in a WeasyPrint PDF."""

from __future__ import annotations

import datetime as dt
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

from PIL import Image
from weasyprint import HTML

from trm_stages.charts import NORMAL_RENDERED_WIDTH, ChartPoint, chart_description, month_ticks, stage_chart

NAMES = {
    1: "Instability",
    2: "Trust",
    3: "Working through trauma",
    4: "Insight",
    5: "Future planning",
    6: "Moving on",
}
DAY = dt.date(2026, 1, 5)
JOURNEY = [
    ChartPoint(on=DAY, stage=1, moved_back=False),
    ChartPoint(on=DAY + dt.timedelta(days=40), stage=2, moved_back=False),
    ChartPoint(on=DAY + dt.timedelta(days=90), stage=3, moved_back=False),
    ChartPoint(on=DAY + dt.timedelta(days=120), stage=2, moved_back=True),
]
BLUE = (0x1D, 0x70, 0xB8)
RED = (0xD4, 0x35, 0x1C)
RESULTS = Path("test-results/charts")
SVG = "{http://www.w3.org/2000/svg}"


def test_the_description_says_where_the_child_is_and_every_step() -> None:
    assert chart_description(JOURNEY, NAMES) == (
        "Now at stage 2 (Trust) since 5 May 2026. 4 assessments: at stage 1 on 5 January 2026; "
        "at stage 2 on 14 February 2026; at stage 3 on 5 April 2026; moved back to stage 2 on 5 May 2026."
    )
    assert chart_description([], NAMES) == "No TRM stage has been recorded yet."


def test_each_assessment_is_a_point_and_a_move_back_is_a_red_triangle() -> None:
    svg = str(stage_chart(JOURNEY, stage_names=NAMES, end=DAY + dt.timedelta(days=150)))
    assert svg.startswith("<svg") and svg.endswith("</svg>")
    assert 'role="img"' in svg and 'aria-labelledby="stage-chart-title stage-chart-desc"' in svg
    assert svg.count("<circle") == 3 + 1  # three assessments and the key's dot
    assert svg.count("<polygon") == 1 + 1  # one move back and the key's triangle
    assert svg.count('stroke-dasharray="6 4"') == 3  # the three thresholds
    assert "Cognitive readiness" in svg and "Disclosure" in svg
    assert 'stroke="#d4351c"' in svg  # the step down is drawn in red
    for number, name in NAMES.items():
        assert f">{number} {name}</text>" in svg


def test_text_in_the_chart_is_escaped() -> None:
    svg = str(stage_chart(JOURNEY, stage_names={**NAMES, 2: "<script>alert(1)</script>"}, end=DAY))
    assert "<script>" not in svg and "&lt;script&gt;" in svg


def test_an_empty_chart_says_so_and_a_single_point_draws() -> None:
    empty = str(stage_chart([], stage_names=NAMES, end=DAY))
    assert "No stage recorded yet" in empty and "<circle" not in empty
    single = str(stage_chart(JOURNEY[:1], stage_names=NAMES, end=DAY))
    assert single.count("<circle") == 2


def test_the_same_markup_renders_in_a_weasyprint_pdf(tmp_path: Path) -> None:
    svg = stage_chart(JOURNEY, stage_names=NAMES, end=DAY + dt.timedelta(days=150))
    html = f"<html><body><h1>Stage chart</h1>{svg}</body></html>"
    pdf = tmp_path / "chart.pdf"
    HTML(string=html).write_pdf(pdf)
    text = subprocess.run(  # noqa: S603 - our own file, a fixed command
        ["/usr/bin/pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    for label in ("Working through trauma", "Cognitive readiness", "Moved back", "Assessment", "Feb 2026", "Apr"):
        assert label in text
    RESULTS.mkdir(parents=True, exist_ok=True)
    subprocess.run(  # noqa: S603 - our own file, a fixed command
        ["/usr/bin/pdftoppm", "-r", "96", "-png", "-singlefile", str(pdf), str(RESULTS / "stage-chart")], check=True
    )
    image = Image.open(RESULTS / "stage-chart.png").convert("RGB")
    colours: list[tuple[int, tuple[int, int, int]]] = image.getcolors(maxcolors=1_000_000) or []  # type: ignore[assignment]

    def pixels_near(target: tuple[int, int, int]) -> int:
        near = [count for count, rgb in colours if all(abs(a - b) <= 12 for a, b in zip(rgb, target, strict=True))]
        return sum(near)

    assert pixels_near(BLUE) > 300  # the line and the points
    assert pixels_near(RED) > 40  # the move back


def _texts(svg: str) -> list[ET.Element]:
    return list(ET.fromstring(svg).iter(f"{SVG}text"))  # noqa: S314 - our own markup


def test_the_chart_scales_to_its_column_with_text_of_at_least_14_px() -> None:
    svg = str(stage_chart(JOURNEY, stage_names=NAMES, end=DAY + dt.timedelta(days=150)))
    root = ET.fromstring(svg)  # noqa: S314 - our own markup
    assert root.get("width") == "100%" and root.get("height") is None  # height follows the viewBox
    view_width = float(root.get("viewBox", "").split()[2])
    sizes = [float(text.get("font-size", 0)) for text in _texts(svg)]
    assert sizes and min(sizes) * NORMAL_RENDERED_WIDTH / view_width >= 14


def test_months_label_the_bottom_with_the_year_where_it_changes() -> None:
    # 5 January to 4 June 2026: February to June, the year on the first.
    svg = str(stage_chart(JOURNEY, stage_names=NAMES, end=DAY + dt.timedelta(days=150)))
    months = [text.text for text in _texts(svg) if text.get("data-month")]
    assert months == ["Feb 2026", "Mar", "Apr", "May", "Jun"]
    # Across a new year.
    winter = [ChartPoint(on=dt.date(2025, 10, 20), stage=1, moved_back=False)]
    svg = str(stage_chart(winter, stage_names=NAMES, end=dt.date(2026, 2, 10)))
    assert [text.text for text in _texts(svg) if text.get("data-month")] == ["Nov 2025", "Dec", "Jan 2026", "Feb"]


def test_many_months_are_thinned_and_januaries_kept() -> None:
    def months_of(start: dt.date, end: dt.date) -> list[ET.Element]:
        svg = str(stage_chart([ChartPoint(on=start, stage=1, moved_back=False)], stage_names=NAMES, end=end))
        return [text for text in _texts(svg) if text.get("data-month")]

    months = months_of(dt.date(2024, 3, 14), dt.date(2026, 11, 20))  # 32 months: every sixth
    # The first label leaves its year to the January close beside it.
    assert [text.text for text in months] == ["Jul", "Jan 2025", "Jul", "Jan 2026", "Jul"]
    xs = [float(text.get("x", 0)) for text in months]
    assert all(later - earlier >= 60 for earlier, later in zip(xs, xs[1:], strict=False))
    years = months_of(dt.date(2022, 3, 14), dt.date(2026, 11, 20))  # 56 months: every January
    assert [text.text for text in years] == ["Jan 2023", "Jan 2024", "Jan 2025", "Jan 2026"]
    assert len(month_ticks(dt.date(2026, 1, 5), dt.date(2026, 1, 20), room=400)) == 1


def test_points_keep_clear_of_both_edges() -> None:
    today = DAY + dt.timedelta(days=120)  # the latest assessment is today: the right-most point
    svg = str(stage_chart(JOURNEY, stage_names=NAMES, end=today))
    root = ET.fromstring(svg)  # noqa: S314 - our own markup
    plot = [rect for rect in root.iter(f"{SVG}rect")][0]
    left, right = float(plot.get("x", 0)), float(plot.get("x", 0)) + float(plot.get("width", 0))
    circles = [circle for circle in root.iter(f"{SVG}circle") if circle.get("stroke") == "#ffffff"]
    first_x = float(circles[0].get("cx", 0))
    last_point = [polygon for polygon in root.iter(f"{SVG}polygon") if polygon.get("stroke") == "#ffffff"][-1]
    last_xs = [float(pair.split(",")[0]) for pair in last_point.get("points", "").split()]
    assert first_x - 6.5 >= left + 20
    assert max(last_xs) <= right - 20
