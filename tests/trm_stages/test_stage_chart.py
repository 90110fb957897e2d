"""The stage chart's SVG: what it draws, its text alternative, and the same markup in a WeasyPrint PDF."""

from __future__ import annotations

import datetime as dt
import subprocess
from pathlib import Path

from PIL import Image
from weasyprint import HTML

from trm_stages.charts import ChartPoint, chart_description, stage_chart

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
    for label in ("Working through trauma", "Cognitive readiness", "Moved back", "Assessment", "5 Jan 2026"):
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
