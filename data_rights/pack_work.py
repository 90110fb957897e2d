"""The sections of the subject access pack about the work done with the child: meetings, formulation reports,
TRM stage assessments, THRIVE groupings, goals, reviews, actions and the documents made (data_rights/pack.py
gathers them)."""

from __future__ import annotations

from typing import Any

from data_rights.pack_values import pack_day, pack_moment, pack_person
from formulation.models import REPORT_SECTIONS, FormulationReport, Meeting, Recommendation, ReportDocument
from reviews.models import Review, ReviewDocument
from trm_stages.models import Goal, StageAssessment, ThriveGrouping


def meetings_section(case_ids: list[int]) -> list[dict[str, Any]]:
    meetings = (
        Meeting.objects.filter(case_id__in=case_ids)
        .select_related("organiser")
        .prefetch_related("invitations__agency")
        .order_by("starts_at", "pk")
    )
    return [
        {
            "id": meeting.pk,
            "case_id": meeting.case_id,
            "purpose": meeting.get_purpose_display(),
            "status": meeting.get_status_display(),
            "starts_at": pack_moment(meeting.starts_at),
            "ends_at": pack_moment(meeting.ends_at),
            "location": meeting.location,
            "video_link": meeting.video_link,
            "organiser": pack_person(meeting.organiser),
            "notes": meeting.notes,
            "cancel_reason": meeting.cancel_reason,
            "invitations": [
                {
                    "name": invitation.name,
                    "role": invitation.role,
                    "agency": invitation.agency_display,
                    "attendance": invitation.get_attendance_display(),
                    "withdrawn": invitation.removed_at is not None,
                }
                for invitation in meeting.invitations.all()
            ],
        }
        for meeting in meetings
    ]


def reports_section(case_ids: list[int]) -> list[dict[str, Any]]:
    reports = (
        FormulationReport.objects.filter(case_id__in=case_ids)
        .select_related("author", "signed_off_by")
        .prefetch_related("comments__author")
        .order_by("case_id", "version")
    )
    return [
        {
            "id": report.pk,
            "case_id": report.case_id,
            "version": report.version,
            "status": report.get_status_display(),
            "author": pack_person(report.author),
            "created_at": pack_moment(report.created_at),
            "signed_off_at": pack_moment(report.signed_off_at),
            "signed_off_by": pack_person(report.signed_off_by),
            "trm_stage": report.trm_stage,
            "content": [
                {"field": field, "heading": heading, "text": getattr(report, field)}
                for field, heading, _ in REPORT_SECTIONS
            ],
            "child_friendly_summary": report.child_friendly_summary,
            "comments": [
                {
                    "id": comment.pk,
                    "section": comment.section,
                    "text": comment.text,
                    "author": pack_person(comment.author),
                    "created_at": pack_moment(comment.created_at),
                }
                for comment in report.comments.all()
            ],
        }
        for report in reports
    ]


def stage_assessments_section(case_ids: list[int]) -> list[dict[str, Any]]:
    assessments = (
        StageAssessment.objects.filter(case_id__in=case_ids)
        .select_related("stage", "assessor")
        .prefetch_related("thresholds_crossed")
        .order_by("assessed_on", "recorded_at", "pk")
    )
    return [
        {
            "id": assessment.pk,
            "case_id": assessment.case_id,
            "assessed_on": pack_day(assessment.assessed_on),
            "stage": assessment.stage.number,
            "stage_name": assessment.stage.name,
            "thresholds_crossed": [threshold.name for threshold in assessment.thresholds_crossed.all()],
            "indicators": list(assessment.indicators),
            "evidence": assessment.evidence,
            "source": assessment.get_source_display(),
            "assessor": pack_person(assessment.assessor),
            "move_back_note": assessment.move_back_note,
            "recorded_at": pack_moment(assessment.recorded_at),
        }
        for assessment in assessments
    ]


def thrive_groupings_section(case_ids: list[int]) -> list[dict[str, Any]]:
    groupings = (
        ThriveGrouping.objects.filter(case_id__in=case_ids)
        .select_related("recorded_by")
        .order_by("applies_from", "recorded_at", "pk")
    )
    return [
        {
            "id": grouping.pk,
            "case_id": grouping.case_id,
            "grouping": grouping.get_grouping_display(),
            "applies_from": pack_day(grouping.applies_from),
            "reason": grouping.reason,
            "recorded_by": pack_person(grouping.recorded_by),
            "recorded_at": pack_moment(grouping.recorded_at),
        }
        for grouping in groupings
    ]


