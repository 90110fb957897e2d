"""Reads of formulation reports. Every one starts from the access module.

Who reads what (DESIGN.md, "formulation report"): the case's full-record readers (the owning YJS's
case managers, the covering clinicians) read signed-off versions (VIEW); versions still being
written need READ_REPORT_DRAFTS (the covering clinicians). The network sees only the signed-off
summary, as a PDF (formulation/documents.py): these pages answer them 403.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.db.models import Count, OuterRef, Q, QuerySet
from django.shortcuts import get_object_or_404

from accounts.audit import access_event_record
from accounts.models import AccessAction
from cases import access
from cases.access import Action
from cases.models import Case, CaseKind
from cases.sections import compiled_facts, count_of, facts_of
from formulation.capabilities import case_report_capabilities
from formulation.models import (
    COMMENT_PLACES,
    OPEN_ACTION_STATUSES,
    OPEN_STATUSES,
    REPORT_SECTIONS,
    FormulationReport,
    Recommendation,
    ReportComment,
    ReportStatus,
)
from formulation.selectors.meetings import held_formulation_meeting
from trm_stages.models import InterventionType
from trm_stages.selectors import (
    current_stage_number,
    current_version,
    latest_assessment,
    sequencing_for_stages,
    trm_reference,
)
from trm_stages.sequencing import SequencingResult

RECORD_TYPE = "formulation_report"


# How the editor and the report page group the sections: the five Ps under one heading, and the
# TRM rationale beside the stage.
BEFORE_FIVE_PS = ["reason_for_referral", "childs_story", "presenting_behaviour", "underlying_needs"]


FIVE_PS = [
    "presenting_factors",
    "predisposing_factors",
    "precipitating_factors",
    "perpetuating_factors",
    "protective_factors",
]


AFTER_FIVE_PS = ["childs_voice", "strengths"]


FIVE_PS_HEADING = "Formulation: the five Ps"


def report_for(*, user: Any, case_id: int, report_id: int, log_as: str = AccessAction.VIEW) -> FormulationReport:
    """One version for reading: 404 unless the case is visible, 403 unless the person reads the full
    record, and 403 for a version not yet signed off unless they may read drafts. Logged as a read
    of the report (refusals too)."""
    case = access.get_case_for(user, case_id, Action.VIEW, log=False)
    report = get_object_or_404(
        FormulationReport.objects.select_related("author", "signed_off_by", "updated_by", "meeting", "based_on"),
        case=case,
        pk=report_id,
    )
    needed = Action.VIEW if report.is_locked else Action.READ_REPORT_DRAFTS
    if not access.may(user, needed, case):
        _log(user, AccessAction.DENIED, report, f"{needed}: forbidden")
        raise PermissionDenied("You may not read this version of the report before it is signed off.")
    _log(user, log_as, report, f"version {report.version}")
    report.case = case
    return report


def report_to_act_on(*, user: Any, case_id: int, report_id: int, action: Action, log: bool = True) -> FormulationReport:
    """One version for those who may `action` on the case (write_report, review_report...): 403 or 404 otherwise."""
    case = access.get_case_for(user, case_id, action, log=log)
    report = get_object_or_404(
        FormulationReport.objects.select_related("author", "signed_off_by", "updated_by"), case=case, pk=report_id
    )
    report.case = case
    return report


def _log(user: Any, action: str, report: FormulationReport, description: str) -> None:
    access_event_record(
        user=user,
        action=action,
        record_type=RECORD_TYPE,
        record_id=report.pk,
        case_id=report.case_id,
        description=description,
    )


def reports_for(*, user: Any, case: Case) -> QuerySet[FormulationReport]:
    """The versions this person may read, newest first: all for draft readers, signed-off ones for the rest."""
    reports = FormulationReport.objects.filter(case=case)
    if not access.may(user, Action.READ_REPORT_DRAFTS, case):
        reports = reports.filter(status=ReportStatus.SIGNED_OFF)
    return (
        reports.select_related("author", "signed_off_by")
        .annotate(recommendation_count=Count("recommendations"))
        .order_by("-version")
    )


def open_report(case: Case) -> FormulationReport | None:
    """The version being written now (draft or in review), if any: at most one."""
    return FormulationReport.objects.filter(case=case, status__in=OPEN_STATUSES).select_related("author").first()


def latest_signed_off(case: Case) -> FormulationReport | None:
    return (
        FormulationReport.objects.filter(case=case, status=ReportStatus.SIGNED_OFF)
        .select_related("signed_off_by")
        .order_by("-version")
        .first()
    )


@dataclass
class DisplaySection:
    name: str
    heading: str
    text: str
    comments: list[ReportComment] = field(default_factory=list)


@dataclass
class ReportLayout:
    """The report's sections as the page shows them: the five Ps grouped under one heading."""

    before: list[DisplaySection]
    five_ps: list[DisplaySection]
    after: list[DisplaySection]
    trm_rationale: DisplaySection
    whole: list[ReportComment]  # comments on the report as a whole
    summary_comments: list[ReportComment]
    recommendation_comments: list[ReportComment]

    @property
    def unresolved(self) -> int:
        everything = [*self.whole, *self.summary_comments, *self.recommendation_comments]
        for section in [*self.before, *self.five_ps, *self.after, self.trm_rationale]:
            everything.extend(section.comments)
        return sum(1 for comment in everything if comment.resolved_at is None)


