"""The summary PDF leads with the key figures and the charts, then the tables (issue 18)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from django.template.loader import render_to_string

from accounts.models import Agency, AgencyKind
from core.documents.rendering import render_pdf
from reporting import documents
from reporting.models import SummaryDocument
from reporting.services import commissioning_add
from tests.factories import agency
from tests.reporting.conftest import PERIOD_END, PERIOD_START, World

pytestmark = pytest.mark.django_db


def pdf_text(content: bytes, tmp_path: Path) -> str:
    path = tmp_path / "summary.pdf"
    path.write_bytes(content)
    return subprocess.run(["pdftotext", str(path), "-"], check=True, capture_output=True, text=True).stdout  # noqa: S603, S607


def summary(world: World, agency_ids: list[int] | None = None) -> SummaryDocument:
    return SummaryDocument.objects.create(
        requested_by=world.cast.commissioner, start=PERIOD_START, end=PERIOD_END, agency_ids=agency_ids or []
    )


def test_the_summary_leads_with_the_key_figures_then_the_charts_then_the_tables(world: World, tmp_path: Path) -> None:
    context = documents.summary_pdf_context(summary(world))
    rendered = render_pdf(template_name=documents.TEMPLATE, context=context)
    text = pdf_text(rendered.content, tmp_path)
    words = " ".join(text.split())
    # After the title and the running header, the first thing is the key figures, with their values.
    body = words[words.index("Key figures") :]
    key_figures = context["headline"]
    assert key_figures, "the report has key figures"
    first = key_figures[0]
    assert body.index(first.label) < body.index("Charts")
    assert first.value in body[: body.index("Charts")]
    assert words.index("Key figures") < words.index("Charts") < words.index("How to read the figures")
    # A chart's title, before the tables: the same chart as the page's.
    charts = context["charts"]
    assert charts, "the 2025 world has something to draw"
    assert charts[0].title in body[: body.index("How to read the figures")]
    # Then the tables, section by section, every row as on the page (two services: in full).
    tables = body[body.index("How to read the figures") :]
    assert "Referrals, triage and waiting times" in tables and "Bristol YJS" in tables
    assert "36.4" in tables and "55–100%" in tables
    assert rendered.pages >= 3
    found = [secret for secret in world.secrets if secret in text]
    assert not found, f"the summary PDF holds {found}"


def test_with_many_services_the_tables_by_service_print_their_totals(world: World) -> None:
    for number in range(11):  # 13 services in all: more than SERVICES_IN_FULL
        extra: Agency = agency(f"Extra youth justice service {number:02d}", AgencyKind.YOUTH_JUSTICE)
        commissioning_add(commissioner_agency=world.cast.commissioning, yjs=extra)
    context = documents.summary_pdf_context(summary(world))
    assert len(context["scope"].agencies) == 13 > documents.SERVICES_IN_FULL
    printed = {item.figure.key: item for _, items in context["sections"] for item in items}
    assert printed["referrals"].by_service_elsewhere
    assert [row.label for row in printed["referrals"].rows] == ["All services"]
    assert [row.label for row in printed["consultations"].rows] == ["All services"]
    # Every other table is printed whole, as on the page.
    assert printed["attendance"].rows == printed["attendance"].figure.rows
    html = render_to_string(documents.TEMPLATE, context)
    tables, listed = html.split("How to read the figures")[1].split("<h2>Services covered</h2>")
    assert "Extra youth justice service 05" not in tables  # no table has a row per service
    assert "Extra youth justice service 05" in listed  # the services are listed once, at the end
    assert "each service's own figures are on the reports page" in html
    # The report itself (the page, the CSV) still has every service's row.
    assert len(printed["referrals"].figure.rows) == 14


def test_the_key_figures_are_compared_with_the_period_before(world: World) -> None:
    context = documents.summary_pdf_context(summary(world, [world.cast.bristol.pk]))
    assert context["earlier_scope"] is not None
    assert context["earlier_scope"].end < PERIOD_START
    html = render_to_string(documents.TEMPLATE, context)
    assert f"Each change is against {context['when']}, {context['earlier_scope'].period_text}." in html
