"""The Trauma Recovery Model (Tricia Skuse and Jonny Matthew, 2018) as versioned reference data,
and the child's stage assessments.

Reference rows belong to a model version: editing the model publishes a new version, so an old
assessment keeps pointing at the stage text it was made against.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from accounts.history import history_tracked
from cases.models import Case

STAGE_NUMBERS = [MinValueValidator(1), MaxValueValidator(6)]


@history_tracked()
class TrmVersion(models.Model):
    number = models.PositiveIntegerField(unique=True)
    published_at = models.DateTimeField(auto_now_add=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-number"]
        permissions = [("publish_trm_version", "Publish a new version of the TRM reference data")]

    def __str__(self) -> str:
        return f"TRM reference data, version {self.number}"


@history_tracked()
class Stage(models.Model):
    version = models.ForeignKey(TrmVersion, on_delete=models.PROTECT, related_name="stages", db_index=False)
    number = models.PositiveSmallIntegerField(validators=STAGE_NUMBERS)
    name = models.CharField(max_length=100)
    needs = models.TextField("What the child needs")
    description = models.TextField()
    # How a child at this stage often presents: the indicators an assessor can choose from.
    indicators = ArrayField(models.CharField(max_length=200), default=list)

    class Meta:
        ordering = ["version", "number"]
        constraints = [models.UniqueConstraint(fields=["version", "number"], name="trm_stage_unique_number")]

    def __str__(self) -> str:
        return f"Stage {self.number}: {self.name}"


@history_tracked()
class Threshold(models.Model):
    """A threshold a child crosses to move from `below_stage` to the stage above it."""

    version = models.ForeignKey(TrmVersion, on_delete=models.PROTECT, related_name="thresholds", db_index=False)
    below_stage = models.PositiveSmallIntegerField(validators=[MinValueValidator(1), MaxValueValidator(5)])
    name = models.CharField(max_length=100)
    description = models.TextField()

    class Meta:
        ordering = ["version", "below_stage"]
        constraints = [models.UniqueConstraint(fields=["version", "below_stage"], name="trm_threshold_unique_position")]

    def __str__(self) -> str:
        return f"{self.name} (stage {self.below_stage} to {self.below_stage + 1})"


@history_tracked()
class InterventionType(models.Model):
    version = models.ForeignKey(TrmVersion, on_delete=models.PROTECT, related_name="intervention_types", db_index=False)
    name = models.CharField(max_length=200)
    lowest_stage = models.PositiveSmallIntegerField("Lowest stage it suits", validators=STAGE_NUMBERS)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["version", "lowest_stage", "name"]
        constraints = [models.UniqueConstraint(fields=["version", "name"], name="trm_intervention_unique_name")]

    def __str__(self) -> str:
        return self.name


class AssessmentSource(models.TextChoices):
    FORMULATION = "formulation", "Formulation"
    REVIEW = "review", "Review"
    CONSULTATION = "consultation", "Consultation"
    OTHER = "other", "Other"


@history_tracked()
class StageAssessment(models.Model):
    """The child's TRM stage on a date, by whom, with the evidence. The latest one is the current stage."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="stage_assessments", db_index=False)
    assessed_on = models.DateField()
    stage = models.ForeignKey(Stage, on_delete=models.PROTECT, related_name="+")
    thresholds_crossed = models.ManyToManyField(Threshold, blank=True, related_name="+")
    indicators = ArrayField(models.CharField(max_length=200), default=list, blank=True)
    evidence = models.TextField()
    source = models.CharField(max_length=20, choices=AssessmentSource.choices)
    assessor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # Required when the stage is lower than the one before: why the child moved back.
    move_back_note = models.TextField(blank=True)
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-assessed_on", "-recorded_at", "-pk"]
        permissions = [("record_stage_assessment", "Record a child's TRM stage on cases in scope")]
        indexes = [models.Index(fields=["case", "-assessed_on", "-recorded_at"], name="trm_assessment_latest")]

    def __str__(self) -> str:
        return f"{self.stage} on {self.assessed_on.day} {self.assessed_on:%b %Y}"


# THRIVE grouping and Goal-Based Outcomes (issue 4, items 5 and 6).

THRIVE_CREDIT = "THRIVE Framework, Wolpert et al., 2019 (Anna Freud Centre and Tavistock and Portman)"


