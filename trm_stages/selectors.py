"""Reads of the TRM reference data, of a child's stage, and of their THRIVE grouping and goals."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.contrib.postgres.expressions import ArraySubquery
from django.db import DEFAULT_DB_ALIAS
from django.db.models import JSONField, OuterRef, Prefetch, QuerySet, Subquery
from django.db.models.functions import JSONObject
from django.utils import timezone
from django.utils.safestring import SafeString

from cases.models import Case
from core.db import compiled_query
from core.memo import memoised
from trm_stages.charts import ChartPoint, stage_chart
from trm_stages.goal_chart import ChartGoal, GoalChart, Rating, build_goal_chart
from trm_stages.models import (
    MAX_OPEN_GOALS,
    THRIVE_CREDIT,
    THRIVE_DESCRIPTIONS,
    Goal,
    GoalRating,
    RatingContext,
    Stage,
    StageAssessment,
    Threshold,
    ThriveGrouping,
    ThriveGroupingChoice,
    TrmVersion,
)
from trm_stages.sequencing import SequencingResult, check_sequencing


def current_version() -> TrmVersion:
    """The reference data new assessments are made against: the latest published version (read afresh:
    the services that record against it and publish the next one need the version as it is now)."""
    return TrmVersion.objects.order_by("-number").first() or TrmVersion.objects.get()


# Keys of what `core.memo` keeps for the request (the services that change them forget them).
REFERENCE_MEMO = "trm-reference"
ASSESSMENTS_MEMO = "trm-assessments"


@dataclass(frozen=True)
class TrmReference:
    """One version of the reference data as the pages judge and label with it: its stages' names and
    its thresholds (the sequencing rule's gates)."""

    version: TrmVersion
    stage_names: dict[int, str]
    thresholds: list[Threshold]


def trm_reference(version_id: int | None = None) -> TrmReference:
    """The current version's reference data (or that of `version_id`): one query, kept for the request
    (a version, once published, never changes; publishing the next one forgets it)."""
    current = memoised((REFERENCE_MEMO, None), lambda: _read_reference(None))
    if version_id is None or version_id == current.version.pk:
        return current
    return memoised((REFERENCE_MEMO, version_id), lambda: _read_reference(version_id))


_THRESHOLD_FIELDS = ("id", "version_id", "below_stage", "name", "description")


def _with_reference_rows(versions: QuerySet[TrmVersion]) -> QuerySet[TrmVersion]:
    names = Stage.objects.filter(version=OuterRef("pk")).order_by("number")
    gates = Threshold.objects.filter(version=OuterRef("pk")).order_by("below_stage")
    return versions.annotate(
        stage_rows=ArraySubquery(names.values(row=JSONObject(number="number", name="name"))),
        threshold_rows=ArraySubquery(gates.values(row=JSONObject(**{field: field for field in _THRESHOLD_FIELDS}))),
    )


def _current_reference_rows() -> QuerySet[TrmVersion]:
    return _with_reference_rows(TrmVersion.objects.order_by("-number")[:1])


def _reference_rows_of(*, version: int) -> QuerySet[TrmVersion]:
    return _with_reference_rows(TrmVersion.objects.filter(pk=version))


def _read_reference(version_id: int | None) -> TrmReference:
    # Compiled once (core.db.compiled_query): on every page that judges sequencing, compiling its two array
    # subqueries through the ORM cost several times what running them does.
    found = (
        compiled_query(_current_reference_rows).fetch()
        if version_id is None
        else compiled_query(_reference_rows_of).fetch(version=version_id)
    )
    version: Any = found[0] if found else None  # with its stage_rows and threshold_rows
    if version is None:
        raise TrmVersion.DoesNotExist("No version of the TRM reference data is published")
    rows: list[dict[str, Any]] = version.stage_rows
    thresholds: list[dict[str, Any]] = version.threshold_rows
    return TrmReference(
        version=version,
        stage_names={row["number"]: row["name"] for row in rows},
        thresholds=[
            Threshold.from_db(DEFAULT_DB_ALIAS, list(_THRESHOLD_FIELDS), [row[field] for field in _THRESHOLD_FIELDS])
            for row in thresholds
        ],
    )


def stages(version: TrmVersion | None = None) -> list[Stage]:
    if version is None:
        return list(Stage.objects.filter(version_id=trm_reference().version.pk).order_by("number"))
    return list(Stage.objects.filter(version=version).order_by("number"))


def thresholds(version: TrmVersion | None = None) -> list[Threshold]:
    return list(trm_reference(version.pk if version is not None else None).thresholds)


def case_assessments(case: Case) -> list[StageAssessment]:
    """The case's stage assessments, oldest first, with their stage and assessor: one query, kept for the
    request (the pages that show the journey and judge sequencing share it; recording an assessment
    forgets it)."""
    return memoised((ASSESSMENTS_MEMO, case.pk), lambda: compiled_query(_assessment_rows).fetch(case=case.pk))


def _assessment_rows(*, case: int) -> QuerySet[StageAssessment]:
    return (
        StageAssessment.objects.filter(case=case)
        .select_related("stage", "assessor")
        .order_by("assessed_on", "recorded_at", "pk")
    )


def latest_assessment(case: Case, on_or_before: dt.date | None = None) -> StageAssessment | None:
    """The child's current stage is the latest assessment on the case (or the latest up to a date)."""
    assessments = StageAssessment.objects.filter(case=case)
    if on_or_before is not None:
        assessments = assessments.filter(assessed_on__lte=on_or_before)
    return assessments.select_related("stage", "assessor").order_by("-assessed_on", "-recorded_at", "-pk").first()


def current_stage_number(case: Case) -> int | None:
    """The stage of the latest assessment (None before any), from the request's read of the assessments."""
    assessments = case_assessments(case)
    return assessments[-1].stage.number if assessments else None


def sequencing_for_case(*, case: Case, suits_from_stage: int) -> SequencingResult:
    """Does something that suits children from `suits_from_stage` suit this child now?"""
    return check_sequencing(
        current_stage=current_stage_number(case),
        suits_from_stage=suits_from_stage,
        thresholds=trm_reference().thresholds,
    )


@dataclass(frozen=True)
class Standing:
    """Where a child stands for judging sequencing: their current stage and the current reference data,
    when a page has read them with something else (`stage_now`, `current_version_key`)."""

    current_stage: int | None
    reference: TrmReference


def stage_now(case: str = "case_id") -> Subquery:
    """The case's current stage number as an annotation on rows with a case (`current_stage_number`'s)."""
    latest = StageAssessment.objects.filter(case=OuterRef(case)).order_by("-assessed_on", "-recorded_at", "-pk")
    return Subquery(latest.values("stage__number")[:1])


def current_version_key() -> Subquery:
    """The current version's id and publishing time as an annotation, for `reference_by_key`."""
    latest = TrmVersion.objects.order_by("-number").values(key=JSONObject(id="pk", published_at="published_at"))
    return Subquery(latest[:1], output_field=JSONField())


# Versions' reference data kept for the process: a version, once published, never changes.
_PUBLISHED: dict[tuple[int, str], TrmReference] = {}
_PUBLISHED_KEPT = 32


def reference_by_key(key: Mapping[str, Any] | None) -> TrmReference:
    """The reference data of the version `current_version_key` named, read once per process. The key holds
    when it was published too, so a database emptied and filled again (the tests') never reuses one."""
    if not key:
        raise TrmVersion.DoesNotExist("No version of the TRM reference data is published")
    kept = (int(key["id"]), str(key["published_at"]))
    reference = _PUBLISHED.get(kept)
    if reference is None:
        reference = _read_reference(kept[0])
        if len(_PUBLISHED) >= _PUBLISHED_KEPT:
            _PUBLISHED.clear()
        _PUBLISHED[kept] = reference
    return reference


def sequencing_for_stages(
    *, case: Case, stages: Iterable[int], standing: Standing | None = None
) -> dict[int, SequencingResult]:
    """`sequencing_for_case` for several stages at once: the child's stage and the thresholds are read once
    (or taken from `standing`, read with something else)."""
    wanted = sorted(set(stages))
    if not wanted:
        return {}
    if standing is None:
        current, gates = current_stage_number(case), trm_reference().thresholds
    else:
        current, gates = standing.current_stage, standing.reference.thresholds
    return {
        stage: check_sequencing(current_stage=current, suits_from_stage=stage, thresholds=gates) for stage in wanted
    }


@dataclass(frozen=True)
class JourneyStep:
    assessment: StageAssessment
    moved_back: bool
    moved_on: bool


@dataclass(frozen=True)
class StageJourney:
    """A child's stage over time: the steps in date order, where they are now and since when, and the chart."""

    steps: list[JourneyStep]
    current: StageAssessment | None
    in_stage_since: dt.date | None
    days_in_stage: int | None
    chart: SafeString
    stage_names: dict[int, str]

    @property
    def newest_first(self) -> list[JourneyStep]:
        return list(reversed(self.steps))


def stage_journey(*, case: Case, today: dt.date | None = None, with_thresholds: bool = False) -> StageJourney:
    """The child's TRM journey in two queries, shared with the rest of the request (the assessments and the
    reference data); with the thresholds judged crossed, the assessments are read afresh with them."""
    today = today or timezone.localdate()
    if with_thresholds:
        ordered = list(
            StageAssessment.objects.filter(case=case)
            .select_related("stage", "assessor")
            .prefetch_related("thresholds_crossed")
            .order_by("assessed_on", "recorded_at", "pk")
        )
    else:
        ordered = case_assessments(case)
    steps: list[JourneyStep] = []
    for index, assessment in enumerate(ordered):
        before = ordered[index - 1].stage.number if index else None
        number = assessment.stage.number
        steps.append(
            JourneyStep(
                assessment=assessment,
                moved_back=before is not None and number < before,
                moved_on=before is not None and number > before,
            )
        )
    current = ordered[-1] if ordered else None
    since = None
    if current is not None:
        since = current.assessed_on
        for assessment in reversed(ordered):
            if assessment.stage.number != current.stage.number:
                break
            since = assessment.assessed_on
    # Names from the version the latest assessment was made against (the current version when none).
    names = dict(trm_reference(current.stage.version_id if current else None).stage_names)
    end = case.closed_at.date() if case.closed_at else today
    points = [
        ChartPoint(on=step.assessment.assessed_on, stage=step.assessment.stage.number, moved_back=step.moved_back)
        for step in steps
    ]
    return StageJourney(
        steps=steps,
        current=current,
        in_stage_since=since,
        days_in_stage=(end - since).days if since else None,
        chart=stage_chart(points, stage_names=names, end=end, chart_id=f"stage-chart-{case.pk}"),
        stage_names=names,
    )


# THRIVE grouping and Goal-Based Outcomes.


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
    def room_for_goal(self) -> bool:
        return len(self.open_goals) < MAX_OPEN_GOALS

    @property
    def max_open_goals(self) -> int:
        return MAX_OPEN_GOALS

    @property
    def credit(self) -> str:
        return THRIVE_CREDIT


def outcome_facts() -> dict[str, Any]:
    """The current THRIVE grouping as a fact on the case's row (cases.sections): its id, grouping and date."""
    latest = ThriveGrouping.objects.filter(case=OuterRef("pk")).order_by("-applies_from", "-recorded_at", "-pk")
    row = JSONObject(id="id", grouping="grouping", applies_from="applies_from")
    return {"thrive": Subquery(latest.values(row=row)[:1], output_field=JSONField())}


def _thrive_from(case: Case, facts: Mapping[str, Any]) -> ThriveGrouping | None:
    """The grouping the fact describes (its other fields load if asked for), or None."""
    row = facts.get("thrive")
    if row is None:
        return None
    grouping = ThriveGrouping.from_db(
        DEFAULT_DB_ALIAS,
        ["id", "case_id", "grouping", "applies_from"],
        [row["id"], case.pk, row["grouping"], dt.date.fromisoformat(row["applies_from"])],
    )
    grouping.case = case
    return grouping


def outcomes_for_case(*, case: Case, facts: Mapping[str, Any] | None = None) -> CaseOutcomes:
    """The current THRIVE grouping and since when, the open goals with their start and latest ratings,
    and the chart of the open goals: three queries whatever the number of goals and ratings (two when the
    page has read `outcome_facts` with its other facts)."""
    goals = goals_for(case=case)
    open_goals = [goal for goal in goals if goal.is_open]
    return CaseOutcomes(
        case=case,
        thrive=current_thrive_grouping(case=case) if facts is None else _thrive_from(case, facts),
        open_goals=[summarise(goal) for goal in open_goals],
        closed_goal_count=len(goals) - len(open_goals),
        chart=goal_chart_for(open_goals, chart_id="case-goal-chart", title="Ratings of the open goals over time"),
    )
