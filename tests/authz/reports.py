"""Authorization rows for the formulation report pages (see tests/authz/core.py for the Row type and the cast).

DESIGN.md: the owning YJS's case managers read a report once it is signed off; the covering
psychologist writes it; covering clinicians read drafts and review (the author never signs off);
the network sees only the signed-off summary, as a PDF, so these pages answer the teacher 403;
everyone else gets 404. The rows use Kai's version 1 (signed off) and version 2 (in review, written
by the psychologist, with a recommendation and a senior practitioner's comment).
`POST_ROWS` repeats the triad for every form's POST with an empty body
(tests/formulation/test_reports_post_access.py runs them).
"""

from __future__ import annotations

from collections.abc import Callable

from formulation.models import FormulationReport, Recommendation, ReportComment
from formulation.services import report_comment_add, report_start, report_submit
from tests.authz.core import ANON, FULL_RECORD, INVISIBLE, Row, case_path
from tests.conftest import Cast
from tests.formulation.report_support import add_recommendation, signed_off

Expected = dict[str, int | tuple[int, ...]]

CLINICIANS_ONLY: Expected = {"case_manager": 403, "colleague": 403, "teacher": 403}
READ_SIGNED_OFF: Expected = {ANON: 302, **FULL_RECORD, "teacher": 403, **INVISIBLE}
READ_DRAFTS: Expected = {ANON: 302, **CLINICIANS_ONLY, "psychologist": 200, "senior_practitioner": 200, **INVISIBLE}
WRITERS: Expected = {ANON: 302, **CLINICIANS_ONLY, "psychologist": 200, "senior_practitioner": 403, **INVISIBLE}
REVIEWERS: Expected = {ANON: 302, **CLINICIANS_ONLY, "psychologist": 200, "senior_practitioner": 200, **INVISIBLE}
# The psychologist wrote version 2: she may not sign it off.
SIGNERS: Expected = {**REVIEWERS, "psychologist": 403}
AUTOSAVE: Expected = {**WRITERS, ANON: 401, "psychologist": 400}  # an empty body names no revision


def _versions(cast: Cast) -> tuple[FormulationReport, FormulationReport]:
    """Version 1 signed off and version 2 in review, made once per cast (the matrix asks per person)."""
    made: tuple[FormulationReport, FormulationReport] | None = cast.__dict__.get("_authz_reports")
    if made is None:
        first = signed_off(cast)
        second = report_start(case=cast.case, actor=cast.psychologist)
        add_recommendation(second, cast, text="Weekly football coaching with the youth worker.")
        second = report_submit(report=second, actor=cast.psychologist)
        report_comment_add(
            report=second,
            actor=cast.senior_practitioner,
            text="Say more about the move in spring.",
            section="childs_story",
        )
        made = (first, second)
        cast.__dict__["_authz_reports"] = made
    return made


def _recommendation(cast: Cast) -> Recommendation:
    """Version 2's recommendation (added again if a POST row removed it)."""
    report = _versions(cast)[1]
    recommendation = report.recommendations.first()
    return recommendation or add_recommendation(report, cast, text="Weekly football coaching with the youth worker.")


def _comment(cast: Cast) -> ReportComment:
    comment = _versions(cast)[1].comments.first()
    assert comment is not None
    return comment


def report_path(suffix: str = "") -> Callable[[Cast], str]:
    return lambda cast: f"/cases/{cast.case.pk}/formulation/{_versions(cast)[1].pk}/{suffix}"


def recommendation_path(suffix: str = "") -> Callable[[Cast], str]:
    def path(cast: Cast) -> str:
        recommendation = _recommendation(cast)
        return (
            f"/cases/{cast.case.pk}/formulation/{recommendation.report_id}/recommendations/{recommendation.pk}/{suffix}"
        )

    return path


def comment_path(cast: Cast) -> str:
    comment = _comment(cast)
    return f"/cases/{cast.case.pk}/formulation/{comment.report_id}/comments/{comment.pk}/resolve/"


def versions_path(suffix: str = "") -> Callable[[Cast], str]:
    def path(cast: Cast) -> str:
        _versions(cast)
        return case_path(f"/cases/{{case}}/formulation/{suffix}")(cast)

    return path


ROWS: dict[str, Row] = {
    "formulation:report_list": Row(versions_path(), READ_SIGNED_OFF),
    # Version 2 is being written: the psychologist is shown where it is, not a second start.
    "formulation:report_start": Row(versions_path("start/"), WRITERS),
    "formulation:report_changes": Row(versions_path("changes/"), READ_SIGNED_OFF),
    "formulation:report_detail": Row(report_path(), READ_DRAFTS),
    "formulation:report_edit": Row(report_path("edit/"), WRITERS),
    "formulation:report_autosave": Row(report_path("autosave/"), AUTOSAVE, method="post"),
    "formulation:report_child_summary": Row(report_path("for-the-child/"), READ_DRAFTS),
    # Already in review: the author is sent back to the report with a message.
    "formulation:report_submit": Row(report_path("submit/"), {**WRITERS, "psychologist": 302}, method="post"),
    "formulation:report_comment": Row(report_path("comment/"), REVIEWERS),
    "formulation:report_comment_resolve": Row(
        comment_path, {**REVIEWERS, "psychologist": 302, "senior_practitioner": 302}, method="post"
    ),
    "formulation:report_sign_off": Row(report_path("sign-off/"), SIGNERS),
    "formulation:recommendation_add": Row(report_path("recommendations/add/"), WRITERS),
    "formulation:recommendation_change": Row(recommendation_path(), WRITERS),
    "formulation:recommendation_remove": Row(recommendation_path("remove/"), WRITERS),
}

# Every form's POST with an empty body: those who may act get the form back with its errors (200),
# or the redirect after removing a recommendation (302); readers 403; everyone else 404.
POST_ROWS: dict[str, Row] = {
    name: Row(ROWS[name].path, ROWS[name].expected, method="post")
    for name in (
        "formulation:report_start",
        "formulation:report_edit",
        "formulation:report_comment",
        "formulation:report_sign_off",
        "formulation:recommendation_add",
        "formulation:recommendation_change",
    )
}
POST_ROWS["formulation:recommendation_remove"] = Row(
    recommendation_path("remove/"), {**WRITERS, "psychologist": 302}, method="post"
)
for _name in ("formulation:report_autosave", "formulation:report_submit", "formulation:report_comment_resolve"):
    POST_ROWS[_name] = ROWS[_name]
