"""How long WeasyPrint takes to make the full PDF of a formulation report (median of 5 renders).

A whole invented case is made inside one transaction that is rolled back at the end, so the
database is left as it was: a child, ten TRM stage assessments over a year (one move back), a
signed-off report with every section written at a realistic length, and eight recommendations.
The render is the one the Celery job runs (formulation.documents.report_pdf_render), in process.
``--keep DIR`` also writes the PDF there, to look at.
"""

from __future__ import annotations

import datetime as dt
import secrets
import statistics
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction
from django.utils import timezone

from accounts.history import acting_as
from accounts.models import AgencyKind, Role, User
from accounts.services import agency_create, coverage_add, membership_add, user_create
from cases.models import Child
from cases.services import case_open
from formulation.documents import report_pdf_render
from formulation.models import DocumentKind, FormulationReport, Recommendation, ReportStatus
from trm_stages.services import stage_assessment_record


class Rollback(Exception):
    """Raised to undo everything the benchmark made."""


PARAGRAPHS = [
    "Jaden lives with his grandmother on the edge of the city and sees his mother most weekends. "
    "He has had four school moves since the age of eight and was permanently excluded in year 9 after "
    "a fight with an older boy who had been threatening his younger sister.",
    "The network describes a boy who is funny and loyal, who keeps people at a distance until he is "
    "sure they will come back, and who becomes loud and oppositional when he feels cornered or shamed. "
    "He is more settled in short, practical sessions that end with something to eat.",
    "Teachers at the pupil referral unit report that he arrives late on most days, refuses written "
    "work but joins in with the woodwork project, and has walked out of lessons eleven times this term, "
    "usually after a change of staff or an unexpected room change.",
    "Police contacts have been for possession of cannabis and for being found with older young people "
    "in a flat that is known to be used to store drugs. He denies being asked to carry anything, but "
    "has had new clothes and a phone that his grandmother cannot account for.",
    "The meeting agreed that his behaviour makes sense as a way of staying safe and in control when "
    "adults have repeatedly left, and that the same adults turning up reliably, with clear and "
    "predictable routines, is the first step before any work on what has happened to him.",
]
SECTIONS = {
    "reason_for_referral": 1,
    "childs_story": 5,
    "presenting_behaviour": 3,
    "underlying_needs": 3,
    "presenting_factors": 2,
    "predisposing_factors": 3,
    "precipitating_factors": 2,
    "perpetuating_factors": 2,
    "protective_factors": 2,
    "childs_voice": 2,
    "strengths": 2,
    "trm_rationale": 3,
}
RECOMMENDATIONS = [
    ("One named adult at the unit meets Jaden at the gate every morning for the next term.", 1),
    ("The case manager keeps a fixed weekly session, same day, same place, and says in advance about any change.", 1),
    ("Grandmother is offered the carers' group on Thursday evenings, with transport arranged.", 1),
    ("A referral to the youth club's woodwork evening, with the case manager going with him the first three times.", 2),
    ("A review of the exploitation screening with the police and social care within four weeks.", 1),
    ("Short, practical sessions on managing anger in class, once he has a settled relationship with one adult.", 3),
    ("Planning for a college taster week in the summer term, with a visit beforehand.", 5),
    ("Life-story work with the psychologist, once he has begun to talk about what happened before.", 4),
]
STAGES = [1, 1, 2, 2, 3, 2, 2, 3, 3, 3]