def report_layout(report: FormulationReport) -> ReportLayout:
    """The sections with their comments (one query for all the comments)."""
    by_place: dict[str, list[ReportComment]] = {}
    for comment in ReportComment.objects.filter(report=report).select_related("author").order_by("created_at", "pk"):
        by_place.setdefault(comment.section, []).append(comment)
    sections = {
        name: DisplaySection(name=name, heading=heading, text=getattr(report, name), comments=by_place.get(name, []))
        for name, heading, _ in REPORT_SECTIONS
    }
    return ReportLayout(
        before=[sections[name] for name in BEFORE_FIVE_PS],
        five_ps=[sections[name] for name in FIVE_PS],
        after=[sections[name] for name in AFTER_FIVE_PS],
        trm_rationale=sections["trm_rationale"],
        whole=by_place.get("", []),
        summary_comments=by_place.get("child_friendly_summary", []),
        recommendation_comments=by_place.get("recommendations", []),
    )


def comment_place(section: str) -> str:
    """Where a comment points, in words."""
    return COMMENT_PLACES.get(section, "The report as a whole")


@dataclass(frozen=True)
class JudgedRecommendation:
    """A recommendation with the sequencing rule judged against the child's stage today."""

    recommendation: Recommendation
    result: SequencingResult

    @property
    def standing_warning(self) -> str:
        """Blank when it suits the child's current stage."""
        return "" if self.result.suits else self.result.warning

    @property
    def needs_justification(self) -> bool:
        return not self.result.suits and not self.recommendation.justification.strip()


def recommendations_for(report: FormulationReport) -> list[JudgedRecommendation]:
    """The version's recommendations in order, each judged against the child's current stage."""
    recommendations = list(
        Recommendation.objects.filter(report=report)
        .select_related("owner", "owner_agency", "intervention_type")
        .order_by("position", "pk")
    )
    judged = sequencing_for_stages(
        case=report.case, stages=(recommendation.suits_from_stage for recommendation in recommendations)
    )
    return [
        JudgedRecommendation(recommendation=recommendation, result=judged[recommendation.suits_from_stage])
        for recommendation in recommendations
    ]


def open_actions(case: Case) -> QuerySet[Recommendation]:
    """The case's actions still to do: recommendations of signed-off versions, and the actions reviews add."""
    return Recommendation.objects.filter(_is_open_action(), case=case)


def _is_open_action() -> Q:
    return (Q(report__isnull=True) | Q(became_action_at__isnull=False)) & Q(status__in=OPEN_ACTION_STATUSES)


@dataclass(frozen=True)
class SequencingMismatch:
    """An open action whose lowest stage is above the child's current stage."""

    action: Recommendation
    warning: str  # as the rule words it today

    @property
    def is_new(self) -> bool:
        """No warning when it was written: the child has moved back since (or the stage was unknown)."""
        return not self.action.sequencing_warning


def sequencing_mismatches(*, case: Case) -> list[SequencingMismatch]:
    """Open actions that no longer suit the child's CURRENT stage (the child may have moved back since
    they were written), oldest due first. For the case page and for reviews."""
    current = current_stage_number(case)
    actions = open_actions(case).select_related("owner", "owner_agency", "report").order_by("due_on", "pk")
    if current is not None:
        actions = actions.filter(suits_from_stage__gt=current)
    candidates = list(actions)
    judged = sequencing_for_stages(case=case, stages=(action.suits_from_stage for action in candidates))
    return [
        SequencingMismatch(action=action, warning=judged[action.suits_from_stage].warning)
        for action in candidates
        if not judged[action.suits_from_stage].suits
    ]


def referral_reasons(case: Case) -> str:
    """Why the child was referred, as the referral says (blank for a case opened without one)."""
    try:
        referral = case.referral
    except ObjectDoesNotExist:
        return ""
    return str(referral.reasons or "").strip()


