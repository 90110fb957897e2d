"""Formulation reports: start (and re-formulate), save with conflict detection, review, sign off.

Concurrency: every save names the `revision` it was edited from and, per part, the text the
editor's box started from; the row is locked and the save merges three-way per part
(`merge_sections`): a part only one side changed keeps that side's text, so a stale copy of a part
never overwrites someone else's edit; a part both changed raises `ReportConflict` with the saved
version and nothing is saved, so two editors never overwrite each other silently.

Workflow: draft -> in review (the author submits; reviewers comment, the author answers, resolves
and keeps editing) -> signed off by a reviewer who is not the author. A signed-off version is
locked: every write here refuses it. Re-formulation starts version N+1 from the last signed-off one.
The sequencing rule ("the right thing at the right time") is trm_stages' `sequencing_for_case`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from accounts.history import acting_as
from accounts.models import User
from cases.models import Case, CaseEventKind, CaseKind
from cases.services import case_event_add, ensure_open
from core.handoffs import HandoffKind, hand_off
from formulation.capabilities import resolves_comment
from formulation.models import (
    COMMENT_PLACES,
    OPEN_ACTION_STATUSES,
    OPEN_STATUSES,
    REPORT_SECTION_FIELDS,
    ActionStatus,
    FormulationReport,
    Recommendation,
    ReportComment,
    ReportStatus,
)
from formulation.selectors import (
    held_formulation_meeting,
    referral_reasons,
    report_reviewers,
    report_sign_off_problems,
    report_sign_off_warnings,
)
from trm_stages.selectors import latest_assessment, sequencing_for_case

# What the structured editor saves: every section, the child-friendly summary and the stage.
EDITABLE_FIELDS = frozenset([*REPORT_SECTION_FIELDS, "child_friendly_summary", "trm_stage"])


LOCKED_MESSAGE = "This version of the report has been signed off: it is locked and can no longer be changed."


class ReportConflict(Exception):
    """A save that met someone else's save of the same part. `current` is the saved version,
    `fields` the parts both sides changed (in the editor's order), `merged` what the editor should
    hold now: the other side's text where only they changed a part, the typed text elsewhere."""

    def __init__(
        self, current: FormulationReport, fields: list[str] | None = None, merged: dict[str, Any] | None = None
    ) -> None:
        super().__init__("This report has been saved by someone else since you opened it.")
        self.current = current
        self.fields = fields if fields is not None else []
        self.merged = merged if merged is not None else {}


_UNKNOWN = object()


def _same(one: Any, other: Any) -> bool:
    """Equal, reading Windows and Unix line endings alike (a textarea posts \\r\\n)."""
    if isinstance(one, str) and isinstance(other, str):
        return one.replace("\r\n", "\n") == other.replace("\r\n", "\n")
    return bool(one == other)


@dataclass(frozen=True)
class SectionMerge:
    """A three-way merge of the editor's parts: `fields` to save, `conflicts` both sides changed."""

    fields: dict[str, Any]
    conflicts: list[str]


def merge_sections(*, base: dict[str, Any], mine: dict[str, Any], theirs: dict[str, Any]) -> SectionMerge:
    """Merge per part: `base` is the text each box started from, `mine` what is in it now, `theirs`
    what is saved now. A part only one side changed takes that side's text, so a stale copy of a
    part this side never touched never goes over the other's edit; a part both changed to different
    text is a conflict (and keeps `mine` in `fields`, for the person to compare). A part with no
    known base is a conflict whenever the two differ."""
    fields: dict[str, Any] = {}
    conflicts: list[str] = []
    for name, typed in mine.items():
        saved = theirs[name]
        started = base.get(name, _UNKNOWN)
        if _same(typed, saved):
            fields[name] = typed
        elif started is not _UNKNOWN and _same(typed, started):
            fields[name] = saved  # only they changed it
        elif started is not _UNKNOWN and _same(saved, started):
            fields[name] = typed  # only this side changed it
        else:
            fields[name] = typed
            conflicts.append(name)
    order = [*REPORT_SECTION_FIELDS, "trm_stage", "child_friendly_summary"]
    return SectionMerge(fields=fields, conflicts=sorted(conflicts, key=order.index))


def _report_link(report: FormulationReport) -> str:
    return reverse("formulation:report_detail", args=[report.case_id, report.pk])


def _versions_link(case: Case) -> str:
    return reverse("formulation:report_list", args=[case.pk])


def _require_open(report: FormulationReport) -> None:
    """The version may be written: its case is open (closed means read-only) and it is not signed off."""
    ensure_open(report.case_id)
    if report.is_locked:
        raise ValidationError({NON_FIELD_ERRORS: LOCKED_MESSAGE})


def _locked_row(report: FormulationReport) -> FormulationReport:
    return FormulationReport.objects.select_for_update().select_related("case").get(pk=report.pk)


def _writable_row(report: FormulationReport) -> FormulationReport:
    """The version, locked, once its case is open (closed means read-only) and the version is not signed off."""
    locked = _locked_row(report)
    _require_open(locked)
    return locked


@transaction.atomic
def report_start(*, case: Case, actor: User) -> FormulationReport:
    """Start the case's formulation report: version 1 prefilled from the referral and the child's
    stage, or (re-formulation) version N+1 from the last signed-off version with its open recommendations."""
    case = Case.objects.select_for_update().get(pk=case.pk)
    ensure_open(case)
    if case.kind != CaseKind.FORMULATION:
        raise ValidationError({NON_FIELD_ERRORS: "This case is for consultation only: it has no formulation report"})
    reports = FormulationReport.objects.filter(case=case)
    still_open = reports.filter(status__in=OPEN_STATUSES).first()
    if still_open is not None:
        raise ValidationError(
            {NON_FIELD_ERRORS: f"Version {still_open.version} is still being written: finish it before another"}
        )
    last = reports.filter(status=ReportStatus.SIGNED_OFF).order_by("-version").first()
    current = latest_assessment(case)
    with acting_as(actor):
        report = FormulationReport(
            case=case,
            version=(last.version + 1) if last else 1,
            based_on=last,
            meeting=held_formulation_meeting(case),
            author=actor,
            updated_by=actor,
        )
        if last is not None:
            for name in REPORT_SECTION_FIELDS:
                setattr(report, name, getattr(last, name))
            report.child_friendly_summary = last.child_friendly_summary
            report.trm_stage = current.stage.number if current else last.trm_stage
        else:
            report.reason_for_referral = referral_reasons(case)
            report.trm_stage = current.stage.number if current else None
        report.full_clean()
        report.save()
        carried = _carry_open_recommendations(last=last, report=report) if last else 0
        if last is None:
            summary = f"Formulation report started by {actor.get_full_name()}"
        else:
            carried_text = f", {_count(carried, 'open recommendation')} carried over" if carried else ""
            summary = (
                f"Re-formulation started by {actor.get_full_name()}: version {report.version} "
                f"of the formulation report, from version {last.version}{carried_text}"
            )
        case_event_add(
            case=case, kind=CaseEventKind.FORMULATION, summary=summary, actor=actor, link=_versions_link(case)
        )
    return report


def _carry_open_recommendations(*, last: FormulationReport, report: FormulationReport) -> int:
    """Copy the last version's open recommendations into the new version as new rows (the old rows
    stay with the version they belong to). The warning is judged again against today's stage."""
    carried = 0
    for old in last.recommendations.filter(status__in=OPEN_ACTION_STATUSES).order_by("position", "pk"):
        result = sequencing_for_case(case=report.case, suits_from_stage=old.suits_from_stage)
        copy = Recommendation(
            report=report,
            case=report.case,
            position=old.position,
            text=old.text,
            intervention_type=old.intervention_type,
            suits_from_stage=old.suits_from_stage,
            justification=old.justification,
            sequencing_warning="" if result.suits else result.warning,
            owner=old.owner,
            owner_name=old.owner_name,
            owner_agency=old.owner_agency,
            owner_agency_name=old.owner_agency_name,
            due_on=old.due_on,
            status=old.status,
        )
        copy.full_clean()
        copy.save()
        carried += 1
    return carried


def _field_errors(fields: dict[str, Any]) -> dict[str, str]:
    unknown = set(fields) - EDITABLE_FIELDS
    if unknown:
        raise TypeError(f"Not fields of the report editor: {sorted(unknown)}")
    stage = fields.get("trm_stage")
    if stage is not None and not 1 <= int(stage) <= 6:
        return {"trm_stage": "Choose a stage from 1 to 6"}
    return {}


def _fields_at(report: FormulationReport, revision: int, names: list[str]) -> dict[str, Any]:
    """The parts as they were at `revision` (from the report's history), or {} when unknown."""
    if revision == report.revision:
        return {name: getattr(report, name) for name in names}
    then = report.history.filter(revision=revision).order_by("-pgh_id").first()  # type: ignore[attr-defined]
    return {name: getattr(then, name) for name in names} if then is not None else {}


@transaction.atomic
def report_save(
    *, report: FormulationReport, actor: User, revision: int, base: dict[str, Any] | None = None, **fields: Any
) -> FormulationReport:
    """Save the editor's fields, edited from `revision`, merging per part with what is saved now.

    `base` is, per part, the text the editor's box started from (the editor sends it; without it,
    the parts as they were at `revision`). A part only one side changed keeps that side's text: a
    stale copy of a part this editor never touched never overwrites someone else's edit. A part
    both sides changed raises ReportConflict (nothing saved) with the saved version and the parts
    to compare. Saving what is already saved changes nothing (the revision stays). ValidationError
    when the version has been signed off meanwhile.
    """
    errors = _field_errors(fields)
    if errors:
        raise ValidationError(errors)
    if base is not None and set(base) - EDITABLE_FIELDS:
        raise TypeError(f"Not fields of the report editor: {sorted(set(base) - EDITABLE_FIELDS)}")
    current = FormulationReport.objects.select_for_update().get(pk=report.pk)
    _require_open(current)
    names = list(fields)
    started = {**_fields_at(current, revision, names), **(base or {})}
    merge = merge_sections(base=started, mine=fields, theirs={name: getattr(current, name) for name in names})
    if merge.conflicts:
        saved = FormulationReport.objects.select_related("updated_by").get(pk=report.pk)
        raise ReportConflict(saved, fields=merge.conflicts, merged=merge.fields)
    if all(_same(getattr(current, name), value) for name, value in merge.fields.items()):
        return current  # nothing changed: the revision stays
    with acting_as(actor):
        FormulationReport.objects.filter(pk=report.pk).update(
            **merge.fields, revision=F("revision") + 1, updated_at=timezone.now(), updated_by=actor
        )
    return FormulationReport.objects.select_related("updated_by").get(pk=report.pk)


def conflicting_fields(*, saved: FormulationReport, typed: dict[str, Any]) -> list[str]:
    """The editor's fields where what was typed differs from the saved version, in the editor's order."""
    order = [*REPORT_SECTION_FIELDS, "trm_stage", "child_friendly_summary"]
    return [name for name in order if name in typed and getattr(saved, name) != typed[name]]


@transaction.atomic
def report_submit(*, report: FormulationReport, actor: User) -> FormulationReport:
    """Send a draft for review by a senior practitioner or a second psychologist."""
    report = _writable_row(report)
    if report.status != ReportStatus.DRAFT:
        raise ValidationError({NON_FIELD_ERRORS: "This version is already in review"})
    with acting_as(actor):
        report.status = ReportStatus.IN_REVIEW
        report.submitted_for_review_at = timezone.now()
        report.save(update_fields=["status", "submitted_for_review_at", "updated_at"])
        case_event_add(
            case=report.case,
            kind=CaseEventKind.FORMULATION,
            summary=f"Formulation report version {report.version} sent for review by {actor.get_full_name()}",
            actor=actor,
            link=_versions_link(report.case),
        )
        hand_off(
            kind=HandoffKind.REPORT_TO_SIGN_OFF,
            subject_type="formulation_report",
            subject_id=report.pk,
            case_id=report.case_id,
            recipients=report_reviewers(report),
            actor=actor,
        )
    return report


@transaction.atomic
def report_comment_add(*, report: FormulationReport, actor: User, text: str, section: str = "") -> ReportComment:
    """A reviewer's comment on a section (or on the whole report), or the author's answer to one."""
    report = _writable_row(report)
    errors: dict[str, str] = {}
    if report.status != ReportStatus.IN_REVIEW:
        errors[NON_FIELD_ERRORS] = "Comments are made while the report is in review: submit it for review first"
    if section and section not in COMMENT_PLACES:
        errors["section"] = "Choose a section of the report, or the report as a whole"
    if not text.strip():
        errors["text"] = "Enter your comment"
    if errors:
        raise ValidationError(errors)
    with acting_as(actor):
        comment = ReportComment(report=report, section=section, text=text.strip(), author=actor)
        comment.full_clean()
        comment.save()
    return comment


@transaction.atomic
def report_comment_resolve(*, comment: ReportComment, actor: User) -> ReportComment:
    """Mark a comment as dealt with: the report's author, or the reviewer who made it."""
    comment = ReportComment.objects.select_for_update().select_related("report").get(pk=comment.pk)
    _require_open(comment.report)
    if not resolves_comment(actor, comment, comment.report):
        raise ValidationError({NON_FIELD_ERRORS: "Only the report's author or the comment's author can resolve it"})
    if comment.resolved_at is not None:
        raise ValidationError({NON_FIELD_ERRORS: "This comment is already resolved"})
    with acting_as(actor):
        comment.resolved_at = timezone.now()
        comment.save(update_fields=["resolved_at"])
    return comment


@transaction.atomic
def report_send_back(*, report: FormulationReport, actor: User, reason: str) -> FormulationReport:
    """A reviewer sends a version in review back to its author to change: it is a draft again, the
    reason is kept as a comment on the whole report, and the author is told."""
    report = _writable_row(report)
    reason = reason.strip()
    if report.status != ReportStatus.IN_REVIEW:
        raise ValidationError({NON_FIELD_ERRORS: "Only a version in review is sent back to its author"})
    if actor.pk == report.author_id:
        raise ValidationError({NON_FIELD_ERRORS: "You wrote this report: keep editing it instead"})
    if not reason:
        raise ValidationError({"reason": "Enter what the author needs to change"})
    with acting_as(actor):
        comment = ReportComment(report=report, section="", text=reason, author=actor)
        comment.full_clean()
        comment.save()
        report.status = ReportStatus.DRAFT
        report.save(update_fields=["status", "updated_at"])
        case_event_add(
            case=report.case,
            kind=CaseEventKind.FORMULATION,
            summary=f"Formulation report version {report.version} sent back to its author by {actor.get_full_name()}",
            actor=actor,
            link=_report_link(report),
        )
        hand_off(
            kind=HandoffKind.REPORT_SENT_BACK,
            subject_type="formulation_report",
            subject_id=report.pk,
            case_id=report.case_id,
            recipients=[report.author],
            actor=actor,
        )
    return report


def _count(number: int, thing: str) -> str:
    return f"{number} {thing}{'' if number == 1 else 's'}"


@transaction.atomic
def report_sign_off(
    *, report: FormulationReport, actor: User, revision: int | None = None, confirmed: bool = False
) -> FormulationReport:
    """Sign off a version in review: it is locked, dated and signed, its recommendations become
    actions, and its PDFs are asked for once this commits. Its author and the case holder are told,
    and each owner of a new action (unless the author gave it to themselves).

    `revision` is the version the reviewer read: if the author saved since, nothing is signed off.
    With review comments not resolved, or no formulation meeting held, the reviewer must have
    `confirmed` they sign off all the same (report_sign_off_warnings).
    On a re-formulation the earlier versions' actions still open are closed: the new version carries them.
    """
    report = _writable_row(report)
    if report.status != ReportStatus.IN_REVIEW:
        raise ValidationError({NON_FIELD_ERRORS: "Submit the report for review before it is signed off"})
    if actor.pk == report.author_id:
        raise ValidationError(
            {NON_FIELD_ERRORS: "You wrote this report: a senior practitioner or another psychologist signs it off"}
        )
    if revision is not None and revision != report.revision:
        raise ValidationError(
            {NON_FIELD_ERRORS: "The report has been changed since you opened this page: read it again, then sign off"}
        )
    problems = report_sign_off_problems(report)
    if problems:
        raise ValidationError(problems)
    warnings = report_sign_off_warnings(report)
    if warnings and not confirmed:
        raise ValidationError(
            {"confirmed": f"{'. '.join(warnings)}. Confirm that you sign this version off all the same, or go back"}
        )
    # Owners who already own the same action of an earlier version are not told of its copy in this one.
    carried = set(
        Recommendation.objects.filter(
            case=report.case,
            report__version__lt=report.version,
            became_action_at__isnull=False,
            status__in=OPEN_ACTION_STATUSES,
        ).values_list("owner_id", "text")
    )
    now = timezone.now()
    with acting_as(actor):
        report.status = ReportStatus.SIGNED_OFF
        report.signed_off_at = now
        report.signed_off_by = actor
        report.revision += 1
        report.save(update_fields=["status", "signed_off_at", "signed_off_by", "revision", "updated_at"])
        actions = Recommendation.objects.filter(report=report).update(became_action_at=now)
        superseded = Recommendation.objects.filter(
            case=report.case,
            report__version__lt=report.version,
            became_action_at__isnull=False,
            status__in=OPEN_ACTION_STATUSES,
        ).update(status=ActionStatus.NO_LONGER_NEEDED)
        case_event_add(
            case=report.case,
            kind=CaseEventKind.FORMULATION,
            summary=f"Formulation report version {report.version} signed off by {actor.get_full_name()}",
            actor=actor,
            link=_report_link(report),
            occurred_at=now,
        )
        became = (
            f"1 recommendation of version {report.version} became an action"
            if actions == 1
            else f"{actions} recommendations of version {report.version} became actions"
        )
        if superseded:
            became += f"; {_count(superseded, 'open action')} of earlier versions carried into it"
        case_event_add(
            case=report.case,
            kind=CaseEventKind.ACTION,
            summary=became,
            actor=actor,
            link=_report_link(report) + "#recommendations",
            occurred_at=now,
        )
        hand_off(
            kind=HandoffKind.REPORT_SIGNED_OFF,
            subject_type="formulation_report",
            subject_id=report.pk,
            case_id=report.case_id,
            recipients=[report.author, report.case.case_holder],
            actor=actor,
        )
        for action in Recommendation.objects.filter(report=report, owner__isnull=False).select_related("owner"):
            if action.owner_id != report.author_id and (action.owner_id, action.text) not in carried:
                hand_off(
                    kind=HandoffKind.ACTION_ASSIGNED,
                    subject_type="action",
                    subject_id=action.pk,
                    case_id=report.case_id,
                    recipients=[action.owner],
                    actor=actor,
                )
    signed = report
    transaction.on_commit(lambda: _request_documents(signed), robust=True)
    return report


def _request_documents(report: FormulationReport) -> None:
    """Ask for the signed-off version's PDFs (formulation/documents.py makes them in a Celery job)."""
    from formulation.documents import report_documents_request

    report_documents_request(report=report)
