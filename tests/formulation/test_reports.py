"""The formulation report's services: starting and re-formulating, saves that collide, the review
workflow (who may comment and sign off), sign-off validation, locking, and the chronology."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from cases.models import CaseEvent, CaseEventKind, CaseKind, CaseStatus
from formulation.models import (
    REPORT_SECTION_FIELDS,
    ActionStatus,
    Attendance,
    FormulationReport,
    Meeting,
    Recommendation,
    ReportDocument,
    ReportStatus,
)
from formulation.selectors import report_sign_off_problems
from formulation.services import (
    ReportConflict,
    conflicting_fields,
    meeting_record,
    recommendation_change,
    recommendation_remove,
    report_comment_add,
    report_comment_resolve,
    report_save,
    report_sign_off,
    report_start,
    report_submit,
)
from referrals.models import Referral, ReferralStatus
from tests.conftest import Cast
from tests.factories import recommendation
from tests.formulation.report_support import (
    KAIS_REPORT,
    add_recommendation,
    in_review,
    intervention,
    record_stage,
    save,
    second_psychologist,
    signed_off,
    started,
    written,
)


def events(cast: Cast, kind: str) -> list[str]:
    return list(
        CaseEvent.objects.filter(case=cast.case, kind=kind)
        .order_by("occurred_at", "pk")
        .values_list("summary", flat=True)
    )


# Starting


def test_version_one_is_prefilled_from_the_referral_the_stage_and_the_meeting_held(
    cast: Cast, meeting: Meeting
) -> None:
    Referral.objects.create(
        child=cast.case.child,
        referring_yjs=cast.bristol,
        referrer=cast.case_manager,
        status=ReferralStatus.ACCEPTED_FORMULATION,
        reasons="Two placement breakdowns this year and rising violence at school.",
        case=cast.case,
    )
    record_stage(cast, 2)
    meeting_record(
        meeting=meeting,
        actor=cast.senior_practitioner,
        attendance={invitation.pk: Attendance.ATTENDED for invitation in meeting.invitations.all()},
        notes="The network agreed Ms Marsh is Kai's key adult.",
        now=meeting.ends_at + dt.timedelta(hours=1),
    )

    report = started(cast)

    assert report.version == 1 and report.status == ReportStatus.DRAFT and report.revision == 1
    assert report.author == cast.psychologist
    assert report.reason_for_referral == "Two placement breakdowns this year and rising violence at school."
    assert report.trm_stage == 2
    assert report.meeting == meeting
    assert report.childs_story == ""


def test_a_case_without_a_referral_stage_or_meeting_starts_an_empty_version(cast: Cast, meeting: Meeting) -> None:
    report = started(cast)  # the meeting is scheduled, not held: nothing to link yet
    assert report.reason_for_referral == "" and report.trm_stage is None and report.meeting is None


def test_only_one_version_is_written_at_a_time(cast: Cast) -> None:
    started(cast)
    with pytest.raises(ValidationError, match="Version 1 is still being written"):
        started(cast)
    # The database refuses a second open version too, whatever the code path.
    with pytest.raises(IntegrityError), transaction.atomic():
        FormulationReport.objects.create(
            case=cast.case, version=2, author=cast.psychologist, updated_by=cast.psychologist
        )


def test_closed_and_consultation_cases_have_no_report(cast: Cast) -> None:
    type(cast.case).objects.filter(pk=cast.case.pk).update(kind=CaseKind.CONSULTATION)
    with pytest.raises(ValidationError, match="consultation only"):
        started(cast)
    type(cast.case).objects.filter(pk=cast.case.pk).update(kind=CaseKind.FORMULATION, status=CaseStatus.CLOSED)
    with pytest.raises(ValidationError, match="closed"):
        started(cast)


def test_reformulation_copies_the_last_text_and_its_open_recommendations_as_new_rows(cast: Cast) -> None:
    first = signed_off(cast)
    done = recommendation(cast, first, "Done already", position=9, owner_name="Sam Okafor", status=ActionStatus.DONE)
    in_progress = first.recommendations.exclude(pk=done.pk).get()
    Recommendation.objects.filter(pk=in_progress.pk).update(status=ActionStatus.IN_PROGRESS)
    record_stage(cast, 3)

    second = started(cast)

    assert second.version == 2 and second.based_on == first and second.status == ReportStatus.DRAFT
    assert all(getattr(second, name) == getattr(first, name) for name in REPORT_SECTION_FIELDS)
    assert second.child_friendly_summary == first.child_friendly_summary
    assert second.trm_stage == 3  # the child's stage now, not the one version 1 gave
    [copy] = second.recommendations.all()
    assert copy.pk != in_progress.pk and copy.text == in_progress.text
    assert copy.status == ActionStatus.IN_PROGRESS and copy.became_action_at is None
    assert first.recommendations.count() == 2  # version 1 keeps its own rows
    assert events(cast, CaseEventKind.FORMULATION)[-1] == (
        "Re-formulation started by Alex Morgan: version 2 of the formulation report, from version 1, "
        "1 open recommendation carried over"
    )


def test_signing_off_a_reformulation_closes_the_earlier_versions_open_actions(cast: Cast) -> None:
    first = signed_off(cast)
    [old_action] = first.recommendations.all()
    second = report_submit(report=started(cast), actor=cast.psychologist)

    report_sign_off(report=second, actor=cast.senior_practitioner, confirmed=True)

    old_action.refresh_from_db()
    assert old_action.status == ActionStatus.NO_LONGER_NEEDED
    [new_action] = second.recommendations.all()
    assert new_action.status == ActionStatus.NOT_STARTED and new_action.became_action_at is not None
    assert events(cast, CaseEventKind.ACTION)[-1] == (
        "1 recommendation of version 2 became an action; 1 open action of earlier versions carried into it"
    )


# Saving and conflicts


def test_two_editors_saving_from_the_same_revision_collide_and_nothing_is_lost(cast: Cast) -> None:
    report = started(cast)
    colleague = second_psychologist(cast)
    opened_at = report.revision  # both open the editor on the same revision

    first = report_save(report=report, actor=cast.psychologist, revision=opened_at, childs_story="Alex's story.")
    with pytest.raises(ReportConflict) as collision:
        report_save(report=report, actor=colleague, revision=opened_at, childs_story="Morgan's story.")

    assert first.revision == opened_at + 1
    saved = collision.value.current
    assert saved.childs_story == "Alex's story." and saved.updated_by == cast.psychologist
    assert conflicting_fields(saved=saved, typed={"childs_story": "Morgan's story."}) == ["childs_story"]
    report.refresh_from_db()
    assert report.childs_story == "Alex's story." and report.revision == opened_at + 1
    # Having seen Alex's text, Morgan saves over the revision the conflict showed.
    merged = report_save(report=report, actor=colleague, revision=saved.revision, childs_story="Alex's and Morgan's.")
    assert merged.childs_story == "Alex's and Morgan's." and merged.revision == opened_at + 2


def test_every_save_raises_the_revision_and_keeps_history_with_the_editor(cast: Cast) -> None:
    report = started(cast)
    saved = save(report, cast.psychologist, strengths="Kai is loyal to his friends.")
    assert saved.revision == 2 and saved.updated_by == cast.psychologist
    latest = saved.history.order_by("-pgh_id").first()  # type: ignore[attr-defined]
    assert latest.strengths == "Kai is loyal to his friends."
    assert latest.pgh_context.metadata["user"] == cast.psychologist.pk


def test_saving_what_is_already_saved_changes_nothing(cast: Cast) -> None:
    report = save(started(cast), cast.psychologist, strengths="Loyal.")
    again = report_save(report=report, actor=cast.psychologist, revision=report.revision, strengths="Loyal.")
    assert again.revision == report.revision
    # A save sent on leaving the page may land before the reloaded page asks: the same text from
    # the old revision is not a conflict.
    late = report_save(report=report, actor=cast.psychologist, revision=report.revision - 1, strengths="Loyal.")
    assert late.revision == report.revision


def test_the_editor_refuses_a_stage_outside_one_to_six_and_unknown_fields(cast: Cast) -> None:
    report = started(cast)
    with pytest.raises(ValidationError) as error:
        report_save(report=report, actor=cast.psychologist, revision=1, trm_stage=7)
    assert error.value.message_dict == {"trm_stage": ["Choose a stage from 1 to 6"]}
    with pytest.raises(TypeError):
        report_save(report=report, actor=cast.psychologist, revision=1, author=cast.senior_practitioner)


# Review and sign-off


def test_the_author_submits_and_can_still_edit_while_in_review(cast: Cast) -> None:
    report = in_review(cast)
    assert report.status == ReportStatus.IN_REVIEW and report.submitted_for_review_at is not None
    edited = save(report, cast.psychologist, strengths="Kai is funny and kind.")
    assert edited.strengths == "Kai is funny and kind." and edited.status == ReportStatus.IN_REVIEW
    with pytest.raises(ValidationError, match="already in review"):
        report_submit(report=report, actor=cast.psychologist)


def test_a_reviewer_comments_on_a_section_and_the_author_answers_and_resolves(cast: Cast) -> None:
    report = in_review(cast)
    comment = report_comment_add(
        report=report, actor=cast.senior_practitioner, text="Say more about the move.", section="childs_story"
    )
    answer = report_comment_add(
        report=report, actor=cast.psychologist, text="Added a paragraph.", section="childs_story"
    )
    whole = report_comment_add(report=report, actor=cast.senior_practitioner, text="Clear and kind.")
    assert [comment.section, answer.section, whole.section] == ["childs_story", "childs_story", ""]

    resolved = report_comment_resolve(comment=comment, actor=cast.psychologist)
    assert resolved.resolved_at is not None
    with pytest.raises(ValidationError, match="already resolved"):
        report_comment_resolve(comment=comment, actor=cast.senior_practitioner)
    # The reviewer resolves their own comment; someone else may not.
    report_comment_resolve(comment=whole, actor=cast.senior_practitioner)
    stranger = report_comment_add(report=report, actor=second_psychologist(cast), text="One more thought.")
    with pytest.raises(ValidationError, match="Only the report's author or the comment's author"):
        report_comment_resolve(comment=stranger, actor=cast.senior_practitioner)


def test_comments_wait_for_the_review_and_name_a_real_section(cast: Cast) -> None:
    report = written(cast)
    with pytest.raises(ValidationError, match="submit it for review first"):
        report_comment_add(report=report, actor=cast.senior_practitioner, text="Too early.")
    report = report_submit(report=report, actor=cast.psychologist)
    with pytest.raises(ValidationError) as error:
        report_comment_add(report=report, actor=cast.senior_practitioner, text=" ", section="secrets")
    assert set(error.value.message_dict) == {"section", "text"}


def test_the_author_never_signs_off_their_own_report(cast: Cast) -> None:
    report = in_review(cast)
    with pytest.raises(ValidationError, match="You wrote this report"):
        report_sign_off(report=report, actor=cast.psychologist)
    report.refresh_from_db()
    assert report.status == ReportStatus.IN_REVIEW


def test_a_second_psychologist_may_sign_off(cast: Cast) -> None:
    report = report_sign_off(report=in_review(cast), actor=second_psychologist(cast), confirmed=True)
    assert report.status == ReportStatus.SIGNED_OFF
    assert report.signed_off_by is not None and report.signed_off_by.username == "morgan"


def test_a_draft_is_submitted_for_review_before_it_is_signed_off(cast: Cast) -> None:
    with pytest.raises(ValidationError, match="Submit the report for review"):
        report_sign_off(report=written(cast), actor=cast.senior_practitioner, confirmed=True)


def test_sign_off_lists_everything_that_is_missing(cast: Cast) -> None:
    report = report_submit(report=started(cast), actor=cast.psychologist)
    with pytest.raises(ValidationError) as error:
        report_sign_off(report=report, actor=cast.senior_practitioner, confirmed=True)
    problems = error.value.message_dict
    assert set(problems) == {*REPORT_SECTION_FIELDS, "trm_stage", "recommendations"}
    assert problems["childs_story"] == ["Write the section “The child's story”"]
    assert problems["recommendations"] == ["Add at least one recommendation"]
    # The child-friendly summary is optional.
    assert "child_friendly_summary" not in report_sign_off_problems(report)


def test_sign_off_needs_a_justification_for_a_recommendation_above_the_childs_stage_now(cast: Cast) -> None:
    report = in_review(cast)
    record_stage(cast, 1, note="Kai's placement ended suddenly and he has stopped trusting adults.")
    with pytest.raises(ValidationError) as error:
        report_sign_off(report=report, actor=cast.senior_practitioner, confirmed=True)
    [(key, [message])] = error.value.message_dict.items()
    assert key.startswith("recommendation-")
    assert "the child is at stage 1 and has not crossed the readiness to build relationships" in message.lower()


def test_sign_off_locks_dates_and_signs_and_makes_the_recommendations_actions(
    cast: Cast, django_capture_on_commit_callbacks: Any
) -> None:
    report = in_review(cast)
    with django_capture_on_commit_callbacks() as callbacks:
        report = report_sign_off(
            report=report, actor=cast.senior_practitioner, revision=report.revision, confirmed=True
        )

    assert report.status == ReportStatus.SIGNED_OFF and report.is_locked
    assert report.signed_off_by == cast.senior_practitioner
    assert report.signed_off_at is not None
    assert timezone.localtime(report.signed_off_at).date() == timezone.localdate()
    [action] = report.recommendations.all()
    assert action.became_action_at == report.signed_off_at
    assert events(cast, CaseEventKind.FORMULATION)[-1] == "Formulation report version 1 signed off by Jordan Reeve"
    assert events(cast, CaseEventKind.ACTION) == ["1 recommendation of version 1 became an action"]
    # The PDFs are asked for once the sign-off has committed, not before.
    assert not ReportDocument.objects.filter(report=report).exists()
    [request_documents] = callbacks
    request_documents()
    assert set(ReportDocument.objects.filter(report=report).values_list("kind", flat=True)) == {
        "full",
        "summary",
        "child",
    }


def test_sign_off_refuses_a_version_changed_since_the_reviewer_read_it(cast: Cast) -> None:
    report = in_review(cast)
    read = report.revision
    save(report, cast.psychologist, strengths="Changed after the reviewer opened the page.")
    with pytest.raises(ValidationError, match="changed since you opened this page"):
        report_sign_off(report=report, actor=cast.senior_practitioner, revision=read, confirmed=True)


def test_a_signed_off_version_refuses_every_change(cast: Cast) -> None:
    report = signed_off(cast)
    [action] = report.recommendations.all()
    locked = "signed off: it is locked"
    with pytest.raises(ValidationError, match=locked):
        report_save(report=report, actor=cast.psychologist, revision=report.revision, strengths="Too late.")
    with pytest.raises(ValidationError, match=locked):
        report_save(report=report, actor=cast.psychologist, revision=report.revision - 1, strengths="Too late.")
    with pytest.raises(ValidationError, match=locked):
        add_recommendation(report, cast)
    with pytest.raises(ValidationError, match=locked):
        recommendation_change(
            recommendation=action, actor=cast.psychologist, text="Changed", due_on=action.due_on, suits_from_stage=1
        )
    with pytest.raises(ValidationError, match=locked):
        recommendation_remove(recommendation=action, actor=cast.psychologist)
    with pytest.raises(ValidationError, match=locked):
        report_comment_add(report=report, actor=cast.senior_practitioner, text="Late comment")
    with pytest.raises(ValidationError, match=locked):
        report_submit(report=report, actor=cast.psychologist)
    with pytest.raises(ValidationError, match=locked):
        report_sign_off(report=report, actor=cast.senior_practitioner, confirmed=True)
    report.refresh_from_db()
    assert report.strengths == KAIS_REPORT["strengths"]
    assert Recommendation.objects.filter(report=report).count() == 1


def test_the_chronology_tells_the_reports_story(cast: Cast) -> None:
    first = signed_off(cast)
    report_start(case=cast.case, actor=cast.psychologist)
    assert events(cast, CaseEventKind.FORMULATION) == [
        "Formulation report started by Alex Morgan",
        "Formulation report version 1 sent for review by Alex Morgan",
        "Formulation report version 1 signed off by Jordan Reeve",
        "Re-formulation started by Alex Morgan: version 2 of the formulation report, from version 1, "
        "1 open recommendation carried over",
    ]
    signed_line = CaseEvent.objects.get(case=cast.case, summary__contains="signed off")
    assert signed_line.link == first.get_absolute_url()


def test_an_intervention_type_sets_the_lowest_stage(cast: Cast) -> None:
    report = written(cast)
    recommendation = add_recommendation(
        report, cast, intervention_type=intervention("Cognitive behavioural"), suits_from_stage=None, justification="x"
    )
    assert recommendation.suits_from_stage == 4