class Command(BaseCommand):
    help = "Render the full PDF of an invented formulation report 5 times; print each time and the median."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--runs", type=int, default=5)
        parser.add_argument("--keep", type=Path, default=None, help="a folder to write the PDF into")

    def handle(self, *args: Any, **options: Any) -> None:
        runs: int = options["runs"]
        results: dict[str, Any] = {}
        try:
            with transaction.atomic():
                report = self._invented_report()
                self.stdout.write(
                    f"Report: {len(SECTIONS)} sections, {report.recommendations.count()} recommendations, "
                    f"{len(STAGES)} stage assessments"
                )
                times = []
                for run in range(1, runs + 1):
                    rendered = report_pdf_render(report=report, kind=DocumentKind.FULL)
                    times.append(rendered.seconds)
                    self.stdout.write(f"  render {run}: {rendered.seconds:.3f} s")
                results = {"times": times, "pages": rendered.pages, "size": len(rendered.content)}
                if options["keep"]:
                    options["keep"].mkdir(parents=True, exist_ok=True)
                    (options["keep"] / "benchmark-full-report.pdf").write_bytes(rendered.content)
                raise Rollback
        except Rollback:
            pass
        self.stdout.write(
            f"Full report PDF: median {statistics.median(results['times']):.3f} s over {runs} renders "
            f"(fastest {min(results['times']):.3f} s, slowest {max(results['times']):.3f} s); "
            f"{results['pages']} pages, {results['size'] / 1024:.0f} KB. Everything made was rolled back."
        )

    def _invented_report(self) -> FormulationReport:
        tag = secrets.token_hex(3)
        yjs = agency_create(name=f"Benchmark YJS {tag}", kind=AgencyKind.YOUTH_JUSTICE)
        team = agency_create(name=f"Benchmark ECM team {tag}", kind=AgencyKind.ECM_TEAM)
        school = agency_create(name=f"Benchmark pupil referral unit {tag}", kind=AgencyKind.EDUCATION)
        case_manager = self._person(f"bench-cm-{tag}", "Morgan", "Ellery", yjs, Role.CASE_MANAGER)
        psychologist = self._person(f"bench-psy-{tag}", "Ruth", "Okonedo", team, Role.PSYCHOLOGIST, covers=yjs)
        senior = self._person(f"bench-sp-{tag}", "Dev", "Lindqvist", team, Role.SENIOR_PRACTITIONER, covers=yjs)
        child = Child.objects.create(
            given_name="Jaden", family_name="Whitlow", date_of_birth=dt.date(2010, 2, 11), reference=f"BEN-{tag}"
        )
        case = case_open(child=child, owning_yjs=yjs, case_holder=case_manager, actor=case_manager)
        today = timezone.localdate()
        for index, stage in enumerate(STAGES):
            moved_back = index and stage < STAGES[index - 1]
            stage_assessment_record(
                case=case,
                actor=psychologist,
                assessed_on=today - dt.timedelta(days=36 * (len(STAGES) - index)),
                stage_number=stage,
                evidence=PARAGRAPHS[index % len(PARAGRAPHS)],
                source="review" if index else "formulation",
                move_back_note="The return to difficult behaviour after talking about his father."
                if moved_back
                else "",
            )
        now = timezone.now()
        with acting_as(psychologist):
            report = FormulationReport.objects.create(
                case=case,
                version=1,
                author=psychologist,
                updated_by=psychologist,
                status=ReportStatus.SIGNED_OFF,
                trm_stage=STAGES[-1],
                child_friendly_summary="\n\n".join(PARAGRAPHS[:2]),
                submitted_for_review_at=now,
                signed_off_at=now,
                signed_off_by=senior,
                **{name: "\n\n".join(PARAGRAPHS[:count]) for name, count in SECTIONS.items()},
            )
            owners: list[tuple[User | None, str, Any, str]] = [
                (case_manager, "", yjs, ""),
                (None, "Carla Mendes", school, ""),
                (None, "Kofi Asante", None, "Northfield Youth Club"),
            ]
            for position, (text, stage) in enumerate(RECOMMENDATIONS):
                owner, owner_name, owner_agency, owner_agency_name = owners[position % len(owners)]
                Recommendation.objects.create(
                    report=report,
                    case=case,
                    position=position,
                    text=text,
                    suits_from_stage=stage,
                    justification=(
                        "He asked for this himself, and the work is paced to his stage." if stage > STAGES[-1] else ""
                    ),
                    owner=owner,
                    owner_name=owner_name,
                    owner_agency=owner_agency,
                    owner_agency_name=owner_agency_name,
                    due_on=today + dt.timedelta(weeks=4 * (position + 1)),
                    became_action_at=now,
                )
        return report

    @staticmethod
    def _person(username: str, first: str, last: str, agency: Any, role: str, covers: Any = None) -> User:
        user = user_create(username=username, email=f"{username}@bench.ecm.invalid", first_name=first, last_name=last)
        membership_add(user=user, agency=agency, role=role)
        if covers is not None:
            coverage_add(clinician=user, yjs=covers)
        return user
