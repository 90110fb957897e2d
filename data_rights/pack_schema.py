"""The subject access pack's schema: its sections, the fields each item carries, and the check that a pack matches.

The pack (data_rights/selectors.py `subject_access_pack`) is a JSON object::

    {"schema": "ecm.subject-access-pack", "schema_version": 1, "generated_at": "<ISO time>",
     "request": {...}, "contents": [{"key", "title", "description", "fields", "count"}, ...],
     "restricted_contacts": <count>, "sections": {"child": {...}, "referrals": [...], ...}}

Every section's items carry exactly its `fields`, in order; ids are the records' own, dates ISO 8601
(times with their UTC offset). A change to the fields is a new `SCHEMA_VERSION`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

SCHEMA = "ecm.subject-access-pack"
SCHEMA_VERSION = 2  # 2: the uploaded documents and the consent history (issue 17)


@dataclass(frozen=True)
class PackSection:
    """One section of the pack: its key in the JSON, its heading, and the fields each of its items has."""

    key: str
    title: str
    description: str
    fields: tuple[str, ...]
    single: bool = False  # one object (the child), not a list


def _section(key: str, title: str, description: str, fields: str, *, single: bool = False) -> PackSection:
    return PackSection(key, title, description, tuple(fields.split()), single)


SECTIONS: tuple[PackSection, ...] = (
    _section(
        "child",
        "The child's details",
        "The child's record, shared by every service that works with them.",
        "id given_name family_name date_of_birth reference gender ethnicity looked_after legal_status "
        "address_area school created_at",
        single=True,
    ),
    _section(
        "rectifications",
        "Corrections to the child's details",
        "Each mistake corrected in the child's details: the details as they were and as corrected, who "
        "corrected them, when and why.",
        "id case_id changes statement corrected_by corrected_at",
    ),
    _section(
        "referrals",
        "Referrals",
        "Every referral to ECM, drafts and those not accepted included, with the triage decision.",
        "id case_id status referring_service referrer created_at submitted_at urgency reasons complex_needs "
        "current_risks agencies_involved tried_before child_consent carer_consent consent_covers_sharing "
        "consent_given_by consent_date consent_override_reason consent_override_by consent_override_at "
        "decision decision_reason signposting decided_by decided_at",
    ),
    _section(
        "cases",
        "ECM cases",
        "Every ECM case, in every service, with who held it and why it changed hands, and how it closed.",
        "id service kind status case_holder psychologist senior_practitioner opened_at closed_at closed_by "
        "closure_reason outcome_summary ending_plan trm_stage final_trm_stage holder_changes",
    ),
    _section(
        "contacts",
        "Contacts",
        "Every contact logged, with corrections beside the original note. Restricted notes are flagged.",
        "id case_id occurred_at kind with_whom duration_minutes note restricted recorded_by recorded_at corrections",
    ),
    _section(
        "consultations",
        "Consultations",
        "Advice sessions with a psychologist about the child.",
        "id case_id held_on attendees question advice follow_up minutes_spent psychologist",
    ),
    _section(
        "network",
        "Professional network",
        "The professionals around the child, past and present, and whether they saw the shared summary.",
        "id case_id name role agency email phone may_see_summary added_by added_at removed_at",
    ),
    _section(
        "consent",
        "Consent to share",
        "Every time consent was given, refused or withdrawn, by whom, how and for what, and any lawful basis "
        "recorded to go on sharing without it.",
        "id case_id kind purposes given_by given_by_name method on lawful_basis explanation recorded_by recorded_at",
    ),
    _section(
        "meetings",
        "Meetings",
        "Formulation and review meetings: when, where, who was invited and came, and the notes.",
        "id case_id purpose status starts_at ends_at location video_link organiser notes cancel_reason invitations",
    ),
    _section(
        "formulation_reports",
        "Formulation reports",
        "Every version of the formulation report, drafts included, with reviewers' comments.",
        "id case_id version status author created_at signed_off_at signed_off_by trm_stage content "
        "child_friendly_summary comments",
    ),
    _section(
        "stage_assessments",
        "TRM stage assessments",
        "The child's stage on the Trauma Recovery Model (Skuse and Matthew) over time, with the evidence.",
        "id case_id assessed_on stage stage_name thresholds_crossed indicators evidence source assessor "
        "move_back_note recorded_at",
    ),
    _section(
        "thrive_groupings",
        "THRIVE groupings",
        "The child's needs-based grouping over time, with the reasons.",
        "id case_id grouping applies_from reason recorded_by recorded_at",
    ),
    _section(
        "goals",
        "Goals",
        "Goals set with the child, in their own words, and every rating.",
        "id case_id text set_by set_on status closed_on closing_note ratings",
    ),
    _section(
        "reviews",
        "Reviews",
        "Multi-agency reviews: attendance, the child's views and the next review date.",
        "id case_id status held_on chair childs_views next_review_on attendance signed_off_at signed_off_by",
    ),
    _section(
        "actions",
        "Recommendations and actions",
        "What the network agreed to do, who owns it, by when, and every progress note.",
        "id case_id report_version added_at_review text suits_from_stage justification sequencing_warning "
        "owner owner_agency due_on status progress",
    ),
    _section(
        "documents",
        "Documents",
        "The PDFs made from the record (their content is in the sections above).",
        "id case_id title status pages checksum requested_at finished_at",
    ),
    _section(
        "uploaded_documents",
        "Documents uploaded to the case",
        "Court reports, plans, consent forms and other files added to the child's cases: each one's kind, date, "
        "description and whether it was shared with the network, and every version (the files themselves are "
        "not in this pack).",
        "id case_id category document_date description shared_with_network uploaded_by uploaded_at versions",
    ),
    _section(
        "chronology",
        "Chronology",
        "The case's timeline, as recorded. Lines only the case holder and clinicians see are flagged.",
        "id case_id occurred_at kind summary by restricted",
    ),
    _section(
        "access_events",
        "Who looked at the record",
        "Every view, download, export, search and refusal recorded about the child's record, newest first.",
        "id at who what case_id from",
    ),
    _section(
        "redaction_review",
        "For redaction review",
        "Names of other children found in the free text above, for the person handling the request: redact "
        "each one, then remove this section, before the pack is sent.",
        "name section record_id field excerpt",
    ),
)
SECTION_KEYS = tuple(section.key for section in SECTIONS)
SECTION_TITLES = {section.key: section.title for section in SECTIONS}


def pack_problems(pack: dict[str, Any]) -> list[str]:
    """What in a pack does not match its declared schema (empty when it matches): the schema and version,
    the contents listing every declared section in order, and every item carrying exactly its section's fields."""
    problems = []
    if pack.get("schema") != SCHEMA or pack.get("schema_version") != SCHEMA_VERSION:
        problems.append(f"schema {pack.get('schema')!r} version {pack.get('schema_version')!r}")
    declared = [entry.get("key") for entry in pack.get("contents", [])]
    if declared != list(SECTION_KEYS):
        problems.append(f"contents {declared}")
    sections = pack.get("sections", {})
    if list(sections) != list(SECTION_KEYS):
        problems.append(f"sections {list(sections)}")
    for section in SECTIONS:
        content = sections.get(section.key)
        items = [content] if section.single else content
        if not isinstance(items, list) or (section.single and not isinstance(content, dict)):
            problems.append(f"{section.key}: not a {'dict' if section.single else 'list'}")
            continue
        for item in items:
            if not isinstance(item, dict) or list(item) != list(section.fields):
                problems.append(f"{section.key}: item {item.get('id') if isinstance(item, dict) else item!r}")
    return problems