class ThriveGroupingChoice(models.TextChoices):
    """The THRIVE Framework's needs-based groupings for a child who needs support (not 'thriving')."""

    GETTING_ADVICE = "getting_advice", "Getting advice"
    GETTING_HELP = "getting_help", "Getting help"
    GETTING_MORE_HELP = "getting_more_help", "Getting more help"
    GETTING_RISK_SUPPORT = "getting_risk_support", "Getting risk support"


# Our own plain-language summary of each grouping, shown as the hint beside it.
THRIVE_DESCRIPTIONS: dict[str, str] = {
    ThriveGroupingChoice.GETTING_ADVICE: (
        "Advice, signposting and support to manage, mostly from the people already around the child."
    ),
    ThriveGroupingChoice.GETTING_HELP: (
        "Focused help towards agreed goals for a particular difficulty, usually from one service."
    ),
    ThriveGroupingChoice.GETTING_MORE_HELP: (
        "More intensive or specialist help over a longer time, often from several agencies together."
    ),
    ThriveGroupingChoice.GETTING_RISK_SUPPORT: (
        "Not able to use help at the moment, or at risk: the network works together to keep the child "
        "safe and stay in contact."
    ),
}


@history_tracked()
class ThriveGrouping(models.Model):
    """The child's THRIVE grouping from a date. Every grouping is kept; the current one has the latest date."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="thrive_groupings", db_index=False)
    grouping = models.CharField(max_length=30, choices=ThriveGroupingChoice.choices)
    applies_from = models.DateField("Applies from")
    reason = models.CharField(max_length=1000)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-applies_from", "-recorded_at", "-pk"]
        indexes = [models.Index(fields=["case", "-applies_from", "-recorded_at"], name="trm_thrive_latest")]

    def __str__(self) -> str:
        return f"{self.get_grouping_display()} from {self.applies_from.day} {self.applies_from:%b %Y}"

    @property
    def description(self) -> str:
        return THRIVE_DESCRIPTIONS.get(self.grouping, "")


MAX_OPEN_GOALS = 3
SCORES = [MinValueValidator(0), MaxValueValidator(10)]


class GoalStatus(models.TextChoices):
    OPEN = "open", "Open"
    ACHIEVED = "achieved", "Achieved"
    STOPPED = "stopped", "Stopped"


@history_tracked()
class Goal(models.Model):
    """A goal set with the child (Goal-Based Outcomes), in the child's own words, rated 0 to 10 over time."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="goals", db_index=False)
    text = models.CharField("The goal, in the child's own words", max_length=500)
    set_by = models.CharField("Who set the goal", max_length=200)
    set_on = models.DateField("Date the goal was set")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(max_length=20, choices=GoalStatus.choices, default=GoalStatus.OPEN)
    closed_on = models.DateField(null=True, blank=True)
    closing_note = models.CharField(max_length=1000, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["set_on", "recorded_at", "pk"]
        indexes = [models.Index(fields=["case", "status"], name="trm_goal_case_status")]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(status="open") & models.Q(closed_on__isnull=True))
                | (~models.Q(status="open") & models.Q(closed_on__isnull=False)),
                name="trm_goal_closed_on_iff_closed",
            )
        ]

    def __str__(self) -> str:
        return self.text

    @property
    def is_open(self) -> bool:
        return self.status == GoalStatus.OPEN

    @property
    def is_achieved(self) -> bool:
        return self.status == GoalStatus.ACHIEVED


class RatingContext(models.TextChoices):
    START = "start", "Start"
    REVIEW = "review", "Review"
    OTHER = "other", "Other time"


@history_tracked()
class GoalRating(models.Model):
    """How close the child feels to the goal on a date, from 0 (not at all) to 10 (goal reached)."""

    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="ratings")
    rated_on = models.DateField()
    score = models.PositiveSmallIntegerField(validators=SCORES)
    note = models.CharField(max_length=1000, blank=True)
    context = models.CharField(max_length=20, choices=RatingContext.choices)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["rated_on", "recorded_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(score__gte=0) & models.Q(score__lte=10), name="trm_goal_rating_score_range"
            ),
            models.UniqueConstraint(
                fields=["goal"], condition=models.Q(context="start"), name="trm_goal_one_start_rating"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.score} out of 10 on {self.rated_on.day} {self.rated_on:%b %Y}"