def report_sign_off_problems(
    report: FormulationReport,
    *,
    recommendations: list[Recommendation] | None = None,
    judged: dict[int, SequencingResult] | None = None,
) -> dict[str, str]:
    """What stops a version being signed off, keyed by the field (or recommendation) to fix.

    A page that has already read the recommendations and judged their stages passes them in.
    """
    problems: dict[str, str] = {}
    for name, heading, _ in REPORT_SECTIONS:
        if not getattr(report, name).strip():
            problems[name] = f"Write the section “{heading}”"
    if report.trm_stage is None:
        problems["trm_stage"] = "Choose the child's TRM stage"
    if recommendations is None:
        recommendations = list(report.recommendations.order_by("position", "pk"))
    if not recommendations:
        problems["recommendations"] = "Add at least one recommendation"
    judged = dict(judged or {})
    unjudged = {recommendation.suits_from_stage for recommendation in recommendations} - set(judged)
    judged.update(sequencing_for_stages(case=report.case, stages=unjudged))
    for recommendation in recommendations:
        result = judged[recommendation.suits_from_stage]
        if not result.suits and not recommendation.justification.strip():
            problems[f"recommendation-{recommendation.pk}"] = (
                f"Give a justification for “{_shorten(recommendation.text)}”: {result.warning}"
            )
    return problems


def report_sign_off_warnings(report: FormulationReport) -> list[str]:
    """What a reviewer confirms they have weighed before signing off (it does not stop the sign-off):
    review comments not resolved, and no formulation meeting held on the case."""
    warnings = []
    unresolved = report.comments.filter(resolved_at__isnull=True).count()
    if unresolved:
        warnings.append(
            f"{unresolved} review comment{'' if unresolved == 1 else 's'} "
            f"{'is' if unresolved == 1 else 'are'} not resolved"
        )
    if held_formulation_meeting(report.case) is None:
        warnings.append("No formulation meeting has been held on this case")
    return warnings


def report_reviewers(report: FormulationReport) -> list[Any]:
    """Who is told a version waits for their sign-off: the case's own clinicians (psychologist, senior
    practitioner) who may review it, or, when neither may, every covering clinician who may. Never the author."""
    case = report.case
    allocated = [person for person in (case.senior_practitioner, case.psychologist) if person is not None]
    for candidates in (allocated, [viewer.person for viewer in access.who_can_see(case)]):
        reviewers = [
            person
            for person in candidates
            if person.pk != report.author_id and person.is_active and access.may(person, Action.REVIEW_REPORT, case)
        ]
        if reviewers:
            return reviewers
    return []


def _shorten(text: str, length: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= length else text[: length - 1].rstrip() + "…"


def intervention_types() -> QuerySet[InterventionType]:
    """The intervention catalogue of the current TRM version, lowest stage first."""
    return InterventionType.objects.filter(version=current_version()).order_by("lowest_stage", "name")


def stage_names() -> dict[int, str]:
    return dict(trm_reference().stage_names)


def report_section_facts(user: Any, case: Case, caps: Any) -> dict[str, Any]:
    """The report section's facts on the case's row (cases.sections): how many actions are open."""
    return compiled_facts(_report_section_facts) if caps.full_record else {}


def _report_section_facts() -> dict[str, Any]:
    return {"open_action_count": count_of(Recommendation.objects.filter(_is_open_action(), case=OuterRef("pk")))}


def report_section_context(
    user: Any, case: Case, caps: Any, facts: Mapping[str, Any] | None = None
) -> dict[str, Any] | None:
    """The formulation report part of the case page: for the full record only, on formulation cases
    (or any case that has a report). None leaves the section out for this person."""
    if not caps.full_record:
        return None
    reports = list(
        FormulationReport.objects.filter(case=case).select_related("author", "signed_off_by").order_by("-version")[:2]
    )
    if case.kind != CaseKind.FORMULATION and not reports:
        return None
    if facts is None:
        facts = facts_of(case, report_section_facts(user, case, caps))
    signed_off = next((report for report in reports if report.is_locked), None)
    being_written = next((report for report in reports if not report.is_locked), None)
    return {
        "signed_off": signed_off,
        "being_written": being_written,
        "caps": case_report_capabilities(user, case, being_written=being_written, case_caps=caps),
        "open_action_count": facts["open_action_count"],
        "mismatches": sequencing_mismatches(case=case),
    }


def recorded_stage(case: Case) -> Any:
    """The child's latest stage assessment (for the editor's hint), or None."""
    return latest_assessment(case)
