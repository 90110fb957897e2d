"""Authorization rows for the API's endpoints of the rest of the record (issue 19): the network, contacts,
consultations, meetings, signed-off formulation reports, actions, TRM stages and goals, reviews, and the
aggregate figures (see tests/authz/core.py for the Row type and the cast).

Each answers as its page does: the network and the meetings one is invited to for everyone who sees the
case (the teacher, through the shared summary); the rest of the record for its full readers (the teacher:
403); another service's case 404. Signed out, the API answers 401 (a bearer challenge).

The two changes (a correction beneath a contact, progress on an action) are asked by POST with no body and
no `If-Match`: those who may make them get 428 (the ETag is missing) and nothing is saved; the rest 403/404.
"""

from __future__ import annotations

from collections.abc import Callable

from tests.authz.cases import _consultation, _contact
from tests.authz.core import ANON, FULL_RECORD, INVISIBLE, Row, case_path
from tests.authz.formulation import _meeting
from tests.authz.reviews import _signed_off_review, _teachers_action
from tests.authz.trm import _assessment_path
from tests.conftest import Cast

Expected = dict[str, int | tuple[int, ...]]

SIGNED_OUT = 401  # a bearer challenge (core/api/authentication.py)
FULL_RECORD_ONLY: Expected = {ANON: SIGNED_OUT, **FULL_RECORD, "teacher": 403, **INVISIBLE}
SUMMARY_TOO: Expected = {ANON: SIGNED_OUT, **FULL_RECORD, "teacher": 200, **INVISIBLE}
# A change with no If-Match: 428 once the access module has let the person through.
CONTACT_CORRECTORS: Expected = {ANON: SIGNED_OUT, **dict.fromkeys(FULL_RECORD, 428), "teacher": 403, **INVISIBLE}
# The teacher owns the action; covering clinicians post progress on any action; the case managers may not.
PROGRESS_POSTERS: Expected = {
    ANON: SIGNED_OUT,
    "case_manager": 403,
    "colleague": 403,
    "psychologist": 428,
    "senior_practitioner": 428,
    "teacher": 428,
    **INVISIBLE,
}
ACTION_READERS: Expected = {ANON: SIGNED_OUT, **FULL_RECORD, "teacher": 200, **INVISIBLE}
# Case managers, ECM clinicians and commissioners read the figures; nobody else.
FIGURE_READERS: Expected = {
    ANON: SIGNED_OUT,
    "case_manager": 200,
    "colleague": 200,
    "banes_case_manager": 200,
    "psychologist": 200,
    "senior_practitioner": 200,
    "commissioner": 200,
}


def api_case_path(suffix: str) -> Callable[[Cast], str]:
    return case_path("/api/v1/cases/{case}/" + suffix)


def _contact_path(suffix: str = "") -> Callable[[Cast], str]:
    return lambda cast: f"/api/v1/cases/{cast.case.pk}/contacts/{_contact(cast).pk}/{suffix}"


def _consultation_path(cast: Cast) -> str:
    return f"/api/v1/cases/{cast.case.pk}/consultations/{_consultation(cast).pk}/"


def _meeting_path(cast: Cast) -> str:
    return f"/api/v1/cases/{cast.case.pk}/meetings/{_meeting(cast).pk}/"


def _report_path(cast: Cast) -> str:
    action = _teachers_action(cast)
    return f"/api/v1/cases/{cast.case.pk}/formulation-reports/{action.report_id}/"


def _action_path(suffix: str = "") -> Callable[[Cast], str]:
    return lambda cast: f"/api/v1/actions/{_teachers_action(cast).pk}/{suffix}"


def _stage_assessment_path(cast: Cast) -> str:
    assessment_id = _assessment_path(cast).rstrip("/").rsplit("/", 1)[-1]
    return f"/api/v1/cases/{cast.case.pk}/stage-assessments/{assessment_id}/"


def _review_path(cast: Cast) -> str:
    return f"/api/v1/cases/{cast.case.pk}/reviews/{_signed_off_review(cast).pk}/"


ROWS: dict[str, Row] = {
    "api-case-network": Row(api_case_path("network/"), SUMMARY_TOO),
    "api-case-contacts": Row(api_case_path("contacts/"), FULL_RECORD_ONLY),
    "api-case-contact": Row(_contact_path(), FULL_RECORD_ONLY),
    "api-case-contact-corrections": Row(_contact_path("corrections/"), CONTACT_CORRECTORS, method="post"),
    "api-case-consultations": Row(api_case_path("consultations/"), FULL_RECORD_ONLY),
    "api-case-consultation": Row(_consultation_path, FULL_RECORD_ONLY),
    # The teacher is invited to this meeting: she sees it (without attendance or notes).
    "api-case-meetings": Row(api_case_path("meetings/"), SUMMARY_TOO),
    "api-case-meeting": Row(_meeting_path, SUMMARY_TOO),
    "api-case-reports": Row(api_case_path("formulation-reports/"), FULL_RECORD_ONLY),
    "api-case-report": Row(_report_path, FULL_RECORD_ONLY),
    # The case's actions: all of them for the full record, her own for the teacher.
    "api-case-actions": Row(api_case_path("actions/"), SUMMARY_TOO),
    "api-action": Row(_action_path(), ACTION_READERS),
    "api-action-progress": Row(_action_path("progress/"), PROGRESS_POSTERS, method="post"),
    "api-case-stage-assessments": Row(api_case_path("stage-assessments/"), FULL_RECORD_ONLY),
    "api-case-stage-assessment": Row(_stage_assessment_path, FULL_RECORD_ONLY),
    "api-case-goals": Row(api_case_path("goals/"), FULL_RECORD_ONLY),
    "api-case-reviews": Row(api_case_path("reviews/"), FULL_RECORD_ONLY),
    "api-case-review": Row(_review_path, FULL_RECORD_ONLY),
    "api-report-figures": Row(lambda cast: "/api/v1/reports/figures/", FIGURE_READERS, default=403),
}
