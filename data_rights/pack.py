"""Everything ECM holds about one child, gathered for a subject access request: the one place that reads it.

`subject_access_pack(child)` reads every record about the child, across every agency and every one of
their cases, one query per section, and returns the pack: a JSON-ready dict, structured by section
(data_rights/pack_schema.py), with ids and ISO dates, and a schema version.
Only rows reached from this child (their record, their referrals, their cases and what hangs off those
cases) are read, so nothing about another child can enter the pack except by being written in free text;
those names are listed in the "for redaction review" section (data_rights/redaction.py) for the person
handling the request to redact before it is sent.

Restricted contact notes are included and flagged (`restricted`), as are restricted chronology lines.
The access events are those about the child's cases, referrals and subject access requests, in plain words.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.db.models import Q
from django.utils import timezone

from accounts.audit_words import event_in_words
from accounts.models import AccessEvent
from cases.models import (
    Case,
    CaseEvent,
    CaseHolderChange,
    Child,
    Consultation,
    Contact,
    NetworkMember,
    Rectification,
    Visibility,
)
from data_rights.capabilities import RECORD_TYPE
from data_rights.models import SubjectAccessRequest
from data_rights.pack_schema import SCHEMA, SCHEMA_VERSION, SECTIONS
from data_rights.redaction import redaction_review
from formulation.models import REPORT_SECTIONS, FormulationReport, Meeting, Recommendation, ReportDocument
from referrals.models import ComplexNeed, Referral
from reviews.models import Review, ReviewDocument
from trm_stages.models import Goal, StageAssessment, ThriveGrouping


def _name(person: Any) -> str:
    if person is None:
        return ""
    return str(person.get_full_name() or person.username)


def _when(value: dt.datetime | None) -> str | None:
    return timezone.localtime(value).isoformat() if value is not None else None


def _day(value: dt.date | None) -> str | None:
    return value.isoformat() if value is not None else None


def _label(choices: Any, value: str) -> str:
    """A stored choice in words ("" stays "")."""
    return str(dict(choices.choices).get(value, value)) if value else ""


def subject_access_pack(
    child: Child, *, request: SubjectAccessRequest | None = None, now: dt.datetime | None = None
) -> dict[str, Any]:
    """Everything held about the child, by section (SECTIONS), ready for json.dumps."""
    cases = list(
        Case.objects.filter(child=child)
        .select_related("owning_yjs", "case_holder", "psychologist", "senior_practitioner", "closed_by")
        .order_by("opened_at", "pk")
    )
    case_ids = [case.pk for case in cases]
    referrals = list(
        Referral.objects.filter(child=child)
        .select_related("referring_yjs", "referrer", "consent_override_by", "decided_by")
        .order_by("created_at", "pk")
    )
    sections: dict[str, Any] = {
        "child": _child(child),
        "rectifications": _rectifications(child),
        "referrals": [_referral(referral) for referral in referrals],
        "cases": _cases(cases),
        "contacts": _contacts(case_ids),
        "consultations": _consultations(case_ids),
        "network": _network(case_ids),
        "meetings": _meetings(case_ids),
        "formulation_reports": _reports(case_ids),
        "stage_assessments": _stage_assessments(case_ids),
        "thrive_groupings": _thrive_groupings(case_ids),
        "goals": _goals(case_ids),
        "reviews": _reviews(case_ids),
        "actions": _actions(case_ids),
        "documents": _documents(case_ids),
        "chronology": _chronology(case_ids),
        "access_events": _access_events(child, case_ids, [referral.pk for referral in referrals]),
    }
    sections["redaction_review"] = redaction_review(child, sections)
    return {
        "schema": SCHEMA,
        "schema_version": SCHEMA_VERSION,
        "generated_at": _when(now or timezone.now()),
        "request": _request(request) if request is not None else None,
        "contents": [
            {
                "key": section.key,
                "title": section.title,
                "description": section.description,
                "fields": list(section.fields),
                "count": 1 if section.single else len(sections[section.key]),
            }
            for section in SECTIONS
        ],
        "restricted_contacts": sum(1 for contact in sections["contacts"] if contact["restricted"]),
        "sections": sections,
    }


def _request(request: SubjectAccessRequest) -> dict[str, Any]:
    return {
        "id": request.pk,
        "reference": request.reference,
        "requester": request.get_requester_display(),
        "requester_name": request.requester_name,
        "received_on": _day(request.received_on),
        "due_on": _day(request.due_on),
        "started_by": _name(request.created_by),
    }


def _child(child: Child) -> dict[str, Any]:
    return {
        "id": child.pk,
        "given_name": child.given_name,
        "family_name": child.family_name,
        "date_of_birth": _day(child.date_of_birth),
        "reference": child.reference,
        "gender": child.get_gender_display(),
        "ethnicity": child.get_ethnicity_display(),
        "looked_after": child.get_looked_after_display(),
        "legal_status": child.get_legal_status_display(),
        "address_area": child.address_area,
        "school": child.school,
        "created_at": _when(child.created_at),
    }


def _referral(referral: Referral) -> dict[str, Any]:
    return {
        "id": referral.pk,
        "case_id": referral.case_id,
        "status": referral.get_status_display(),
        "referring_service": referral.referring_yjs.name,
        "referrer": _name(referral.referrer),
        "created_at": _when(referral.created_at),
        "submitted_at": _when(referral.submitted_at),
        "urgency": referral.get_urgency_display(),
        "reasons": referral.reasons,
        "complex_needs": [_label(ComplexNeed, need) for need in referral.complex_needs],
        "current_risks": referral.current_risks,
        "agencies_involved": referral.agencies_involved,
        "tried_before": referral.tried_before,
        "child_consent": referral.get_child_consent_display(),
        "carer_consent": referral.get_carer_consent_display(),
        "consent_covers_sharing": referral.consent_covers_sharing,
        "consent_given_by": referral.consent_given_by,
        "consent_date": _day(referral.consent_date),
        "consent_override_reason": referral.consent_override_reason,
        "consent_override_by": _name(referral.consent_override_by),
        "consent_override_at": _when(referral.consent_override_at),
        "decision": referral.get_decision_display() if referral.decision else "",
        "decision_reason": referral.decision_reason,
        "signposting": referral.signposting,
        "decided_by": _name(referral.decided_by),
        "decided_at": _when(referral.decided_at),
    }


def _cases(cases: Sequence[Case]) -> list[dict[str, Any]]:
    changes: dict[int, list[dict[str, Any]]] = {case.pk: [] for case in cases}
    for change in (
        CaseHolderChange.objects.filter(case_id__in=list(changes))
        .select_related("previous_holder", "new_holder", "changed_by")
        .order_by("changed_at", "pk")
    ):
        changes[change.case_id].append(
            {
                "changed_at": _when(change.changed_at),
                "previous_holder": _name(change.previous_holder),
                "new_holder": _name(change.new_holder),
                "reason": change.reason,
                "changed_by": _name(change.changed_by),
            }
        )
    return [
        {
            "id": case.pk,
            "service": case.owning_yjs.name,
            "kind": case.get_kind_display(),
            "status": case.get_status_display(),
            "case_holder": _name(case.case_holder),
            "psychologist": _name(case.psychologist),
            "senior_practitioner": _name(case.senior_practitioner),
            "opened_at": _when(case.opened_at),
            "closed_at": _when(case.closed_at),
            "closed_by": _name(case.closed_by),
            "closure_reason": case.get_closure_reason_display() if case.closure_reason else "",
            "outcome_summary": case.outcome_summary,
            "ending_plan": case.ending_plan,
            "trm_stage": case.trm_stage,
            "final_trm_stage": case.final_trm_stage,
            "holder_changes": changes[case.pk],
        }
        for case in cases
    ]


def _rectifications(child: Child) -> list[dict[str, Any]]:
    corrections = (
        Rectification.objects.filter(child=child).select_related("corrected_by").order_by("corrected_at", "pk")
    )
    return [
        {
            "id": rectification.pk,
            "case_id": rectification.case_id,
            "changes": rectification.changes,
            "statement": rectification.statement,
            "corrected_by": _name(rectification.corrected_by),
            "corrected_at": _when(rectification.corrected_at),
        }
        for rectification in corrections
    ]


def _contacts(case_ids: list[int]) -> list[dict[str, Any]]:
    contacts = (
        Contact.objects.filter(case_id__in=case_ids)
        .select_related("recorded_by")
        .prefetch_related("corrections__recorded_by")
        .order_by("occurred_at", "pk")
    )
    return [
        {
            "id": contact.pk,
            "case_id": contact.case_id,
            "occurred_at": _when(contact.occurred_at),
            "kind": contact.get_kind_display(),
            "with_whom": contact.with_whom,
            "duration_minutes": contact.duration_minutes,
            "note": contact.note,
            "restricted": contact.restricted,
            "recorded_by": _name(contact.recorded_by),
            "recorded_at": _when(contact.recorded_at),
            "corrections": [
                {
                    "id": correction.pk,
                    "text": correction.text,
                    "reason": correction.reason,
                    "recorded_by": _name(correction.recorded_by),
                    "recorded_at": _when(correction.recorded_at),
                }
                for correction in contact.corrections.all()
            ],
        }
        for contact in contacts
    ]


def _consultations(case_ids: list[int]) -> list[dict[str, Any]]:
    consultations = (
        Consultation.objects.filter(case_id__in=case_ids).select_related("psychologist").order_by("held_on", "pk")
    )
    return [
        {
            "id": consultation.pk,
            "case_id": consultation.case_id,
            "held_on": _day(consultation.held_on),
            "attendees": consultation.attendees,
            "question": consultation.question,
            "advice": consultation.advice,
            "follow_up": consultation.follow_up,
            "minutes_spent": consultation.minutes_spent,
            "psychologist": _name(consultation.psychologist),
        }
        for consultation in consultations
    ]


def _network(case_ids: list[int]) -> list[dict[str, Any]]:
    members = (
        NetworkMember.objects.filter(case_id__in=case_ids)
        .select_related("agency", "added_by")
        .order_by("case_id", "added_at", "pk")
    )
    return [
        {
            "id": member.pk,
            "case_id": member.case_id,
            "name": member.name,
            "role": member.role,
            "agency": member.agency_display,
            "email": member.email,
            "phone": member.phone,
            "may_see_summary": member.may_see_summary,
            "added_by": _name(member.added_by),
            "added_at": _when(member.added_at),
            "removed_at": _when(member.removed_at),
        }
        for member in members
    ]


def _meetings(case_ids: list[int]) -> list[dict[str, Any]]:
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
            "starts_at": _when(meeting.starts_at),
            "ends_at": _when(meeting.ends_at),
            "location": meeting.location,
            "video_link": meeting.video_link,
            "organiser": _name(meeting.organiser),
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


def _reports(case_ids: list[int]) -> list[dict[str, Any]]:
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
            "author": _name(report.author),
            "created_at": _when(report.created_at),
            "signed_off_at": _when(report.signed_off_at),
            "signed_off_by": _name(report.signed_off_by),
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
                    "author": _name(comment.author),
                    "created_at": _when(comment.created_at),
                }
                for comment in report.comments.all()
            ],
        }
        for report in reports
    ]


def _stage_assessments(case_ids: list[int]) -> list[dict[str, Any]]:
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
            "assessed_on": _day(assessment.assessed_on),
            "stage": assessment.stage.number,
            "stage_name": assessment.stage.name,
            "thresholds_crossed": [threshold.name for threshold in assessment.thresholds_crossed.all()],
            "indicators": list(assessment.indicators),
            "evidence": assessment.evidence,
            "source": assessment.get_source_display(),
            "assessor": _name(assessment.assessor),
            "move_back_note": assessment.move_back_note,
            "recorded_at": _when(assessment.recorded_at),
        }
        for assessment in assessments
    ]


def _thrive_groupings(case_ids: list[int]) -> list[dict[str, Any]]:
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
            "applies_from": _day(grouping.applies_from),
            "reason": grouping.reason,
            "recorded_by": _name(grouping.recorded_by),
            "recorded_at": _when(grouping.recorded_at),
        }
        for grouping in groupings
    ]


def _goals(case_ids: list[int]) -> list[dict[str, Any]]:
    goals = Goal.objects.filter(case_id__in=case_ids).prefetch_related("ratings").order_by("set_on", "pk")
    return [
        {
            "id": goal.pk,
            "case_id": goal.case_id,
            "text": goal.text,
            "set_by": goal.set_by,
            "set_on": _day(goal.set_on),
            "status": goal.get_status_display(),
            "closed_on": _day(goal.closed_on),
            "closing_note": goal.closing_note,
            "ratings": [
                {
                    "id": rating.pk,
                    "rated_on": _day(rating.rated_on),
                    "score": rating.score,
                    "context": rating.get_context_display(),
                    "note": rating.note,
                }
                for rating in goal.ratings.all()
            ],
        }
        for goal in goals
    ]


def _reviews(case_ids: list[int]) -> list[dict[str, Any]]:
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
            "held_on": _day(review.held_on),
            "chair": _name(review.chair),
            "childs_views": review.childs_views,
            "next_review_on": _day(review.next_review_on),
            "attendance": [
                {key: str(line.get(key, "")) for key in ("name", "role", "agency", "attendance")}
                for line in review.attendance_record
            ],
            "signed_off_at": _when(review.signed_off_at),
            "signed_off_by": _name(review.signed_off_by),
        }
        for review in reviews
    ]


def _actions(case_ids: list[int]) -> list[dict[str, Any]]:
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
                "owner": _name(action.owner) or action.owner_name,
                "owner_agency": action.owner_agency.name if action.owner_agency else action.owner_agency_name,
                "due_on": _day(action.due_on),
                "status": action.get_status_display(),
                "progress": [
                    {
                        "id": progress.pk,
                        "noted_on": _day(progress.noted_on),
                        "status": progress.get_status_display(),
                        "note": progress.note,
                        "author": _name(progress.author),
                    }
                    for progress in sorted(action.progress.all(), key=lambda note: (note.noted_on, note.pk))
                ],
            }
        )
    return rows


def _documents(case_ids: list[int]) -> list[dict[str, Any]]:
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
        "requested_at": _when(document.requested_at),
        "finished_at": _when(document.finished_at),
    }


def _chronology(case_ids: list[int]) -> list[dict[str, Any]]:
    events = CaseEvent.objects.filter(case_id__in=case_ids).select_related("actor").order_by("occurred_at", "pk")
    return [
        {
            "id": event.pk,
            "case_id": event.case_id,
            "occurred_at": _when(event.occurred_at),
            "kind": event.get_kind_display(),
            "summary": event.summary,
            "by": _name(event.actor),
            "restricted": event.visibility == Visibility.RESTRICTED,
        }
        for event in events
    ]


def _access_events(child: Child, case_ids: list[int], referral_ids: list[int]) -> list[dict[str, Any]]:
    request_ids = list(SubjectAccessRequest.objects.filter(child=child).values_list("pk", flat=True))
    about_the_child = (
        Q(case_id__in=case_ids)
        | Q(record_type="referral", record_id__in=[str(pk) for pk in referral_ids])
        | Q(record_type="child", record_id=str(child.pk))
        | Q(record_type=RECORD_TYPE, record_id__in=[str(pk) for pk in request_ids])
        # Lists and search results that showed one of the child's cases or referrals.
        | Q(case_ids__overlap=case_ids)
        | Q(referral_ids__overlap=referral_ids)
    )
    events = AccessEvent.objects.filter(about_the_child).select_related("user").order_by("-at", "-id")
    return [
        {
            "id": event.pk,
            "at": _when(event.at),
            "who": _name(event.user),
            "what": event_in_words(event),
            "case_id": event.case_id,
            "from": event.ip_address or "",
        }
        for event in events
    ]
