"""Writes for recording a review step by step, and the sign-off that locks it.

Every step locks the review row first, so a step racing the sign-off lands before it or is refused
after it; each step checks all its input before it writes anything.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts.history import acting_as
from accounts.models import Agency, User
from cases import access
from cases.access import Action
from cases.models import CaseEventKind
from cases.services import case_event_add, ensure_open
from core.handoffs import HandoffKind, hand_off
from formulation.models import ActionStatus, Attendance, Recommendation
from formulation.selectors import current_invitations
from formulation.services import meeting_record
from reviews.action_selectors import OPEN_ACTION_STATUSES, owner_label
from reviews.documents import review_document_request
from reviews.models import LONGEST_REVIEW_WEEKS, ActionProgress, Review, ReviewAction, ReviewGoalRating, ReviewStatus
from reviews.selectors import recording_closed_reason
from reviews.services.common import (
    NOTE_LIMIT,
    TEXT_LIMIT,
    VIEWS_LIMIT,
    agency_of,
    long_date,
    plural,
    refuse,
    too_long,
)
from reviews.walkthrough import open_goals_to_rate, review_steps, walkthrough_actions
from trm_stages.models import AssessmentSource, GoalRating, RatingContext, StageAssessment, Threshold
from trm_stages.selectors import sequencing_for_case, sequencing_for_stages
from trm_stages.services import goal_rate, stage_assessment_record


def _lock_for_recording(review: Review, *, now: dt.datetime | None = None, started: bool = True) -> Review:
    """The review, locked, once it is sure to be open for recording (or a ValidationError saying why not)."""
    ensure_open(review.case)  # closed means read-only, whatever the page showed
    locked = Review.objects.select_for_update(of=("self",)).select_related("meeting").get(pk=review.pk)
    locked.case = review.case  # the access module's copy, relations already known
    reason = recording_closed_reason(locked, now=now, started=started)
    if reason:
        raise refuse(reason)
    return locked


@transaction.atomic
def review_attendance_record(
    *, review: Review, actor: User, attendance: Mapping[int, str], notes: str, now: dt.datetime | None = None
) -> Review:
    """Who came to the review (per invitation) and the meeting's notes: the meetings' own service."""
    review = _lock_for_recording(review, now=now)
    meeting_record(meeting=review.meeting, actor=actor, attendance=attendance, notes=notes, now=now)
    review.meeting.refresh_from_db()
    return review


@transaction.atomic
def review_stage_record(
    *,
    review: Review,
    actor: User,
    assessor: User | None,
    stage_number: int,
    evidence: str,
    thresholds_crossed: list[Threshold] | None = None,
    indicators: list[str] | None = None,
    move_back_note: str = "",
) -> StageAssessment:
    """The TRM re-assessment made at the review, dated the review's day, by the psychologist chosen
    (the assessor; the chair may enter it for them). One per review."""
    review = _lock_for_recording(review)
    if review.stage_assessment_id is not None:
        raise refuse("The TRM re-assessment of this review is recorded already")
    if assessor is None or not access.may(assessor, Action.RECORD_STAGE_ASSESSMENT, review.case):
        raise ValidationError({"assessor": "Choose the psychologist who assessed the child's stage"})
    assessment = stage_assessment_record(
        case=review.case,
        actor=assessor,
        assessed_on=review.held_on,
        stage_number=stage_number,
        evidence=evidence,
        source=AssessmentSource.REVIEW,
        thresholds_crossed=thresholds_crossed,
        indicators=indicators,
        move_back_note=move_back_note,
    )
    with acting_as(actor):
        review.stage_assessment = assessment
        review.stage_recorded_by = actor
        review.save(update_fields=["stage_assessment", "stage_recorded_by", "updated_at"])
    return assessment


@transaction.atomic
def review_walkthrough_record(
    *, review: Review, actor: User, entries: Mapping[int, tuple[str, str]]
) -> list[ActionProgress]:
    """Progress on every action of the walk-through: its status now and a note dated the review's day.
    Saving again corrects this review's notes; all actions are saved together or none is."""
    review = _lock_for_recording(review)
    actions = list(walkthrough_actions(review).order_by("pk").select_for_update(of=("self",)))
    errors: dict[str, str] = {}
    for action in actions:
        status, note = entries.get(action.pk, ("", ""))
        label = f"“{action.text[:60]}{'…' if len(action.text) > 60 else ''}”"
        if status not in ActionStatus.values:
            errors[f"status_{action.pk}"] = f"Choose the status of {label}"
        if not note.strip():
            errors[f"note_{action.pk}"] = f"Enter a progress note for {label}"
        too_long(errors, f"note_{action.pk}", note.strip(), NOTE_LIMIT, "A progress note")
    if errors:
        raise ValidationError(errors)
    if not actions:
        return []
    standing = sequencing_for_stages(case=review.case, stages={action.suits_from_stage for action in actions})
    existing = {
        progress.action_id: progress
        for progress in ActionProgress.objects.select_for_update().filter(review=review, action__in=actions)
    }
    saved = []
    with acting_as(actor):
        for action in actions:
            status, note = entries[action.pk]
            warning = standing[action.suits_from_stage].warning if status in OPEN_ACTION_STATUSES else ""
            progress = existing.get(action.pk)
            if progress is None:
                progress = ActionProgress(
                    action=action,
                    review=review,
                    author=actor,
                    noted_on=review.held_on,
                    status=status,
                    note=note.strip(),
                    sequencing_warning=warning,
                )
                progress.full_clean()
                progress.save()
            elif (progress.status, progress.note, progress.sequencing_warning) != (status, note.strip(), warning):
                progress.status, progress.note, progress.sequencing_warning = status, note.strip(), warning
                progress.author = actor
                progress.save(update_fields=["status", "note", "sequencing_warning", "author"])
            if action.status != status:
                action.status = status
                action.save(update_fields=["status"])
            saved.append(progress)
        finished = sum(1 for progress in saved if progress.status == ActionStatus.DONE)
        dropped = sum(1 for progress in saved if progress.status == ActionStatus.NO_LONGER_NEEDED)
        case_event_add(
            case=review.case,
            kind=CaseEventKind.ACTION,
            summary=f"Progress on {plural(len(saved), 'action')} recorded at the review of "
            f"{long_date(review.held_on)}: {finished} done, {dropped} no longer needed",
            actor=actor,
            link=review.get_absolute_url(),
        )
    return saved


