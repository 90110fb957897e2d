"""The report PDFs rendered for real with WeasyPrint and read back with poppler: what each kind prints,
the header on every page (initials and case number, never the name), page numbers, and the stage chart.

The pages are also written as PNGs under test-results/report-pdfs/ for a person to look at.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path
from typing import Any

import pytest

from core.documents.rendering import PdfRenderError, StaticFilesOnlyFetcher, pdf_base_url, render_pdf
from formulation.documents import DocumentNotRenderable, kinds_for, report_pdf_render
from formulation.models import REPORT_SECTIONS, DocumentKind, FormulationReport
from tests.conftest import Cast
from tests.factories import CHILD_SUMMARY, RECOMMENDATION_TEXT, SECTION_TEXT, kais_report
from tests.formulation.document_helpers import BLUE, FULL_NAME, RESULTS, page_png, pdf_info, pdf_text, pixels_near

NOT_FOR_THE_NETWORK = ["STORY:", "BEHAVIOUR:", "FIVE-P-", "RATIONALE:", "VOICE:", "The five Ps", "Alex Morgan"]


@pytest.fixture
def report(cast: Cast) -> FormulationReport:
    return kais_report(cast, stage_journey=True)


def rendered(report: FormulationReport, kind: str) -> tuple[Path, int]:
    pdf = report_pdf_render(report=report, kind=kind)
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"report-{kind}.pdf"
    path.write_bytes(pdf.content)
    assert pdf.content.startswith(b"%PDF-")
    assert pdf.seconds > 0
    return path, pdf.pages


def pages_of(path: Path, pages: int) -> list[str]:
    return [pdf_text(path, page=number) for number in range(1, pages + 1)]


def lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def assert_headed_and_numbered_on_every_page(path: Path, pages: int, case_id: int) -> None:
    for number, text in enumerate(pages_of(path, pages), start=1):
        header, footer = lines(text)[0], lines(text)[-1]
        assert header.startswith(f"K.B. · ECM case {case_id}"), f"page {number} header: {header!r}"
        assert footer.endswith(f"Page {number} of {pages}"), f"page {number} footer: {footer!r}"
        for name in ("Kai", "Brennan"):
            assert name not in header and name not in footer, f"page {number} names the child in its margins"


def test_the_full_report_prints_every_section_the_recommendations_and_who_signed_it_off(
    cast: Cast, report: FormulationReport
) -> None:
    path, pages = rendered(report, DocumentKind.FULL)
    text = pdf_text(path)
    flat = " ".join(pdf_text(path, layout=False).split())
    for _, heading, _ in REPORT_SECTIONS:
        assert heading in text
    assert "The five Ps" in text
    for section_text in SECTION_TEXT.values():
        assert section_text in flat
    for recommendation in RECOMMENDATION_TEXT:
        assert recommendation in flat
    for owner in ("Helen Marsh", "Fernbrook Academy", "Dr Imogen Vale", "Avon Vale Surgery"):
        assert owner in text
    assert "He has asked for it himself; the work goes at his pace." in flat
    assert "Why now, before the child reaches stage 3" in flat
    assert CHILD_SUMMARY in flat
    assert "Signed off by Jordan Reeve, Senior practitioner, ECM Team" in flat
    assert "Stage 2: Trust" in text
    assert "Page 1 of" in text
    # The full report names the child once, in its details on the first page.
    assert FULL_NAME in pdf_text(path, page=1)
    assert_headed_and_numbered_on_every_page(path, pages, cast.case.pk)
    assert FULL_NAME not in pdf_info(path)["Title"]
    assert pdf_info(path)["Title"] == f"Formulation report, version 1 – K.B. · ECM case {cast.case.pk}"


def test_the_summary_for_the_network_leaves_out_the_childs_story_the_five_ps_and_the_name(
    cast: Cast, report: FormulationReport
) -> None:
    path, pages = rendered(report, DocumentKind.SUMMARY)
    flat = " ".join(pdf_text(path, layout=False).split())
    for shown in (SECTION_TEXT["strengths"], SECTION_TEXT["underlying_needs"], CHILD_SUMMARY, *RECOMMENDATION_TEXT):
        assert shown in flat
    assert "Stage 2: Trust" in flat
    assert "Formulation summary for the network" in flat
    for hidden in NOT_FOR_THE_NETWORK:
        assert hidden not in flat
    assert "He has asked for it himself" not in flat  # justifications stay with the case team
    assert FULL_NAME not in flat and "Brennan" not in flat
    assert "Brennan" not in pdf_info(path)["Title"]
    assert_headed_and_numbered_on_every_page(path, pages, cast.case.pk)


def test_the_child_friendly_summary_is_printed_on_its_own_in_larger_type(cast: Cast, report: FormulationReport) -> None:
    path, pages = rendered(report, DocumentKind.CHILD)
    flat = " ".join(pdf_text(path, layout=False).split())
    assert "A summary for you, Kai" in flat
    assert CHILD_SUMMARY in flat
    for hidden in ["STORY:", "BEHAVIOUR:", "FIVE-P-", "STRENGTHS:", "NEEDS:", RECOMMENDATION_TEXT[0]]:
        assert hidden not in flat
    assert "Brennan" not in flat
    assert_headed_and_numbered_on_every_page(path, pages, cast.case.pk)
    full_path, _ = rendered(report, DocumentKind.FULL)
    assert word_height(path, "Kai,") > 1.3 * word_height(full_path, "Kai,")


def word_height(path: Path, word: str) -> float:
    """The height of the first box of `word` on any page (pdftotext's word boxes)."""
    boxes = subprocess.run(  # noqa: S603 - a fixed tool on our own file
        ["/usr/bin/pdftotext", "-bbox", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    match = re.search(
        rf'<word xMin="[\d.]+" yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)">{re.escape(word)}</word>', boxes
    )
    assert match, f"{word!r} not found in {path.name}"
    return float(match.group(2)) - float(match.group(1))


def test_the_stage_chart_is_drawn_in_the_full_report_and_the_summary(report: FormulationReport) -> None:
    for kind in (DocumentKind.FULL, DocumentKind.SUMMARY):
        path, pages = rendered(report, kind)
        chart_pages = [n for n, text in enumerate(pages_of(path, pages), start=1) if "Moved back" in text]
        assert chart_pages, f"no page of the {kind} PDF has the chart's key"
        png = page_png(path, chart_pages[0], f"report-{kind}-chart-page")
        assert pixels_near(png, BLUE) > 300  # the stage line and its points
        for number in range(1, pages + 1):
            page_png(path, number, f"report-{kind}-page-{number}")


def test_a_report_with_no_child_friendly_summary_has_no_child_pdf(cast: Cast) -> None:
    report = kais_report(cast, child_friendly="")
    assert kinds_for(report) == [DocumentKind.FULL, DocumentKind.SUMMARY]
    with pytest.raises(DocumentNotRenderable):
        report_pdf_render(report=report, kind=DocumentKind.CHILD)
    path, _ = rendered(report, DocumentKind.FULL)
    assert "No TRM stage" not in pdf_text(path)  # the report's own stage is printed without assessments
    assert "Stage 2" in pdf_text(path)


def test_print_templates_reach_only_the_projects_static_files() -> None:
    fetcher = StaticFilesOnlyFetcher(pdf_base_url())
    stylesheet = fetcher.fetch(pdf_base_url() + "static/ecm/pdf.css")
    assert b"@page" in stylesheet.read()
    assert stylesheet.content_type == "text/css"
    for refused in (
        "https://example.org/tracker.css",
        "file:///etc/passwd",
        pdf_base_url() + "static/../config/settings/base.py",
        pdf_base_url() + "media/formulation/reports/secret.pdf",
        pdf_base_url() + "static/ecm/no-such-file.css",
    ):
        with pytest.raises((PdfRenderError, ValueError)):
            fetcher.fetch(refused)


def test_a_template_that_reaches_outside_fails_to_render_instead_of_fetching_it(tmp_path: Path, settings: Any) -> None:
    template = tmp_path / "outside.html"
    template.write_text(
        '{% extends "pdf/base.html" %}{% block content %}<img src="https://example.org/x.png">{% endblock %}'
    )
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [*settings.TEMPLATES[0]["DIRS"], tmp_path]}]
    with pytest.raises(PdfRenderError, match="example.org"):
        render_pdf(template_name="outside.html", context={})
