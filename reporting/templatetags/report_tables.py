"""The reports page's figure tables, written out in Python.

The page shows every figure of the report as a table (about 3,500 cells for a year across all services),
with the comparison period's figure and the change beside the compared column. Through the template
engine those cells took most of the page's rendering (about 100 ms of a warm page at national scale).
The markup is the same as a template would write: every value is localised and escaped as `{{ value }}`
would be.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.formats import localize
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe

from reporting.comparison import FigureView

register = template.Library()


def _text(value: Any) -> str:
    """A value as `{{ value }}` shows it: localised, then escaped unless already safe; nothing for None."""
    return "" if value is None else str(conditional_escape(localize(value)))


@register.simple_tag
def figure_table(view: FigureView) -> SafeString:
    """The figure's table (needs the figure's title element, id `figure-<key>-title`, on the page)."""
    figure = view.figure
    key = _text(figure.key)
    compared = bool(view.column)
    parts = [
        f'<div class="ecm-table-scroll" role="region" aria-labelledby="figure-{key}-title" tabindex="0">',
        f'<table class="govuk-table govuk-table--small-text-until-tablet" data-testid="table-{key}">',
        f'<caption class="govuk-table__caption govuk-visually-hidden">{_text(figure.title)}</caption>',
        '<thead class="govuk-table__head"><tr class="govuk-table__row">',
    ]
    for number, label in enumerate(figure.header):
        numeric = " govuk-table__header--numeric" if number else ""
        shown = _text(label) if label else '<span class="govuk-visually-hidden">Figure</span>'
        parts.append(f'<th scope="col" class="govuk-table__header{numeric}">{shown}</th>')
    if compared:
        parts.append(
            '<th scope="col" class="govuk-table__header govuk-table__header--numeric ecm-compared">'
            f"{_text(view.column)}, {_text(view.when)}</th>"
            '<th scope="col" class="govuk-table__header ecm-compared">Change</th>'
        )
    parts.append('</tr></thead><tbody class="govuk-table__body">')
    for line in view.rows:
        row = line.row
        label_class = "" if row.is_total else " ecm-table__label"
        bold = " govuk-!-font-weight-bold" if row.is_total else ""
        parts.append(
            f'<tr class="govuk-table__row"><th scope="row" class="govuk-table__header{label_class}">'
            f"{_text(row.label)}</th>"
        )
        cell_open = f'<td class="govuk-table__cell govuk-table__cell--numeric{bold}">'
        parts.extend(f"{cell_open}{_text(cell.text)}</td>" for cell in row.cells)
        if compared:
            change = line.change
            parts.append(
                '<td class="govuk-table__cell govuk-table__cell--numeric ecm-compared">'
                f"{_text(change.previous) if change else ''}</td>"
                f'<td class="govuk-table__cell ecm-compared">{_text(change.short) if change else ""}</td>'
            )
        parts.append("</tr>")
    parts.append("</tbody></table></div>")
    return mark_safe("".join(parts))  # noqa: S308 - every value above is escaped by _text