def goals_section(case_ids: list[int]) -> list[dict[str, Any]]:
    goals = Goal.objects.filter(case_id__in=case_ids).prefetch_related("ratings").order_by("set_on", "pk")
    return [
        {
            "id": goal.pk,
            "case_id": goal.case_id,
            "text": goal.text,
            "set_by": goal.set_by,
            "set_on": pack_day(goal.set_on),
            "status": goal.get_status_display(),
            "closed_on": pack_day(goal.closed_on),
            "closing_note": goal.closing_note,
            "ratings": [
                {
                    "id": rating.pk,
                    "rated_on": pack_day(rating.rated_on),
                    "score": rating.score,
                    "context": rating.get_context_display(),
                    "note": rating.note,
                }
                for rating in goal.ratings.all()
            ],
        }
        for goal in goals
    ]


def reviews_section(case_ids: list[int]) -> list[dict[str, Any]]:
    reviews = (
        Review.objects.filter(case_id__in=case_ids)
        .select_related("meeting", "chair", "signed_off_by")
        .order_by("meeting__starts_at", "pk")
    )
    return [
        {
            "id": review.pk,
            "case_id": review.case_id,
            "status": review.get_status_display(),
            "held_on": pack_day(review.held_on),
            "chair": pack_person(review.chair),
            "childs_views": review.childs_views,
            "next_review_on": pack_day(review.next_review_on),
            "attendance": [
                {key: str(line.get(key, "")) for key in ("name", "role", "agency", "attendance")}
                for line in review.attendance_record
            ],
            "signed_off_at": pack_moment(review.signed_off_at),
            "signed_off_by": pack_person(review.signed_off_by),
        }
        for review in reviews
    ]


def actions_section(case_ids: list[int]) -> list[dict[str, Any]]:
    actions = (
        Recommendation.objects.filter(case_id__in=case_ids)
        .select_related("report", "owner", "owner_agency", "added_at_review")
        .prefetch_related("progress__author")
        .order_by("case_id", "created_at", "pk")
    )
    rows = []
    for action in actions:
        added = getattr(action, "added_at_review", None)
        rows.append(
            {
                "id": action.pk,
                "case_id": action.case_id,
                "report_version": action.report.version if action.report else None,
                "added_at_review": added.review_id if added is not None else None,
                "text": action.text,
                "suits_from_stage": action.suits_from_stage,
                "justification": action.justification,
                "sequencing_warning": action.sequencing_warning,
                "owner": pack_person(action.owner) or action.owner_name,
                "owner_agency": action.owner_agency.name if action.owner_agency else action.owner_agency_name,
                "due_on": pack_day(action.due_on),
                "status": action.get_status_display(),
                "progress": [
                    {
                        "id": progress.pk,
                        "noted_on": pack_day(progress.noted_on),
                        "status": progress.get_status_display(),
                        "note": progress.note,
                        "author": pack_person(progress.author),
                    }
                    for progress in sorted(action.progress.all(), key=lambda note: (note.noted_on, note.pk))
                ],
            }
        )
    return rows


def documents_section(case_ids: list[int]) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for document in ReportDocument.objects.filter(report__case_id__in=case_ids).select_related("report"):
        rows.append(
            {
                "id": f"report-{document.pk}",
                "case_id": document.report.case_id,
                "title": f"{document.get_kind_display()} of formulation report version {document.report.version} (PDF)",
                **_document_state(document),
            }
        )
    for record in ReviewDocument.objects.filter(review__case_id__in=case_ids).select_related("review__meeting"):
        rows.append(
            {
                "id": f"review-{record.pk}",
                "case_id": record.review.case_id,
                "title": f"Record of the review of {record.review.held_on.day} {record.review.held_on:%B %Y} (PDF)",
                **_document_state(record),
            }
        )
    return sorted(rows, key=lambda row: (row["requested_at"] or "", row["id"]))


def _document_state(document: Any) -> dict[str, Any]:
    return {
        "status": document.get_status_display(),
        "pages": document.pages,
        "checksum": document.checksum,
        "requested_at": pack_moment(document.requested_at),
        "finished_at": pack_moment(document.finished_at),
    }
