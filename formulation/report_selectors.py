"""Reads of formulation reports. Every one starts from the access module.

Who reads what (DESIGN.md, "formulation report"): the case's full-record readers (the owning YJS's
case managers, the covering clinicians) read signed-off versions ("view"); versions still being
written need "read_report_drafts" (the covering clinicians). The network sees only the signed-off
summary, as a PDF (formulation/documents.py): these pages answer them 403.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404

from accounts.audit import access_event_record
from accounts.models import AccessAction, Agency, Membership, User
from cases import access
from cases.models import Case, CaseKind, CaseStatus
from cases.selectors import network_of
from formulation.models import (
    REPORT_SECTIONS,
    FormulationReport,
    Recommendation,
    ReportComment,
    ReportStatus,
)
from formulation.reports import (
    COMMENT_PLACES,
    OPEN_ACTION_STATUSES,
    OPEN_STATUSES,
    SECTION_HEADINGS,
)
from trm_stages.models import InterventionType
from trm_stages.selectors import current_stage_number, current_version, latest_assessment, sequencing_for_stages
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


# --- Fetching one version ---------------------------------------------------------------------------


def report_for(*, user: Any, case_id: int, report_id: int, log_as: str = AccessAction.VIEW) -> FormulationReport:
    """One version for reading: 404 unless the case is visible, 403 unless the person reads the full
    record, and 403 for a version not yet signed off unless they may read drafts. Logged as a read
    of the report (refusals too)."""
    case = access.get_case_for(user, case_id, "view", log=False)
    report = get_object_or_404(
        FormulationReport.objects.select_related("author", "signed_off_by", "updated_by", "meeting", "based_on"),
        case=case,
        pk=report_id,
    )
    needed = "view" if report.is_locked else "read_report_drafts"
    if not access.may(user, needed, case):
        _log(user, AccessAction.DENIED, report, f"{needed}: forbidden")
        raise PermissionDenied("You may not read this version of the report before it is signed off.")
    _log(user, log_as, report, f"version {report.version}")
    report.case = case
    return report


def report_to_act_on(*, user: Any, case_id: int, report_id: int, action: str, log: bool = True) -> FormulationReport:
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


# --- Versions ---------------------------------------------------------------------------------------


def reports_for(*, user: Any, case: Case) -> QuerySet[FormulationReport]:
    """The versions this person may read, newest first: all for draft readers, signed-off ones for the rest."""
    reports = FormulationReport.objects.filter(case=case)
    if not access.may(user, "read_report_drafts", case):
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


# --- One version's page -----------------------------------------------------------------------------


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
    return Recommendation.objects.filter(
        Q(report__isnull=True) | Q(became_action_at__isnull=False), case=case, status__in=OPEN_ACTION_STATUSES
    )


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


# --- What changed between two versions --------------------------------------------------------------

_WORD = re.compile(r"(\S+)(\s*)")


@dataclass(frozen=True)
class DiffPart:
    kind: str  # "same", "added" or "removed"
    text: str


def word_diff(old: str, new: str) -> list[DiffPart]:
    """Word-level differences from `old` to `new` (difflib), keeping the new text's spacing and lines."""
    old_words = [(match.group(1), match.group(2)) for match in _WORD.finditer(old.strip())]
    new_words = [(match.group(1), match.group(2)) for match in _WORD.finditer(new.strip())]
    matcher = difflib.SequenceMatcher(
        a=[word for word, _ in old_words], b=[word for word, _ in new_words], autojunk=False
    )
    parts: list[DiffPart] = []

    def add(kind: str, words: list[tuple[str, str]]) -> None:
        text = "".join(word + space for word, space in words)
        if not text:
            return
        if parts and parts[-1].kind == kind:
            parts[-1] = DiffPart(kind, parts[-1].text + text)
        else:
            parts.append(DiffPart(kind, text))

    for operation, old_start, old_end, new_start, new_end in matcher.get_opcodes():
        if operation == "equal":
            add("same", new_words[new_start:new_end])
            continue
        removed = old_words[old_start:old_end]
        if removed and new_end > new_start:
            # Keep a space between the removed words and the added ones that replace them.
            removed = [*removed[:-1], (removed[-1][0], removed[-1][1] or " ")]
        add("removed", removed)
        add("added", new_words[new_start:new_end])
    return _spaces_outside(parts)


