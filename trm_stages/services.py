"""Writes for the TRM: stage assessments, publishing reference data, THRIVE grouping and goals.

The THRIVE grouping (THRIVE Framework, Wolpert et al., 2019) is dated and every grouping is kept;
the current one is the latest. Goals are set with the child in the child's own words and rated from
0 to 10: at the start, at each review and at any other time. A case has at most three open goals.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts.history import acting_as
from accounts.models import User
from cases.models import Case, CaseEventKind, Visibility
from cases.services import case_event_add, ensure_open
from core.memo import forget
from trm_stages.goal_chart import day_label
from trm_stages.models import (
    MAX_OPEN_GOALS,
    Goal,
    GoalRating,
    GoalStatus,
    InterventionType,
    RatingContext,
    Stage,
    StageAssessment,
    Threshold,
    ThriveGrouping,
    ThriveGroupingChoice,
    TrmVersion,
)
from trm_stages.selectors import (
    ASSESSMENTS_MEMO,
    REFERENCE_MEMO,
    current_thrive_grouping,
    current_version,
    latest_assessment,
)


@transaction.atomic
def stage_assessment_record(
    *,
    case: Case,
    actor: User,
    assessed_on: dt.date,
    stage_number: int,
    evidence: str,
    source: str,
    thresholds_crossed: list[Threshold] | None = None,
    indicators: list[str] | None = None,
    move_back_note: str = "",
) -> StageAssessment:
    """Record the child's stage on a date. A move back needs a note, and the case's clinicians are told."""
    version = current_version()
    stage = Stage.objects.filter(version=version, number=stage_number).first()
    errors: dict[str, str] = {}
    ensure_open(case)
    if stage is None:
        errors["stage_number"] = "Choose a stage from 1 to 6"
    if assessed_on > timezone.localdate():
        errors["assessed_on"] = "The date of an assessment must not be in the future"
    if not evidence.strip():
        errors["evidence"] = "Enter the evidence for this stage"
    unknown = set(indicators or []) - set(stage.indicators if stage else [])
    if unknown:
        errors["indicators"] = "Choose indicators from the stage's list"
    if any(threshold.version_id != version.pk for threshold in thresholds_crossed or []):
        errors["thresholds_crossed"] = "Choose thresholds of the current TRM version"
    # Lock the case so two assessments recorded at once compare against the same previous stage.
    Case.objects.select_for_update().filter(pk=case.pk).first()
    # The assessment this one follows in time (a late entry for an earlier date compares with its own predecessor).
    previous = latest_assessment(case, on_or_before=assessed_on)
    moved_back = bool(stage and previous and stage.number < previous.stage.number)
    if moved_back and not move_back_note.strip():
        errors["move_back_note"] = (
            "Say why the child has moved back (for example the return to difficult behaviour after disclosure)"
        )
    if errors:
        raise ValidationError(errors)
    assert stage is not None  # noqa: S101 - errors above cover a missing stage
    with acting_as(actor):
        assessment = StageAssessment(
            case=case,
            assessed_on=assessed_on,
            stage=stage,
            indicators=list(indicators or []),
            evidence=evidence.strip(),
            source=source,
            assessor=actor,
            move_back_note=move_back_note.strip(),
        )
        assessment.full_clean()
        assessment.save()
        assessment.thresholds_crossed.set(thresholds_crossed or [])
        forget(ASSESSMENTS_MEMO)  # this request's later reads of the child's stage see the new assessment
        current = latest_assessment(case)
        Case.objects.filter(pk=case.pk).update(trm_stage=current.stage.number if current else None)
        movement = ""
        if previous and moved_back:
            movement = f", moved back from stage {previous.stage.number}"
        elif previous and stage.number > previous.stage.number:
            movement = f", moved on from stage {previous.stage.number}"
        case_event_add(
            case=case,
            kind=CaseEventKind.STAGE,
            summary=f"TRM {stage}{movement}",
            actor=actor,
            visibility=Visibility.FULL,
            link=reverse("trm_stages:assessment_detail", args=[case.pk, assessment.pk]),
            occurred_at=timezone.make_aware(dt.datetime.combine(assessed_on, dt.time(12, 0))),
        )
    if moved_back:
        transaction.on_commit(lambda: _tell_the_clinicians_of_a_move_back(assessment.pk))
    return assessment


def _tell_the_clinicians_of_a_move_back(assessment_id: int) -> None:
    """E-mail the case's allocated clinicians. It names no child: the detail is behind sign-in."""
    assessment = StageAssessment.objects.select_related("case__psychologist", "case__senior_practitioner", "stage").get(
        pk=assessment_id
    )
    case = assessment.case
    recipients = [person.email for person in (case.psychologist, case.senior_practitioner) if person and person.email]
    if recipients:
        send_mail(
            subject=f"ECM case {case.pk}: TRM stage moved back",
            message=f"A TRM assessment on case {case.pk} records a move back to stage {assessment.stage.number}.\n",
            from_email=None,
            recipient_list=recipients,
            fail_silently=True,
        )


