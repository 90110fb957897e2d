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
from case_documents.pack import uploaded_documents_section
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
from data_rights.pack_values import pack_day, pack_label, pack_moment, pack_person
from data_rights.pack_work import (
    actions_section,
    documents_section,
    goals_section,
    meetings_section,
    reports_section,
    reviews_section,
    stage_assessments_section,
    thrive_groupings_section,
)
from data_rights.redaction import redaction_review
from referrals.consent_pack import consent_section
from referrals.models import ComplexNeed, Referral


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
        "consent": consent_section(case_ids),
        "meetings": meetings_section(case_ids),
        "formulation_reports": reports_section(case_ids),
        "stage_assessments": stage_assessments_section(case_ids),
        "thrive_groupings": thrive_groupings_section(case_ids),
        "goals": goals_section(case_ids),
        "reviews": reviews_section(case_ids),
        "actions": actions_section(case_ids),
        "documents": documents_section(case_ids),
        "uploaded_documents": uploaded_documents_section(case_ids),
        "chronology": _chronology(case_ids),
        "access_events": _access_events(child, case_ids, [referral.pk for referral in referrals]),
    }
    sections["redaction_review"] = redaction_review(child, sections)
    return {
        "schema": SCHEMA,
        "schema_version": SCHEMA_VERSION,
        "generated_at": pack_moment(now or timezone.now()),
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
        "received_on": pack_day(request.received_on),
        "due_on": pack_day(request.due_on),
        "started_by": pack_person(request.created_by),
    }


def _child(child: Child) -> dict[str, Any]:
    return {
        "id": child.pk,
        "given_name": child.given_name,
        "family_name": child.family_name,
        "date_of_birth": pack_day(child.date_of_birth),
        "reference": child.reference,
        "gender": child.get_gender_display(),
        "ethnicity": child.get_ethnicity_display(),
        "looked_after": child.get_looked_after_display(),
        "legal_status": child.get_legal_status_display(),
        "address_area": child.address_area,
        "school": child.school,
        "created_at": pack_moment(child.created_at),
    }


def _referral(referral: Referral) -> dict[str, Any]:
    return {
        "id": referral.pk,
        "case_id": referral.case_id,
        "status": referral.get_status_display(),
        "referring_service": referral.referring_yjs.name,
        "referrer": pack_person(referral.referrer),
        "created_at": pack_moment(referral.created_at),
        "submitted_at": pack_moment(referral.submitted_at),
        "urgency": referral.get_urgency_display(),
        "reasons": referral.reasons,
        "complex_needs": [pack_label(ComplexNeed, need) for need in referral.complex_needs],
        "current_risks": referral.current_risks,
        "agencies_involved": referral.agencies_involved,
        "tried_before": referral.tried_before,
        "child_consent": referral.get_child_consent_display(),
        "carer_consent": referral.get_carer_consent_display(),
        "consent_covers_sharing": referral.consent_covers_sharing,
        "consent_given_by": referral.consent_given_by,
        "consent_date": pack_day(referral.consent_date),
        "consent_override_reason": referral.consent_override_reason,
        "consent_override_by": pack_person(referral.consent_override_by),
        "consent_override_at": pack_moment(referral.consent_override_at),
        "decision": referral.get_decision_display() if referral.decision else "",
        "decision_reason": referral.decision_reason,
        "signposting": referral.signposting,
        "decided_by": pack_person(referral.decided_by),
        "decided_at": pack_moment(referral.decided_at),
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
                "changed_at": pack_moment(change.changed_at),
                "previous_holder": pack_person(change.previous_holder),
                "new_holder": pack_person(change.new_holder),
                "reason": change.reason,
                "changed_by": pack_person(change.changed_by),
            }
        )
    return [
        {
            "id": case.pk,
            "service": case.owning_yjs.name,
            "kind": case.get_kind_display(),
            "status": case.get_status_display(),
            "case_holder": pack_person(case.case_holder),
            "psychologist": pack_person(case.psychologist),
            "senior_practitioner": pack_person(case.senior_practitioner),
            "opened_at": pack_moment(case.opened_at),
            "closed_at": pack_moment(case.closed_at),
            "closed_by": pack_person(case.closed_by),
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
            "corrected_by": pack_person(rectification.corrected_by),
            "corrected_at": pack_moment(rectification.corrected_at),
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
            "occurred_at": pack_moment(contact.occurred_at),
            "kind": contact.get_kind_display(),
            "with_whom": contact.with_whom,
            "duration_minutes": contact.duration_minutes,
            "note": contact.note,
            "restricted": contact.restricted,
            "recorded_by": pack_person(contact.recorded_by),
            "recorded_at": pack_moment(contact.recorded_at),
            "corrections": [
                {
                    "id": correction.pk,
                    "text": correction.text,
                    "reason": correction.reason,
                    "recorded_by": pack_person(correction.recorded_by),
                    "recorded_at": pack_moment(correction.recorded_at),
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
            "held_on": pack_day(consultation.held_on),
            "attendees": consultation.attendees,
            "question": consultation.question,
            "advice": consultation.advice,
            "follow_up": consultation.follow_up,
            "minutes_spent": consultation.minutes_spent,
            "psychologist": pack_person(consultation.psychologist),
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
            "added_by": pack_person(member.added_by),
            "added_at": pack_moment(member.added_at),
            "removed_at": pack_moment(member.removed_at),
        }
        for member in members
    ]


def _chronology(case_ids: list[int]) -> list[dict[str, Any]]:
    events = CaseEvent.objects.filter(case_id__in=case_ids).select_related("actor").order_by("occurred_at", "pk")
    return [
        {
            "id": event.pk,
            "case_id": event.case_id,
            "occurred_at": pack_moment(event.occurred_at),
            "kind": event.get_kind_display(),
            "summary": event.summary,
            "by": pack_person(event.actor),
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
            "at": pack_moment(event.at),
            "who": pack_person(event.user),
            "what": event_in_words(event),
            "case_id": event.case_id,
            "from": event.ip_address or "",
        }
        for event in events
    ]