def _spaces_outside(parts: list[DiffPart]) -> list[DiffPart]:
    """Move the spacing after added or removed words out of them, so no blank is underlined or struck."""
    tidy: list[DiffPart] = []
    for part in parts:
        words = part.text.rstrip() if part.kind != "same" else part.text
        spacing = part.text[len(words) :]
        for kind, text in ((part.kind, words), ("same", spacing)):
            if not text:
                continue
            if tidy and tidy[-1].kind == kind:
                tidy[-1] = DiffPart(kind, tidy[-1].text + text)
            else:
                tidy.append(DiffPart(kind, text))
    return tidy


@dataclass(frozen=True)
class SectionChange:
    name: str
    heading: str
    parts: list[DiffPart]

    @property
    def changed(self) -> bool:
        return any(part.kind != "same" for part in self.parts)


@dataclass(frozen=True)
class ReportChanges:
    older: FormulationReport
    newer: FormulationReport
    sections: list[SectionChange]
    added_recommendations: list[Recommendation]
    removed_recommendations: list[Recommendation]
    kept_recommendations: int

    @property
    def changed_sections(self) -> list[SectionChange]:
        return [section for section in self.sections if section.changed]

    @property
    def unchanged_headings(self) -> list[str]:
        return [section.heading for section in self.sections if not section.changed]


def _stage_words(stage: int | None, names: dict[int, str]) -> str:
    if stage is None:
        return "Not given"
    return f"Stage {stage}: {names.get(stage, '')}".rstrip(": ")


def report_changes(*, older: FormulationReport, newer: FormulationReport) -> ReportChanges:
    """What changed from one version to another, section by section, and which recommendations came and went."""
    names = {stage.number: stage.name for stage in current_version().stages.all()}
    headings = {**SECTION_HEADINGS, "trm_rationale": "Rationale for the TRM stage"}
    sections = [
        SectionChange(name=name, heading=headings[name], parts=word_diff(getattr(older, name), getattr(newer, name)))
        for name, _, _ in REPORT_SECTIONS
    ]
    sections.insert(
        len(sections) - 1,
        SectionChange(
            name="trm_stage",
            heading="TRM stage",
            parts=word_diff(_stage_words(older.trm_stage, names), _stage_words(newer.trm_stage, names)),
        ),
    )
    sections.append(
        SectionChange(
            name="child_friendly_summary",
            heading="Child-friendly summary",
            parts=word_diff(older.child_friendly_summary, newer.child_friendly_summary),
        )
    )
    recommendations = Recommendation.objects.filter(report__in=[older, newer]).order_by("position", "pk")
    old_texts: dict[str, Recommendation] = {}
    new_texts: dict[str, Recommendation] = {}
    for recommendation in recommendations:
        texts = old_texts if recommendation.report_id == older.pk else new_texts
        texts.setdefault(" ".join(recommendation.text.split()).lower(), recommendation)
    return ReportChanges(
        older=older,
        newer=newer,
        sections=sections,
        added_recommendations=[rec for text, rec in new_texts.items() if text not in old_texts],
        removed_recommendations=[rec for text, rec in old_texts.items() if text not in new_texts],
        kept_recommendations=sum(1 for text in new_texts if text in old_texts),
    )


def compare_versions(*, user: Any, older: FormulationReport, newer: FormulationReport) -> ReportChanges:
    """Two versions the person may read (from reports_for), compared; both reads are logged."""
    for report in (older, newer):
        _log(user, AccessAction.VIEW, report, f"version {report.version}, compared")
    return report_changes(older=older, newer=newer)


