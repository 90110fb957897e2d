"""The child-friendly PDF laid out for the child: large type, short headings, their own goals, who will help
them (first names and roles of the case holder and of the network people the summary is shared with), what
happens next; nothing from notes (restricted or not), nothing of another child; still a tagged PDF."""

from __future__ import annotations

import datetime as dt
import subprocess
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from accounts.models import Role
from cases.services import network_member_add
from core.documents.lifecycle import document_render
from core.documents.models import DocumentState
from formulation.child_document import first_name
from formulation.documents import report_pdf_render
from formulation.models import DocumentKind, FormulationReport, ReportDocument
from tests.conftest import Cast
from tests.factories import child, formulation_meeting, kais_report, log_contact, make_case, person
from tests.formulation.document_helpers import RESULTS, page_png, pdf_info, pdf_text
from tests.formulation.test_documents_pdf import word_height
from trm_stages.services import goal_close, goal_rate, goal_set

RESTRICTED_NOTE = "RESTRICTED-NOTE: what Kai told Sam about home"
OTHER_CHILDS_GOAL = "OTHER-CHILD: get a bike"


@pytest.fixture
def media_root(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return Path(settings.MEDIA_ROOT)


def kais_world(cast: Cast) -> FormulationReport:
    """Kai's signed-off report, two open goals (one rated twice) and one achieved, a youth worker the summary
    is shared with and a social worker it is not, a restricted note, a meeting to come, and another child."""
    report = kais_report(cast)
    today = timezone.localdate()
    football = goal_set(
        case=cast.case,
        actor=cast.case_manager,
        text="Play for the under-16s",
        set_by="Kai with Sam",
        set_on=today - dt.timedelta(days=30),
        start_score=3,
    )
    goal_rate(goal=football, actor=cast.case_manager, rated_on=today, score=6, context="other")
    goal_set(
        case=cast.case,
        actor=cast.case_manager,
        text="Sleep before midnight",
        set_by="Kai with Sam",
        set_on=today - dt.timedelta(days=20),
        start_score=5,
    )
    done = goal_set(
        case=cast.case,
        actor=cast.case_manager,
        text="ACHIEVED-GOAL: join the library",
        set_by="Kai with Sam",
        set_on=today - dt.timedelta(days=40),
        start_score=2,
    )
    goal_close(goal=done, actor=cast.case_manager, status="achieved", closed_on=today)
    youth_worker = person("nia", "Nia", "Castell", agency=cast.social_care, role=Role.PARTNER)
    network_member_add(
        case=cast.case, actor=cast.case_manager, user=youth_worker, name="", role="Youth worker", may_see_summary=True
    )
    network_member_add(case=cast.case, actor=cast.case_manager, user=cast.social_worker, name="", role="Social worker")
    log_contact(cast.case, cast.case_manager, restricted=True, note=RESTRICTED_NOTE)
    other = make_case(
        owning_yjs=cast.bristol, case_holder=cast.colleague, child_record=child(given_name="Ellis", family_name="Drew")
    )
    goal_set(
        case=other,
        actor=cast.colleague,
        text=OTHER_CHILDS_GOAL,
        set_by="Ellis",
        set_on=today,
        start_score=1,
    )
    return report


def test_first_names_leave_out_titles() -> None:
    assert first_name("Dr Imogen Vale") == "Imogen"
    assert first_name("Ms. Helen Marsh") == "Helen"
    assert first_name("Sam") == "Sam"


def test_the_childs_pdf_lists_their_goals_helpers_and_what_happens_next(cast: Cast) -> None:
    report = kais_world(cast)
    meeting = formulation_meeting(cast)
    pdf = report_pdf_render(report=report, kind=DocumentKind.CHILD)
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / "report-child-laid-out.pdf"
    path.write_bytes(pdf.content)
    flat = " ".join(pdf_text(path, layout=False).split())
    for heading in ("A summary for you, Kai", "What we think", "Your goals", "Who will help you", "What happens next"):
        assert heading in flat
    # Their open goals, in their words, the latest rating of the rated one; not the achieved one.
    assert "Play for the under-16s" in flat and "Sleep before midnight" in flat
    assert "Last time you said you were at 6 out of 10." in flat  # the latest of 3 and 6
    assert "Last time you said you were at 5 out of 10." in flat
    assert "ACHIEVED-GOAL" not in flat
    # Who will help: the case holder, the teacher and the youth worker (shared); not the social worker.
    assert "Sam –" in flat and "Helen – Designated teacher" in flat and "Nia – Youth worker" in flat
    for surname in ("Okafor", "Marsh", "Castell", "Rob", "Ingram", "Social worker"):
        assert surname not in flat
    # What happens next: the meeting's day and time.
    day = timezone.localtime(meeting.starts_at)
    assert f"{day:%A} {day.day} {day:%B %Y}, 10am" in flat
    assert "The people who help you will meet to talk about how to help" in flat
    # Nothing from notes, nothing of another child, no family name.
    for hidden in (RESTRICTED_NOTE, OTHER_CHILDS_GOAL, "Ellis", "Brennan"):
        assert hidden not in flat
    full = RESULTS / "report-full-for-comparison.pdf"
    full.write_bytes(report_pdf_render(report=report, kind=DocumentKind.FULL).content)
    assert word_height(path, "Kai,") > 1.3 * word_height(full, "Kai,")
    for number in range(1, pdf.pages + 1):
        page_png(path, number, f"report-child-laid-out-page-{number}")


def test_with_no_goals_and_nothing_planned_it_says_who_to_ask(cast: Cast) -> None:
    report = kais_report(cast)
    pdf = report_pdf_render(report=report, kind=DocumentKind.CHILD)
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / "report-child-empty.pdf"
    path.write_bytes(pdf.content)
    flat = " ".join(pdf_text(path, layout=False).split())
    assert "You have not set any goals yet. You can choose some with Sam." in flat
    assert "Sam will tell you when you will next meet." in flat


def test_the_childs_pdf_from_the_pipeline_is_still_tagged(cast: Cast, media_root: Path) -> None:
    report = kais_world(cast)
    document = ReportDocument.objects.create(report=report, kind=DocumentKind.CHILD)
    made = document_render("formulation.report", document.pk)
    assert made is not None and made.status == DocumentState.READY
    path = media_root / made.file.name
    info = pdf_info(path)
    assert info["Tagged"] == "yes"
    assert info["Title"] == f"A summary for you – K.B. · ECM case {cast.case.pk}"
    structure = subprocess.run(  # noqa: S603 - a fixed tool on a file the test made
        ["/usr/bin/pdfinfo", "-struct", str(path)], capture_output=True, text=True, check=True
    ).stdout
    assert "H1" in structure and structure.count("H2") >= 4 and "L" in structure