@transaction.atomic
def review_goals_rate(
    *, review: Review, actor: User, ratings: Mapping[int, tuple[int | None, str]]
) -> list[GoalRating]:
    """Rate every open goal not yet rated at this review, dated the review's day (context: review)."""
    review = _lock_for_recording(review)
    goals = open_goals_to_rate(review)
    errors: dict[str, str] = {}
    for number, goal in enumerate(goals, start=1):
        score, note = ratings.get(goal.pk, (None, ""))
        if not isinstance(score, int) or isinstance(score, bool) or not 0 <= score <= 10:
            errors[f"score_{goal.pk}"] = f"Enter a score from 0 to 10 for goal {number}"
        too_long(errors, f"note_{goal.pk}", note.strip(), 1000, f"The note on goal {number}")
    if errors:
        raise ValidationError(errors)
    saved = []
    for goal in goals:
        score, note = ratings[goal.pk]
        try:
            rating = goal_rate(
                goal=goal, actor=actor, rated_on=review.held_on, score=score, context=RatingContext.REVIEW, note=note
            )
        except ValidationError as error:
            # Said about one goal (it closed meanwhile, for example): shown beside it.
            raise ValidationError({f"score_{goal.pk}": error.messages}) from error
        with acting_as(actor):
            ReviewGoalRating.objects.create(review=review, goal=goal, rating=rating)
        saved.append(rating)
    return saved


@transaction.atomic
def review_action_add(
    *,
    review: Review,
    actor: User,
    text: str,
    due_on: dt.date | None,
    suits_from_stage: int | None,
    owner: User | None = None,
    owner_name: str = "",
    owner_agency: Agency | None = None,
    owner_agency_name: str = "",
    justification: str = "",
    today: dt.date | None = None,
) -> Recommendation:
    """A new action agreed at the review, with its owner and due date. Where it suits a later TRM stage
    than the child's (trm_stages.sequencing), it needs a justification."""
    review = _lock_for_recording(review)
    case = review.case
    today = today or timezone.localdate()
    errors: dict[str, str] = {}
    if not text.strip():
        errors["text"] = "Enter the action"
    too_long(errors, "text", text.strip(), TEXT_LIMIT, "The action")
    if owner is not None:
        if not owner.is_active or not access.may(owner, Action.VIEW_SUMMARY, case):
            errors["owner"] = (
                f"{owner.get_full_name()} cannot see this case in ECM: share the case's summary with them, "
                "or choose someone else"
            )
    elif not owner_name.strip():
        errors["owner"] = "Choose who will do this, or enter their name"
    elif owner_agency is None and not owner_agency_name.strip():
        errors["owner_agency"] = f"Choose {owner_name.strip()}'s agency, or enter its name"
    if due_on is None:
        errors["due_on"] = "Enter the date the action is due"
    elif due_on < today:
        errors["due_on"] = "The date the action is due must be today or in the future"
    warning = ""
    if not isinstance(suits_from_stage, int) or not 1 <= suits_from_stage <= 6:
        errors["suits_from_stage"] = "Choose the lowest TRM stage this action suits"
    else:
        sequencing = sequencing_for_case(case=case, suits_from_stage=suits_from_stage)
        warning = sequencing.warning
        if sequencing.needs_justification and not justification.strip():
            errors["justification"] = f"{sequencing.warning} Say why this action suits the child now"
    too_long(errors, "justification", justification.strip(), TEXT_LIMIT, "The justification")
    if errors:
        raise ValidationError(errors)
    assert due_on is not None and suits_from_stage is not None  # noqa: S101 - checked above
    agency = agency_of(owner, case) if owner is not None else owner_agency
    with acting_as(actor):
        action = Recommendation(
            report=None,
            case=case,
            text=text.strip(),
            suits_from_stage=suits_from_stage,
            justification=justification.strip() if warning else "",
            sequencing_warning=warning[:400],
            owner=owner,
            owner_name="" if owner else owner_name.strip(),
            owner_agency=agency,
            owner_agency_name="" if owner or agency else owner_agency_name.strip(),
            due_on=due_on,
            status=ActionStatus.NOT_STARTED,
            became_action_at=timezone.now(),
        )
        action.full_clean()
        action.save()
        ReviewAction.objects.create(review=review, action=action)
        case_event_add(
            case=case,
            kind=CaseEventKind.ACTION,
            summary=f"Action added at the review of {long_date(review.held_on)} for {owner_label(action)}, "
            f"due {long_date(due_on)}",
            actor=actor,
            link=reverse("reviews:action_detail", args=[action.pk]),
        )
        hand_off(
            kind=HandoffKind.ACTION_ASSIGNED,
            subject_type="action",
            subject_id=action.pk,
            case_id=case.pk,
            recipients=[owner],
            actor=actor,
        )
    return action


