"""Helpers for the report PDF tests: what Kai's signed-off report says (made with tests.factories'
`signed_off_report`), and reading PDFs back with poppler (pdftotext, pdfinfo, pdftoppm)."""

from __future__ import annotations

import datetime as dt
import subprocess
from pathlib import Path
from typing import Any

from django.core.files.base import ContentFile
from django.utils import timezone
from PIL import Image

from core.documents.models import DocumentState
from formulation.models import DocumentKind, FormulationReport, ReportDocument
from tests.conftest import Cast
from trm_stages.services import stage_assessment_record

RESULTS = Path("test-results/report-pdfs")
FULL_NAME = "Kai Brennan"
BLUE = (0x1D, 0x70, 0xB8)

# Each section says what it is, so a test can tell which ones a PDF printed.
SECTION_TEXT = {
    "reason_for_referral": "Referred after three arrests in two months and a school exclusion.",
    "childs_story": "STORY: Kai lived with his father until the age of seven, then moved between relatives.",
    "presenting_behaviour": "BEHAVIOUR: walks out of lessons when a supply teacher arrives unannounced.",
    "underlying_needs": "NEEDS: a predictable adult who keeps coming back, and safety at home.",
    "presenting_factors": "FIVE-P-PRESENTING: aggression when shamed in front of others.",
    "predisposing_factors": "FIVE-P-PREDISPOSING: early loss of his mother and several moves.",
    "precipitating_factors": "FIVE-P-PRECIPITATING: his grandfather's death last winter.",
    "perpetuating_factors": "FIVE-P-PERPETUATING: exclusions that confirm he is not wanted.",
    "protective_factors": "FIVE-P-PROTECTIVE: his aunt, football and a youth worker he trusts.",
    "childs_voice": "VOICE: Kai says he wants to get back into college and play for the under-18s.",
    "strengths": "STRENGTHS: loyal to his friends, funny, a gifted goalkeeper.",
    "trm_rationale": "RATIONALE: he now seeks out his case manager but cannot yet talk about the past.",
}
CHILD_SUMMARY = "CHILD-FRIENDLY: Kai, we met to think about how to help you feel safe and get back to college."
RECOMMENDATION_TEXT = [
    "Keep one named adult at the Fernbrook Academy gate every morning this term.",
    "Life-story work with the psychologist when Kai is ready to talk about the past.",
]


def stage_journey_for(cast: Cast) -> None:
    """Three assessments, the last at stage 2, so the chart has a line to draw."""
    today = timezone.localdate()
    for days_ago, stage in ((90, 1), (50, 2), (10, 2)):
        stage_assessment_record(
            case=cast.case,
            actor=cast.psychologist,
            assessed_on=today - dt.timedelta(days=days_ago),
            stage_number=stage,
            evidence="Seen at home and at school",
            source="formulation" if days_ago == 90 else "review",
        )


def report_fields(cast: Cast, *, child_friendly: str = CHILD_SUMMARY) -> dict[str, Any]:
    """What `signed_off_report` needs to make Kai's report as the PDFs print it: every section, the
    child-friendly summary, stage 2, submitted and signed off now, and two recommendations."""
    now = timezone.now()
    today = timezone.localdate()
    return {
        **SECTION_TEXT,
        "trm_stage": 2,
        "child_friendly_summary": child_friendly,
        "submitted_for_review_at": now,
        "signed_off_at": now,
        "recommendations": [
            {
                "text": RECOMMENDATION_TEXT[0],
                "suits_from_stage": 1,
                "owner": cast.teacher,
                "owner_agency": cast.school,
                "due_on": today + dt.timedelta(weeks=6),
            },
            {
                "text": RECOMMENDATION_TEXT[1],
                "suits_from_stage": 3,
                "justification": "He has asked for it himself; the work goes at his pace.",
                "owner_name": "Dr Imogen Vale",
                "owner_agency_name": "Avon Vale Surgery",
                "due_on": today + dt.timedelta(weeks=12),
            },
        ],
    }


def ready_document(report: FormulationReport, kind: str, content: bytes = b"%PDF-1.7 sample") -> ReportDocument:
    """A document already made (its file a few bytes in the test's storage)."""
    document, _ = ReportDocument.objects.get_or_create(report=report, kind=kind)
    document.file.save(f"ecm-case-{report.case_id}-{kind}.pdf", ContentFile(content), save=False)
    document.status = DocumentState.READY
    document.pages = 1
    document.render_seconds = 0.1
    document.attempts = 1
    document.finished_at = timezone.now()
    document.save()
    return document


def all_ready(report: FormulationReport) -> dict[str, ReportDocument]:
    return {kind: ready_document(report, kind) for kind in DocumentKind.values}


def _poppler(*args: str) -> str:
    return subprocess.run(args, capture_output=True, text=True, check=True).stdout  # noqa: S603 - fixed tools


def pdf_text(path: Path, *, page: int | None = None, layout: bool = True) -> str:
    """The text as laid out on the page, or (layout=False) in the order it was written, cell by cell."""
    pages = ["-f", str(page), "-l", str(page)] if page else []
    return _poppler("/usr/bin/pdftotext", "-layout" if layout else "-raw", *pages, str(path), "-")


def pdf_info(path: Path) -> dict[str, str]:
    lines = _poppler("/usr/bin/pdfinfo", str(path)).splitlines()
    return {key.strip(): value.strip() for key, _, value in (line.partition(":") for line in lines)}


def page_png(path: Path, page: int, name: str, *, resolution: int = 80) -> Path:
    """One page as a PNG under test-results/report-pdfs/, for the test and for a person to look at."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    target = RESULTS / name
    _poppler(
        "/usr/bin/pdftoppm",
        "-r",
        str(resolution),
        "-png",
        "-singlefile",
        "-f",
        str(page),
        "-l",
        str(page),
        str(path),
        str(target),
    )
    return target.with_suffix(".png")


def pixels_near(png: Path, target: tuple[int, int, int], tolerance: int = 12) -> int:
    image = Image.open(png).convert("RGB")
    colours: list[tuple[int, Any]] = image.getcolors(maxcolors=10_000_000) or []
    return sum(
        count for count, rgb in colours if all(abs(a - b) <= tolerance for a, b in zip(rgb, target, strict=True))
    )
