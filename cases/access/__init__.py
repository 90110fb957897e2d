"""The access module: the one place that answers "may this person do this to that?".

`cases.access.core` holds the two layers (role, then the person's relation to the case) and every
question about cases and the records that hang off them; `cases.access.people` answers who may
manage whom in the administration area; `cases.access.viewers` asks the relations the other way
round (who can see a case, whose work a viewer may hand on). Callers use this package's names.
"""

from cases.access.core import (
    CASE_SCOPE,
    REFERRAL_CONSENT_SCOPE,
    REFERRAL_SCOPE,
    RULES,
    VISIBLE_RELATIONS,
    Action,
    Relation,
    Rule,
    Scope,
    cases_for,
    get_case_for,
    get_for,
    has_role,
    has_role_permission,
    may,
    may_handle_retention,
    may_handle_subject_access_requests,
    may_publish_trm_reference,
    may_read_aggregate_reports,
    may_read_whole_access_log,
    records_for,
    referral_scope_for,
    relations_to,
    reportable_agencies,
    row_condition,
    visible,
    visible_cases,
)
from cases.access.documents import (
    CATEGORY_ACTIONS,
    document_condition,
    may_add_documents,
    visible_document_categories,
)
from cases.access.people import (
    get_person_for,
    manageable_agencies,
    manageable_people,
    may_manage_people,
    may_manage_person,
    may_manage_service,
)
from cases.access.standing import SUMMARY_PERMISSION
from cases.access.transfers import get_transfer_for, may_decide_transfer, offers_from, offers_to
from cases.access.viewers import CaseViewer, may_reassign_work, who_can_see, work_services_for

__all__ = [
    "CASE_SCOPE",
    "CATEGORY_ACTIONS",
    "REFERRAL_CONSENT_SCOPE",
    "REFERRAL_SCOPE",
    "RULES",
    "SUMMARY_PERMISSION",
    "VISIBLE_RELATIONS",
    "Action",
    "CaseViewer",
    "Relation",
    "Rule",
    "Scope",
    "cases_for",
    "document_condition",
    "get_case_for",
    "get_for",
    "get_person_for",
    "get_transfer_for",
    "has_role",
    "has_role_permission",
    "manageable_agencies",
    "manageable_people",
    "may",
    "may_decide_transfer",
    "may_add_documents",
    "may_manage_people",
    "may_manage_person",
    "may_manage_service",
    "may_handle_retention",
    "may_handle_subject_access_requests",
    "may_publish_trm_reference",
    "may_read_aggregate_reports",
    "may_read_whole_access_log",
    "may_reassign_work",
    "offers_from",
    "offers_to",
    "records_for",
    "referral_scope_for",
    "relations_to",
    "reportable_agencies",
    "row_condition",
    "visible",
    "visible_cases",
    "visible_document_categories",
    "who_can_see",
    "work_services_for",
]