@transaction.atomic
def review_outcome_set(*, review: Review, actor: User, childs_views: str, next_review_on: dt.date | None) -> Review:
    """The child's views and the date of the next review (by default this review plus the cadence)."""
    review = _lock_for_recording(review)
    errors: dict[str, str] = {}
    if not childs_views.strip():
        errors["childs_views"] = "Enter the child's views, or why they were not given"
    too_long(errors, "childs_views", childs_views.strip(), VIEWS_LIMIT, "The child's views")
    if next_review_on is None:
        errors["next_review_on"] = "Enter the date of the next review"
    elif next_review_on <= review.held_on:
        errors["next_review_on"] = f"The next review must be after this one, on {long_date(review.held_on)}"
    elif next_review_on > review.held_on + dt.timedelta(weeks=LONGEST_REVIEW_WEEKS):
        errors["next_review_on"] = "The next review must be within a year of this one"
    if errors:
        raise ValidationError(errors)
    with acting_as(actor):
        review.childs_views = childs_views.strip()
        review.next_review_on = next_review_on
        review.save(update_fields=["childs_views", "next_review_on", "updated_at"])
    return review


@transaction.atomic
def review_sign_off(*, review: Review, actor: User, now: dt.datetime | None = None) -> Review:
    """Sign the review off once every step is recorded. From then on nothing in it can change; its
    record is made into a PDF once this commits."""
    now = now or timezone.now()
    review = _lock_for_recording(review, now=now)
    steps = review_steps(review)
    if steps.problems:
        raise ValidationError({NON_FIELD_ERRORS: steps.problems})
    invitations = list(current_invitations(review.meeting))
    progress = list(
        ActionProgress.objects.filter(review=review).select_related("action").select_for_update(of=("self",))
    )
    # The warnings as they stand at sign-off, after this review's TRM re-assessment.
    standing = sequencing_for_stages(case=review.case, stages={note.action.suits_from_stage for note in progress})
    with acting_as(actor):
        for note in progress:
            warning = standing[note.action.suits_from_stage].warning if note.status in OPEN_ACTION_STATUSES else ""
            if note.sequencing_warning != warning:
                note.sequencing_warning = warning
                note.save(update_fields=["sequencing_warning"])
        review.attendance_record = [
            {
                "name": invitation.name,
                "role": invitation.role,
                "agency": invitation.agency_display,
                "attendance": invitation.attendance,
            }
            for invitation in invitations
        ]
        review.status = ReviewStatus.SIGNED_OFF
        review.signed_off_at = now
        review.signed_off_by = actor
        review.full_clean()
        review.save(update_fields=["attendance_record", "status", "signed_off_at", "signed_off_by", "updated_at"])
        attended = sum(1 for invitation in invitations if invitation.attendance == Attendance.ATTENDED)
        assert review.next_review_on is not None  # noqa: S101 - the steps require it
        case_event_add(
            case=review.case,
            kind=CaseEventKind.REVIEW,
            summary=f"Review of {long_date(review.held_on)} signed off: {attended} of {len(invitations)} invited "
            f"attended, progress on {plural(len(progress), 'action')}, {steps.actions_added} new; "
            f"next review {long_date(review.next_review_on)}",
            actor=actor,
            link=review.get_absolute_url(),
        )
    signed = review
    transaction.on_commit(lambda: review_document_request(review=signed))
    return review
