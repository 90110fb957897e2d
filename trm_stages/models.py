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
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-number"]

    def __str__(self) -> str:
        return f"TRM reference data, version {self.number}"


@history_tracked()
class Stage(models.Model):
    version = models.ForeignKey(TrmVersion, on_delete=models.PROTECT, related_name="stages")
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

    version = models.ForeignKey(TrmVersion, on_delete=models.PROTECT, related_name="thresholds")
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
    version = models.ForeignKey(TrmVersion, on_delete=models.PROTECT, related_name="intervention_types")
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

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="stage_assessments")
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
        return f"{self.stage} on {self.assessed_on:%d %b %Y}"
