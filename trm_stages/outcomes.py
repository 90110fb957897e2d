"""THRIVE grouping and Goal-Based Outcomes on a case: the writes (services) and the reads (selectors).

The THRIVE grouping (THRIVE Framework, Wolpert et al., 2019) is dated and every grouping is kept;
the current one is the latest. Goals are set with the child in the child's own words and rated from
0 to 10: at the start, at each review and at any other time. A case has at most three open goals.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.db.models import Prefetch, QuerySet
from django.urls import reverse
from django.utils import timezone

from accounts.history import acting_as
from accounts.models import User
from cases.models import Case, CaseEventKind, Visibility
from cases.services import case_event_add
from trm_stages.goal_chart import ChartGoal, GoalChart, Rating, build_goal_chart, day_label
from trm_stages.models import (
    MAX_OPEN_GOALS,
    THRIVE_CREDIT,
    THRIVE_DESCRIPTIONS,
    Goal,
    GoalRating,
    GoalStatus,
    RatingContext,
    ThriveGrouping,
    ThriveGroupingChoice,
)

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


# Writes


@transaction.atomic
def thrive_grouping_set(
    *, case: Case, actor: User, grouping: str, applies_from: dt.date, reason: str
) -> ThriveGrouping:
    """Put the child in a THRIVE grouping from a date. The groupings before it stay as history."""
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


# Reads


def current_thrive_grouping(*, case: Case) -> ThriveGrouping | None:
    """The child's THRIVE grouping now: the one with the latest date (the latest recorded on a tie)."""
    return ThriveGrouping.objects.filter(case=case).order_by("-applies_from", "-recorded_at", "-pk").first()


def thrive_groupings() -> list[tuple[str, str, str]]:
    """The four groupings: value, name and ECM's own description of each."""
    return [(value, label, THRIVE_DESCRIPTIONS[value]) for value, label in ThriveGroupingChoice.choices]


def thrive_history(*, case: Case) -> QuerySet[ThriveGrouping]:
    """Every THRIVE grouping of the case, the current one first."""
    return (
        ThriveGrouping.objects.filter(case=case)
        .select_related("recorded_by")
        .order_by("-applies_from", "-recorded_at", "-pk")
    )


def goals_for(*, case: Case) -> list[Goal]:
    """Every goal of the case in the order set, numbered from 1, with their ratings: two queries."""
    ratings = GoalRating.objects.select_related("recorded_by").order_by("rated_on", "recorded_at", "pk")
    goals = list(
        Goal.objects.filter(case=case)
        .select_related("recorded_by", "closed_by")
        .prefetch_related(Prefetch("ratings", queryset=ratings))
        .order_by("set_on", "recorded_at", "pk")
    )
    for number, goal in enumerate(goals, start=1):
        goal.number = number  # type: ignore[attr-defined]
    return goals


def goal_chart_for(
    goals: list[Goal], *, chart_id: str = "goal-chart", title: str = "Goal ratings over time"
) -> GoalChart:
    """The chart of these goals (from goals_for, so their ratings are already fetched)."""
    chart_goals = [
        ChartGoal(
            number=getattr(goal, "number", index),
            text=goal.text,
            ratings=[
                Rating(rated_on=rating.rated_on, score=rating.score, context=rating.get_context_display())
                for rating in goal.ratings.all()
            ],
        )
        for index, goal in enumerate(goals, start=1)
    ]
    return build_goal_chart(chart_goals, chart_id=chart_id, title=title)


@dataclass(frozen=True)
class GoalSummary:
    goal: Goal
    number: int
    start: GoalRating | None
    latest: GoalRating | None
    ratings: list[GoalRating]

    @property
    def change(self) -> int | None:
        """How far the score has moved since the start (None until there is a second rating)."""
        if self.start is None or self.latest is None or self.latest.pk == self.start.pk:
            return None
        return self.latest.score - self.start.score


def summarise(goal: Goal) -> GoalSummary:
    ratings = list(goal.ratings.all())
    start = next(
        (rating for rating in ratings if rating.context == RatingContext.START), ratings[0] if ratings else None
    )
    return GoalSummary(
        goal=goal,
        number=getattr(goal, "number", 0),
        start=start,
        latest=ratings[-1] if ratings else None,
        ratings=ratings,
    )


@dataclass(frozen=True)
class CaseOutcomes:
    """What the case page shows of THRIVE and goals (templates/trm_stages/includes/case_outcomes.html)."""

    case: Case
    thrive: ThriveGrouping | None
    open_goals: list[GoalSummary]
    closed_goal_count: int
    chart: GoalChart

    @property
    def may_set_goal(self) -> bool:
        return len(self.open_goals) < MAX_OPEN_GOALS

    @property
    def max_open_goals(self) -> int:
        return MAX_OPEN_GOALS

    @property
    def credit(self) -> str:
        return THRIVE_CREDIT


def outcomes_for_case(*, case: Case) -> CaseOutcomes:
    """The current THRIVE grouping and since when, the open goals with their start and latest ratings,
    and the chart of the open goals: three queries whatever the number of goals and ratings."""
    goals = goals_for(case=case)
    open_goals = [goal for goal in goals if goal.is_open]
    return CaseOutcomes(
        case=case,
        thrive=current_thrive_grouping(case=case),
        open_goals=[summarise(goal) for goal in open_goals],
        closed_goal_count=len(goals) - len(open_goals),
        chart=goal_chart_for(open_goals, chart_id="case-goal-chart", title="Ratings of the open goals over time"),
    )