@transaction.atomic
def trm_version_publish(
    *,
    actor: User,
    note: str,
    stages: list[dict[str, Any]],
    thresholds: list[dict[str, Any]],
    interventions: list[dict[str, Any]],
) -> TrmVersion:
    """Publish edited reference data as a new version. Old versions stay, so old assessments keep their meaning.

    `stages`: six dicts (number, name, needs, description, indicators); `thresholds`: three dicts
    (below_stage, name, description); `interventions`: dicts (name, lowest_stage, description).
    """
    errors: dict[str, str] = {}
    if not note.strip():
        errors["note"] = "Enter what changed in this version"
    if sorted(stage["number"] for stage in stages) != [1, 2, 3, 4, 5, 6]:
        errors["stages"] = "The model has six stages, numbered 1 to 6"
    if sorted(threshold["below_stage"] for threshold in thresholds) != [1, 2, 3]:
        errors["thresholds"] = "The model has three thresholds, after stages 1, 2 and 3"
    names = [intervention["name"].strip().lower() for intervention in interventions]
    if not names:
        errors["interventions"] = "Keep at least one intervention in the catalogue"
    elif len(set(names)) != len(names):
        errors["interventions"] = "Each intervention must appear once in the catalogue"
    if errors:
        raise ValidationError(errors)
    # Serialise publishers so two never take the same number.
    TrmVersion.objects.select_for_update().order_by("-number").first()
    with acting_as(actor):
        version = TrmVersion.objects.create(
            number=(current_version().number + 1), note=note.strip(), published_by=actor
        )
        for row in stages:
            Stage(version=version, **row).full_clean(exclude=["version"])
        Stage.objects.bulk_create(Stage(version=version, **row) for row in stages)
        Threshold.objects.bulk_create(Threshold(version=version, **row) for row in thresholds)
        InterventionType.objects.bulk_create(
            InterventionType(version=version, **{**row, "name": row["name"].strip()}) for row in interventions
        )
    forget(REFERENCE_MEMO)
    return version


# THRIVE grouping and Goal-Based Outcomes.

SCORE_MESSAGE = "Enter a score from 0 to 10"
GOAL_IN_SUMMARY = 120  # characters of the goal's words on a chronology line


def _at_noon(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(12, 0)))


def _quoted(text: str) -> str:
    text = " ".join(text.split())
    return f"“{text if len(text) <= GOAL_IN_SUMMARY else text[: GOAL_IN_SUMMARY - 1].rstrip() + '…'}”"


def _valid_score(score: int | None) -> bool:
    return isinstance(score, int) and not isinstance(score, bool) and 0 <= score <= 10


def _too_long(errors: dict[str, str], field: str, value: str, limit: int, what: str) -> None:
    if field not in errors and len(value) > limit:
        errors[field] = f"{what} must be {limit} characters or fewer"


def _lock_case(case: Case) -> None:
    """Serialise the writes that depend on the case's other rows (the current grouping, the open goals)."""
    Case.objects.select_for_update().filter(pk=case.pk).first()


