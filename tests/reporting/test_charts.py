"""The hand-written SVG bar chart: a text alternative with every figure, and no bar for a suppressed one."""

from __future__ import annotations

import re

from reporting.charts import Bar, bar_chart


def test_every_figure_is_in_the_text_alternative_and_suppressed_ones_have_no_bar() -> None:
    svg = str(
        bar_chart(
            chart_id="chart-triage",
            title="Triage outcomes",
            bars=[
                Bar("Accepted for formulation", 12.0, "12"),
                Bar("Not accepted", None, "<5"),
                Bar("Waiting", 6.0, "6"),
            ],
        )
    )
    assert svg.startswith("<svg") and 'role="img"' in svg
    assert 'aria-labelledby="chart-triage-title chart-triage-desc"' in svg
    assert '<title id="chart-triage-title">Triage outcomes</title>' in svg
    assert '<desc id="chart-triage-desc">Accepted for formulation: 12; Not accepted: &lt;5; Waiting: 6.</desc>' in svg
    widths = [float(width) for width in re.findall(r'<rect [^>]*width="([\d.]+)"', svg)]
    assert len(widths) == 2  # no bar for the suppressed figure
    assert widths[0] == 2 * widths[1]  # 12 is twice 6
    assert ">&lt;5</text>" in svg  # its words are there instead
    assert "<script" not in svg and "class=" not in svg  # self-contained, so WeasyPrint draws it the same


def test_labels_are_escaped_and_long_ones_shortened() -> None:
    svg = str(bar_chart(chart_id="c", title="T", bars=[Bar("<b>Fernbrook & Avonvale partnership trust</b>", 1.0, "1")]))
    assert "<b>" not in svg and "&lt;b&gt;Fernbrook &amp; Avonvale" in svg
    assert "…" in svg


def test_a_fixed_maximum_scales_rates_to_the_whole_width() -> None:
    svg = str(bar_chart(chart_id="c", title="T", bars=[Bar("Education", 0.5, "50%")], maximum=1.0))
    [width] = re.findall(r'<rect [^>]*width="([\d.]+)"', svg)
    assert float(width) == 170.0  # half of the 340 pixels the bars may take
