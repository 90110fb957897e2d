"""Authorization rows for the trm_stages app's URLs (see tests/authz/core.py for the Row type and the cast).

`ROWS` holds one row per URL name; `POST_ROWS` repeats the triad for each form's POST with an empty
body, so nothing is saved (tests/trm_stages/test_post_access.py runs them).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.utils import timezone

from tests.authz.cases import CLINICIANS_ONLY_CONSULT, FULL_RECORD_ONLY
from tests.authz.core import ANON, INVISIBLE, Row, case_path
from tests.conftest import Cast
from trm_stages.models import Goal, GoalStatus, StageAssessment
from trm_stages.services import goal_set, stage_assessment_record

Expected = dict[str, int | tuple[int, ...]]

# Recording a stage is the covering psychologist's: like logging a consultation.
PSYCHOLOGIST_ONLY: Expected = {ANON: 302, **CLINICIANS_ONLY_CONSULT, **INVISIBLE}
ADMINISTRATOR_ONLY: Expected = {ANON: 302, "administrator": 200}


def _assessment_path(cast: Cast) -> str:
    assessment = StageAssessment.objects.filter(case=cast.case).first() or stage_assessment_record(
        case=cast.case,
        actor=cast.psychologist,
        assessed_on=timezone.localdate() - dt.timedelta(days=3),
        stage_number=2,
        evidence="Kai now waits after sessions to talk to Sam.",
        source="formulation",
    )
    return f"/cases/{cast.case.pk}/stage/{assessment.pk}/"


ROWS: dict[str, Row] = {
    "trm_stages:stage_history": Row(case_path("/cases/{case}/stage/"), FULL_RECORD_ONLY),
    "trm_stages:assessment_add": Row(case_path("/cases/{case}/stage/record/"), PSYCHOLOGIST_ONLY),
    "trm_stages:assessment_detail": Row(_assessment_path, FULL_RECORD_ONLY),
    # The model's reference data holds no case data: everyone signed in may read it.
    "trm_stages:reference": Row(lambda cast: "/trm/", {ANON: 302}, default=200),
    "trm_stages:reference_publish": Row(lambda cast: "/trm/publish/", ADMINISTRATOR_ONLY, default=403),
}

POST_ROWS: dict[str, Row] = {
    name: Row(ROWS[name].path, ROWS[name].expected, method="post", default=ROWS[name].default)
    for name in ("trm_stages:assessment_add", "trm_stages:reference_publish")
}


# THRIVE grouping and goals: reading is the full record ("view"), every change is "change".


def _goal_path(suffix: str) -> Callable[[Cast], str]:
    def path(cast: Cast) -> str:
        goal = Goal.objects.filter(case=cast.case, status=GoalStatus.OPEN).first() or goal_set(
            case=cast.case,
            actor=cast.case_manager,
            text="I want to get to school on time every day",
            set_by="Kai with Sam Okafor",
            set_on=timezone.localdate() - dt.timedelta(days=7),
            start_score=3,
        )
        return f"/cases/{cast.case.pk}/goals/{goal.pk}/{suffix}"

    return path


OUTCOME_ROWS: dict[str, Row] = {
    "trm_stages:thrive": Row(case_path("/cases/{case}/thrive/"), FULL_RECORD_ONLY),
    "trm_stages:thrive_set": Row(case_path("/cases/{case}/thrive/set/"), FULL_RECORD_ONLY),
    "trm_stages:goals": Row(case_path("/cases/{case}/goals/"), FULL_RECORD_ONLY),
    "trm_stages:goal_add": Row(case_path("/cases/{case}/goals/add/"), FULL_RECORD_ONLY),
    "trm_stages:goal_rate": Row(_goal_path("rate/"), FULL_RECORD_ONLY),
    "trm_stages:goal_close": Row(_goal_path("close/"), FULL_RECORD_ONLY),
}
# Every form's POST with an empty body: allowed people get the form back with its errors (200).
OUTCOME_POST_ROWS: dict[str, Row] = {
    name: Row(OUTCOME_ROWS[name].path, OUTCOME_ROWS[name].expected, method="post")
    for name in ("trm_stages:thrive_set", "trm_stages:goal_add", "trm_stages:goal_rate", "trm_stages:goal_close")
}
ROWS.update(OUTCOME_ROWS)
