"""The review's walk-through of the actions, its goal ratings and its steps to sign-off (the review page)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import (
    BooleanField,
    Count,
    Exists,
    ExpressionWrapper,
    IntegerField,
    JSONField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce, JSONObject

from core.db import compiled_query
from formulation.models import MeetingStatus, Recommendation
from reviews.action_selectors import (
    OPEN_ACTION_STATUSES,
    action_origin,
    actions_of,
    in_order,
    owner_label,
    with_details,
    with_related,
)
from reviews.models import ActionProgress, Review, ReviewAction, ReviewGoalRating
from trm_stages.models import Goal, GoalStatus
from trm_stages.selectors import Standing, sequencing_for_stages
from trm_stages.sequencing import SequencingResult


@dataclass
class WalkthroughItem:
    """One action as the review walks through it."""

    action: Recommendation
    number: int
    at_this_review: ActionProgress | None
    earlier: list[ActionProgress]
    sequencing: SequencingResult | None  # live while the review is open; None once signed off

    @property
    def owner(self) -> str:
        return owner_label(self.action)

    @property
    def origin(self) -> str:
        return action_origin(self.action)

    @property
    def warning(self) -> str:
        """The sequencing warning standing now (open review) or at sign-off (signed-off review)."""
        if self.sequencing is not None:
            return self.sequencing.warning
        return self.at_this_review.sequencing_warning if self.at_this_review else ""


def _walked_through(review: Review | int, *, locked: bool) -> Q:
    """The actions a review walks through: while open, every open action not added at this review and
    every action already walked through at it; once signed off (`locked`), those it walked through."""
    walked = Q(Exists(ActionProgress.objects.filter(action=OuterRef("pk"), review=review)))
    if locked:
        return walked
    added_here = Exists(ReviewAction.objects.filter(action=OuterRef("pk"), review=review))
    return (Q(status__in=OPEN_ACTION_STATUSES) | walked) & ~Q(added_here)


def walkthrough_actions(review: Review) -> QuerySet[Recommendation]:
    """The actions a review walks through (`_walked_through`)."""
    return actions_of(review.case).filter(_walked_through(review, locked=review.is_locked))


def walkthrough(review: Review) -> list[WalkthroughItem]:
    """Every action of the walk-through with its note at this review, the earlier notes and the standing
    sequencing warning. A fixed number of queries however many actions there are."""
    return _items(review, list(in_order(with_details(walkthrough_actions(review)))))


def _walkthrough_and_added_rows(locked: bool, *, case: int, review: int) -> QuerySet[Recommendation]:
    """The case's actions the review walks through or added, each marked `walked_through` and carrying its
    note at this review, if any, as `note_here` (compiled once: `walkthrough_and_added`)."""
    condition = _walked_through(review, locked=locked)
    note_here = ActionProgress.objects.filter(action=OuterRef("pk"), review=review).values(
        row=JSONObject(**{name: name for name in _NOTE_HERE_FIELDS})
    )
    return in_order(with_related(actions_of(case).filter(condition | Q(added_at_review__review=review)))).annotate(
        walked_through=ExpressionWrapper(condition, output_field=BooleanField()),
        note_here=Subquery(note_here[:1], output_field=JSONField()),
    )


# What the review page shows of an action's note at the review (one per action per review).
_NOTE_HERE_FIELDS = ("id", "status", "note", "sequencing_warning")


def walkthrough_and_added(
    review: Review, *, standing: Standing | None = None
) -> tuple[list[WalkthroughItem], list[Recommendation]]:
    """`walkthrough` and `actions_added_at` from one read of the case's actions with their notes at this review
    (the review page, whose query count issue 14 caps at 12), as SQL compiled once (building it through the ORM
    cost more than running it). The page shows no earlier notes, so the items' `earlier` are empty.
    `standing`: the child's stage and the reference data, when read with the review."""
    rows = compiled_query(_walkthrough_and_added_rows, review.is_locked)
    actions: list[Any] = rows.fetch(case=review.case_id, review=review.pk)
    for action in actions:
        here = action.note_here
        action.notes = [] if here is None else [ActionProgress(action_id=action.pk, review_id=review.pk, **here)]
    added = [action for action in actions if _added_at(action, review)]
    added.sort(key=lambda action: (action.created_at, action.pk))
    return _items(review, [action for action in actions if action.walked_through], standing), added


def _added_at(action: Recommendation, review: Review) -> bool:
    link = getattr(action, "added_at_review", None)
    return link is not None and link.review_id == review.pk


def _items(review: Review, actions: list[Recommendation], standing: Standing | None = None) -> list[WalkthroughItem]:
    sequencing = (
        {}
        if review.is_locked
        else sequencing_for_stages(case=review.case, stages={a.suits_from_stage for a in actions}, standing=standing)
    )
    items = []
    for number, action in enumerate(actions, start=1):
        notes: list[ActionProgress] = getattr(action, "notes", [])
        items.append(
            WalkthroughItem(
                action=action,
                number=number,
                at_this_review=next((note for note in notes if note.review_id == review.pk), None),
                earlier=[note for note in notes if note.review_id != review.pk],
                sequencing=None if review.is_locked else sequencing[action.suits_from_stage],
            )
        )
    return items


def actions_added_at(review: Review) -> list[Recommendation]:
    """The actions this review added, in the order added."""
    return list(
        Recommendation.objects.filter(added_at_review__review=review)
        .select_related("owner", "owner_agency")
        .order_by("created_at", "pk")
    )


