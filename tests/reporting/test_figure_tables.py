"""The reports page's figure tables (reporting/templatetags/report_tables.py): written in Python for speed, with the
markup and escaping a template would give."""

from __future__ import annotations

from reporting.comparison import Change, ComparedRow, FigureView
from reporting.figures.cells import Figure, FigureRow, Shown
from reporting.templatetags.report_tables import figure_table


def shown(text: str) -> Shown:
    return Shown(text=text, csv=text, value=None)


def view(*, column: str = "", change: Change | None = None) -> FigureView:
    figure = Figure(
        key="referrals_by_service",
        title="Referrals by service <all>",
        description="",
        header=["", "Referrals", "Accepted"],
        rows=[
            FigureRow("Bristol & Bath <YJS>", [shown("<5"), shown("10–14")]),
            FigureRow("Total", [shown("15–19"), shown("[c]")], is_total=True),
        ],
        notes=[],
    )
    return FigureView(
        figure=figure,
        rows=[ComparedRow(figure.rows[0], change), ComparedRow(figure.rows[1], None)],
        column=column,
        when="the previous period" if column else "",
    )


def test_every_value_is_escaped_and_the_table_is_named_by_the_figures_title() -> None:
    html = figure_table(view())
    assert 'aria-labelledby="figure-referrals_by_service-title"' in html
    assert 'data-testid="table-referrals_by_service"' in html
    assert "Referrals by service &lt;all&gt;</caption>" in html
    assert '<th scope="row" class="govuk-table__header ecm-table__label">Bristol &amp; Bath &lt;YJS&gt;</th>' in html
    assert '<td class="govuk-table__cell govuk-table__cell--numeric">&lt;5</td>' in html
    assert "<5" not in html and "<YJS>" not in html
    # The first heading is for the row labels: named for screen readers; the others are numeric columns.
    assert '<th scope="col" class="govuk-table__header"><span class="govuk-visually-hidden">Figure</span></th>' in html
    assert '<th scope="col" class="govuk-table__header govuk-table__header--numeric">Accepted</th>' in html


def test_the_total_row_is_bold_and_not_a_label() -> None:
    html = figure_table(view())
    assert '<th scope="row" class="govuk-table__header">Total</th>' in html
    assert '<td class="govuk-table__cell govuk-table__cell--numeric govuk-!-font-weight-bold">15–19</td>' in html


def test_a_compared_table_has_the_earlier_figure_and_the_change_beside_each_row() -> None:
    up = Change(text="Up from 5–9", previous="5–9", direction="up", shown=True)
    html = figure_table(view(column="Referrals", change=up))
    assert "Referrals, the previous period</th>" in html
    assert '<th scope="col" class="govuk-table__header ecm-compared">Change</th>' in html
    assert '<td class="govuk-table__cell govuk-table__cell--numeric ecm-compared">5–9</td>' in html
    assert '<td class="govuk-table__cell ecm-compared">Up</td>' in html
    # A row with nothing to compare (the total here) has the two cells, empty.
    assert html.count('<td class="govuk-table__cell ecm-compared"></td>') == 1
    assert "ecm-compared" not in figure_table(view())
