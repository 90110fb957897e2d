"""Role groups and the model permissions each role holds (the first layer of access).

The groups are kept in step with this table after every migrate, so the table is the one truth.
Object-level grants (`cases.view_case_summary`) are never held by a role group: guardian would
honour a model-level grant on every case.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import Group, Permission

from accounts.models import Role

CASE_RECORD = ["cases.read_case_record", "cases.write_case_record"]

ROLE_PERMISSIONS: dict[str, list[str]] = {
    Role.CASE_MANAGER: [
        *CASE_RECORD,
        "cases.read_restricted_notes",
        "cases.read_case_access_log",
        "reporting.read_aggregate_reports",
    ],
    Role.PSYCHOLOGIST: [
        *CASE_RECORD,
        "cases.read_restricted_notes",
        "cases.read_case_access_log",
        "cases.log_consultation",
        "referrals.triage_referral",
        "trm_stages.record_stage_assessment",
        "formulation.schedule_meeting",
        "formulation.write_formulation_report",
        "formulation.read_report_drafts",
        "formulation.review_formulation_report",
        "reporting.read_aggregate_reports",
    ],
    Role.SENIOR_PRACTITIONER: [
        *CASE_RECORD,
        "cases.read_restricted_notes",
        "cases.read_case_access_log",
        "referrals.triage_referral",
        "referrals.override_consent",
        "formulation.schedule_meeting",
        "reviews.chair_review",
        "formulation.read_report_drafts",
        "formulation.review_formulation_report",
        "reporting.read_aggregate_reports",
        # Subject access requests: everything held about one child, across agencies (data_rights/).
        "data_rights.handle_subject_access_request",
        # Retention: review closed cases, keep, place legal holds, anonymise (data_rights/retention.py).
        "data_rights.handle_retention",
        # Merging two records of the same child in a covered service (cases/services/merges.py).
        "cases.merge_case_records",
    ],
    Role.PARTNER: [],
    Role.COMMISSIONER: ["reporting.read_aggregate_reports"],
    Role.ADMINISTRATOR: [
        "accounts.read_access_log",
        "accounts.manage_people",
        "accounts.manage_service",
        "trm_stages.publish_trm_version",
        # The one exception to "no case content": a subject access request's pack (data_rights/).
        "data_rights.handle_subject_access_request",
        "data_rights.handle_retention",
    ],
    # Scoped to their own agency's people by the access module (cases.access.manageable_people).
    Role.AGENCY_ADMINISTRATOR: ["accounts.manage_people"],
}

OBJECT_ONLY_PERMISSIONS = frozenset({"cases.view_case_summary"})


def role_group_name(role: str) -> str:
    return f"role:{role}"


def role_group(role: str) -> Group:
    group, _ = Group.objects.get_or_create(name=role_group_name(role))
    return group


def sync_role_groups(**_: Any) -> None:
    """Make each role's group hold exactly the permissions in ROLE_PERMISSIONS."""
    for role, names in ROLE_PERMISSIONS.items():
        if OBJECT_ONLY_PERMISSIONS & set(names):
            raise ValueError(f"{role}: object-only permissions are never granted to a role")
        permissions = []
        for name in names:
            app_label, codename = name.split(".")
            permission = Permission.objects.filter(content_type__app_label=app_label, codename=codename).first()
            if permission is None:  # the app's migrations have not run yet
                return
            permissions.append(permission)
        role_group(role).permissions.set(permissions)