@transaction.atomic
def thrive_grouping_set(
    *, case: Case, actor: User, grouping: str, applies_from: dt.date, reason: str
) -> ThriveGrouping:
    """Put the child in a THRIVE grouping from a date. The groupings before it stay as history."""
    ensure_open(case)
    reason = reason.strip()
    errors: dict[str, str] = {}
    if grouping not in ThriveGroupingChoice.values:
        errors["grouping"] = "Choose the THRIVE grouping"
    if applies_from > timezone.localdate():
        errors["applies_from"] = "The date the grouping applies from must be today or in the past"
    if not reason:
        errors["reason"] = "Enter the reason for the grouping"
    _too_long(errors, "reason", reason, 1000, "The reason")
    _lock_case(case)
    current = current_thrive_grouping(case=case)
    if current is not None and "applies_from" not in errors and applies_from < current.applies_from:
        errors["applies_from"] = (
            f"The date the grouping applies from must be on or after {day_label(current.applies_from)}, "
            "when the current grouping began"
        )
    if current is not None and current.grouping == grouping:
        already = current.get_grouping_display().lower()
        errors["grouping"] = f"{case.child.given_name} is already in {already}: choose a different grouping"
    if errors:
        raise ValidationError(errors)
    with acting_as(actor):
        thrive = ThriveGrouping(
            case=case, grouping=grouping, applies_from=applies_from, reason=reason, recorded_by=actor
        )
        thrive.full_clean()
        thrive.save()
        was = f" (was {current.get_grouping_display().lower()})" if current else ""
        case_event_add(
            case=case,
            kind=CaseEventKind.OUTCOMES,
            summary=f"THRIVE grouping: {thrive.get_grouping_display().lower()}{was}",
            actor=actor,
            visibility=Visibility.FULL,
            occurred_at=_at_noon(applies_from),
            link=reverse("trm_stages:thrive", args=[case.pk]),
        )
    return thrive


@transaction.atomic
def goal_set(
    *,
    case: Case,
    actor: User,
    text: str,
    set_by: str,
    set_on: dt.date,
    start_score: int | None,
    start_note: str = "",
) -> Goal:
    """Set a goal with the child, with its start rating. Refused while the case has three open goals."""
    ensure_open(case)
    text, set_by = text.strip(), set_by.strip()
    errors: dict[str, str] = {}
    if not text:
        errors["text"] = "Enter the goal in the child's own words"
    if not set_by:
        errors["set_by"] = "Enter who set the goal, for example Kai with Sam Okafor"
    if set_on > timezone.localdate():
        errors["set_on"] = "The date the goal was set must be today or in the past"
    if not _valid_score(start_score):
        errors["start_score"] = SCORE_MESSAGE
    _too_long(errors, "text", text, 500, "The goal")
    _too_long(errors, "set_by", set_by, 200, "Who set the goal")
    _too_long(errors, "start_note", start_note.strip(), 1000, "The note")
    # Lock the case so two goals set at once cannot both take the last open place.
    _lock_case(case)
    open_goals = Goal.objects.filter(case=case, status=GoalStatus.OPEN).count()
    if open_goals >= MAX_OPEN_GOALS:
        errors[NON_FIELD_ERRORS] = (
            f"{case.child.given_name} already has {MAX_OPEN_GOALS} open goals. "
            "Mark one as achieved or stopped before setting another"
        )
    if errors:
        raise ValidationError(errors)
    assert start_score is not None  # noqa: S101 - checked above
    with acting_as(actor):
        goal = Goal(case=case, text=text, set_by=set_by, set_on=set_on, recorded_by=actor)
        goal.full_clean()
        goal.save()
        rating = GoalRating(
            goal=goal,
            rated_on=set_on,
            score=start_score,
            note=start_note.strip(),
            context=RatingContext.START,
            recorded_by=actor,
        )
        rating.full_clean()
        rating.save()
        case_event_add(
            case=case,
            kind=CaseEventKind.OUTCOMES,
            summary=f"Goal set ({set_by[:80]}): {_quoted(text)}, start rating {start_score} out of 10",
            actor=actor,
            visibility=Visibility.FULL,
            occurred_at=_at_noon(set_on),
            link=reverse("trm_stages:goals", args=[case.pk]),
        )
    return goal