# --- Choices for the forms --------------------------------------------------------------------------


@dataclass(frozen=True)
class OwnerCandidate:
    """Someone who can own a recommendation: a member of the child's network, or of the case team."""

    key: str  # "member:<id>" or "user:<id>"
    label: str
    name: str
    user: User | None = None
    agency: Agency | None = None
    agency_name: str = ""


def owner_candidates(*, case: Case) -> list[OwnerCandidate]:
    """The network's current members, then the case holder and the case's clinicians (each person once)."""
    candidates: list[OwnerCandidate] = []
    member_users: set[int] = set()
    for member in network_of(case=case):
        if member.user_id:
            member_users.add(member.user_id)
        details = ", ".join(part for part in (member.role, member.agency_display) if part)
        candidates.append(
            OwnerCandidate(
                key=f"member:{member.pk}",
                label=f"{member.name} ({details})" if details else member.name,
                name=member.name,
                user=member.user,
                agency=member.agency,
                agency_name="" if member.agency_id else member.agency_name,
            )
        )
    team = [(case.case_holder_id, "Case holder"), (case.psychologist_id, "Psychologist")]
    team.append((case.senior_practitioner_id, "Senior practitioner"))
    ids = [pk for pk, _ in team if pk and pk not in member_users]
    people = {
        person.pk: person
        for person in User.objects.filter(pk__in=ids, is_active=True).prefetch_related(
            Prefetch(
                "memberships",
                queryset=Membership.objects.filter(is_active=True, agency__is_active=True)
                .select_related("agency")
                .order_by("created_at", "pk"),
                to_attr="current_memberships",
            )
        )
    }
    seen: set[int] = set()
    for pk, role in team:
        person = people.get(pk) if pk else None
        if person is None or person.pk in seen:
            continue
        seen.add(person.pk)
        memberships = getattr(person, "current_memberships", [])
        agency = memberships[0].agency if memberships else None
        details = ", ".join(part for part in (role, agency.name if agency else "") if part)
        candidates.append(
            OwnerCandidate(
                key=f"user:{person.pk}",
                label=f"{person.get_full_name()} ({details})",
                name=person.get_full_name(),
                user=person,
                agency=agency,
            )
        )
    return candidates


def intervention_types() -> QuerySet[InterventionType]:
    """The intervention catalogue of the current TRM version, lowest stage first."""
    return InterventionType.objects.filter(version=current_version()).order_by("lowest_stage", "name")


def stage_names() -> dict[int, str]:
    return {stage.number: stage.name for stage in current_version().stages.order_by("number")}


# --- The case page ----------------------------------------------------------------------------------


def report_section_context(user: Any, case: Case, overview: Any) -> dict[str, Any] | None:
    """The formulation report part of the case page: for the full record only, on formulation cases
    (or any case that has a report). None leaves the section out for this person."""
    if not overview.full_record:
        return None
    reports = list(
        FormulationReport.objects.filter(case=case).select_related("author", "signed_off_by").order_by("-version")[:2]
    )
    if case.kind != CaseKind.FORMULATION and not reports:
        return None
    signed_off = next((report for report in reports if report.is_locked), None)
    being_written = next((report for report in reports if not report.is_locked), None)
    may_write = case.status == CaseStatus.OPEN and access.may(user, "write_report", case)
    return {
        "signed_off": signed_off,
        "being_written": being_written,
        "may_read_drafts": access.may(user, "read_report_drafts", case),
        "may_start": may_write and being_written is None,
        "open_action_count": open_actions(case).count(),
        "mismatches": sequencing_mismatches(case=case),
    }


def recorded_stage(case: Case) -> Any:
    """The child's latest stage assessment (for the editor's hint), or None."""
    return latest_assessment(case)