def open_goals_to_rate(review: Review) -> list[Goal]:
    """The case's open goals not yet rated at this review, in the order set."""
    rated = ReviewGoalRating.objects.filter(review=review, goal=OuterRef("pk"))
    return list(
        Goal.objects.filter(case=review.case, status=GoalStatus.OPEN, set_on__lte=review.held_on)
        .exclude(Exists(rated))
        .order_by("set_on", "recorded_at", "pk")
    )


@dataclass(frozen=True)
class RatedGoal:
    """A goal rated at a review, as the review page shows it."""

    goal_text: str
    score: int
    note: str


def goal_rating_rows() -> ArraySubquery:
    """A review's goal ratings as rows, in the order the goals were set: an annotation on reviews (`rated_goals`)."""
    ratings = ReviewGoalRating.objects.filter(review=OuterRef("pk")).order_by("goal__set_on", "pk")
    return ArraySubquery(
        ratings.values(row=JSONObject(goal_text="goal__text", score="rating__score", note="rating__note"))
    )


def rated_goals(review: Review) -> list[RatedGoal]:
    """The goal ratings read with the review (its `goal_rating_rows`: reviews.selectors.review_for's
    `for_review_page`)."""
    return [RatedGoal(**row) for row in review.goal_rating_rows]  # type: ignore[attr-defined]


def goal_ratings_at(review: Review) -> list[ReviewGoalRating]:
    return compiled_query(_goal_rating_rows).fetch(review=review.pk)


def _goal_rating_rows(*, review: int) -> QuerySet[ReviewGoalRating]:
    ratings = ReviewGoalRating.objects.filter(review=review).select_related("goal", "rating")
    return ratings.order_by("goal__set_on", "pk")


@dataclass
class ReviewSteps:
    """Where the recording of a review has got to, step by step (the review page's task list)."""

    review: Review
    attendance_done: bool
    stage_done: bool
    walkthrough_total: int
    walkthrough_done: int
    goals_to_rate: int
    goals_rated: int
    actions_added: int
    outcome_done: bool
    problems: list[str] = field(default_factory=list)

    @property
    def ready_to_sign_off(self) -> bool:
        return not self.problems

    @property
    def walkthrough_complete(self) -> bool:
        return self.walkthrough_done >= self.walkthrough_total

    @property
    def walkthrough_todo(self) -> str:
        return f"{self.walkthrough_done} of {self.walkthrough_total} done"

    @property
    def goals_todo(self) -> str:
        return f"{self.goals_to_rate} to rate"

    @property
    def goals_hint(self) -> str:
        return "" if self.goals_rated or self.goals_to_rate else "No open goals"

    @property
    def actions_todo(self) -> str:
        return "Optional" if not self.actions_added else f"{self.actions_added} added"


def goals_to_rate_count() -> Coalesce:
    """A fact of the review's row (`OuterRef("pk")` is the review, annotated with its `held_on_date`): how many
    open goals are not rated at it."""
    rated = ReviewGoalRating.objects.filter(review=OuterRef(OuterRef("pk")), goal=OuterRef("pk"))
    goals = Goal.objects.filter(
        case=OuterRef("case_id"), status=GoalStatus.OPEN, set_on__lte=OuterRef("held_on_date")
    ).exclude(Exists(rated))
    counted = goals.order_by().values("case").annotate(total=Count("pk")).values("total")
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def review_steps(
    review: Review,
    *,
    items: list[WalkthroughItem] | None = None,
    added_actions: list[Recommendation] | None = None,
    goal_ratings: Sequence[object] | None = None,
    goals_to_rate: int | None = None,
) -> ReviewSteps:
    """What is recorded and what is missing before the review can be signed off. A page that has already
    read the walk-through, the actions added, the goal ratings and how many goals are left to rate passes
    them in and they are counted."""
    if items is None:
        walked = walkthrough_actions(review)
        total = walked.count()
        done = ActionProgress.objects.filter(review=review, action__in=walked).count()
    else:
        # One note per action per review (action_progress_once_per_review).
        total, done = len(items), sum(1 for item in items if item.at_this_review is not None)
    to_rate = len(open_goals_to_rate(review)) if goals_to_rate is None else goals_to_rate
    steps = ReviewSteps(
        review=review,
        attendance_done=review.meeting.status == MeetingStatus.HELD,
        stage_done=review.stage_assessment_id is not None,
        walkthrough_total=total,
        walkthrough_done=done,
        goals_to_rate=to_rate,
        goals_rated=(
            len(goal_ratings) if goal_ratings is not None else ReviewGoalRating.objects.filter(review=review).count()
        ),
        actions_added=(
            len(added_actions) if added_actions is not None else ReviewAction.objects.filter(review=review).count()
        ),
        outcome_done=bool(review.childs_views.strip()) and review.next_review_on is not None,
    )
    if not steps.attendance_done:
        steps.problems.append("Record who attended the review")
    if not steps.stage_done:
        steps.problems.append("Record the TRM re-assessment")
    if done < total:
        steps.problems.append(f"Record progress on every open action ({done} of {total} done)")
    if to_rate:
        steps.problems.append(f"Rate every open goal ({to_rate} not rated yet)")
    if not steps.outcome_done:
        steps.problems.append("Record the child's views and the date of the next review")
    return steps