def _lock_open_goal(goal: Goal) -> Goal:
    """The goal, locked, refreshed and still open (someone may have closed it meanwhile)."""
    locked = Goal.objects.select_for_update().get(pk=goal.pk)
    ensure_open(goal.case)
    if not locked.is_open:
        raise ValidationError(
            {
                NON_FIELD_ERRORS: f"This goal was marked {locked.get_status_display().lower()} on "
                f"{day_label(locked.closed_on or locked.set_on)}: it can no longer be changed"
            }
        )
    return locked


@transaction.atomic
def goal_rate(
    *, goal: Goal, actor: User, rated_on: dt.date, score: int | None, context: str, note: str = ""
) -> GoalRating:
    """Rate an open goal again, at a review or at another time."""
    goal = _lock_open_goal(goal)
    errors: dict[str, str] = {}
    if not _valid_score(score):
        errors["score"] = SCORE_MESSAGE
    if rated_on > timezone.localdate():
        errors["rated_on"] = "The date of the rating must be today or in the past"
    elif rated_on < goal.set_on:
        errors["rated_on"] = (
            f"The date of the rating must be on or after {day_label(goal.set_on)}, when the goal was set"
        )
    if context not in (RatingContext.REVIEW, RatingContext.OTHER):
        errors["context"] = "Choose when the rating was given"
    _too_long(errors, "note", note.strip(), 1000, "The note")
    if errors:
        raise ValidationError(errors)
    assert score is not None  # noqa: S101 - checked above
    with acting_as(actor):
        rating = GoalRating(
            goal=goal, rated_on=rated_on, score=score, note=note.strip(), context=context, recorded_by=actor
        )
        rating.full_clean()
        rating.save()
        when = "at a review" if context == RatingContext.REVIEW else "between reviews"
        case_event_add(
            case=goal.case,
            kind=CaseEventKind.OUTCOMES,
            summary=f"Goal rated {score} out of 10 {when}: {_quoted(goal.text)}",
            actor=actor,
            visibility=Visibility.FULL,
            occurred_at=_at_noon(rated_on),
            link=reverse("trm_stages:goals", args=[goal.case_id]),
        )
    return rating


@transaction.atomic
def goal_close(*, goal: Goal, actor: User, status: str, closed_on: dt.date, note: str = "") -> Goal:
    """Mark an open goal achieved or stopped on a date, which makes room for a new goal."""
    goal = _lock_open_goal(goal)
    errors: dict[str, str] = {}
    if status not in (GoalStatus.ACHIEVED, GoalStatus.STOPPED):
        errors["status"] = "Choose whether the goal was achieved or stopped"
    latest = goal.ratings.order_by("-rated_on").values_list("rated_on", flat=True).first()
    if closed_on > timezone.localdate():
        errors["closed_on"] = "The date the goal ended must be today or in the past"
    elif closed_on < goal.set_on:
        errors["closed_on"] = f"The date the goal ended must be on or after {day_label(goal.set_on)}, when it was set"
    elif latest is not None and closed_on < latest:
        errors["closed_on"] = f"The date the goal ended must be on or after {day_label(latest)}, when it was last rated"
    if errors:
        raise ValidationError(errors)
    with acting_as(actor):
        goal.status = status
        goal.closed_on = closed_on
        goal.closing_note = note.strip()
        goal.closed_by = actor
        goal.full_clean()
        goal.save(update_fields=["status", "closed_on", "closing_note", "closed_by"])
        case_event_add(
            case=goal.case,
            kind=CaseEventKind.OUTCOMES,
            summary=f"Goal {goal.get_status_display().lower()}: {_quoted(goal.text)}",
            actor=actor,
            visibility=Visibility.FULL,
            occurred_at=_at_noon(closed_on),
            link=reverse("trm_stages:goals", args=[goal.case_id]),
        )
    return goal
