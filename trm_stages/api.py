"""The child's TRM stage assessments and goals (with their ratings) through the API, read only.

The same rules as their pages (trm_stages/views/stages.py, trm_stages/views/outcomes.py): the case's
full-record readers read them ("view"); a partner who sees only the shared summary gets 403, and anyone who
may not see the case 404.
"""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers

from cases import access
from cases.access import Action
from core.api.views import ApiDetailView, ApiListView, ApiView
from trm_stages.models import Goal, GoalRating, StageAssessment, Threshold


class StageAssessmentSerializer(serializers.ModelSerializer):
    stage = serializers.IntegerField(source="stage.number", read_only=True, help_text="The TRM stage, 1 to 5")
    stage_name = serializers.CharField(source="stage.name", read_only=True)
    trm_version = serializers.IntegerField(
        source="stage.version.number", read_only=True, help_text="The reference version it was made against"
    )
    thresholds_crossed: serializers.SlugRelatedField[Threshold] = serializers.SlugRelatedField(
        many=True, read_only=True, slug_field="name"
    )
    assessor = serializers.CharField(source="assessor.get_full_name", read_only=True)

    class Meta:
        model = StageAssessment
        fields = [
            "id",
            "assessed_on",
            "stage",
            "stage_name",
            "trm_version",
            "thresholds_crossed",
            "indicators",
            "evidence",
            "source",
            "move_back_note",
            "assessor",
            "recorded_at",
        ]
        read_only_fields = fields


class GoalRatingSerializer(serializers.ModelSerializer):
    recorded_by = serializers.CharField(source="recorded_by.get_full_name", read_only=True)

    class Meta:
        model = GoalRating
        fields = ["id", "rated_on", "score", "note", "context", "recorded_by", "recorded_at"]
        read_only_fields = fields


class GoalSerializer(serializers.ModelSerializer):
    recorded_by = serializers.CharField(source="recorded_by.get_full_name", read_only=True)
    ratings = GoalRatingSerializer(many=True, read_only=True, help_text="Oldest first, from 0 to 10")

    class Meta:
        model = Goal
        fields = [
            "id",
            "text",
            "set_by",
            "set_on",
            "status",
            "closed_on",
            "closing_note",
            "recorded_by",
            "recorded_at",
            "ratings",
        ]
        read_only_fields = fields


def _assessments(view: ApiView) -> QuerySet[StageAssessment]:
    """The case's assessments; the case through the access module first (404 invisible, 403 forbidden, logged)."""
    case = access.get_case_for(view.request.user, view.kwargs["case_id"], Action.VIEW)
    return StageAssessment.objects.filter(case=case).select_related("stage__version", "assessor")


@extend_schema_view(get=extend_schema(summary="The child's TRM stage assessments", tags=["TRM stages and goals"]))
class StageAssessmentListApi(ApiListView):
    """The child's stage assessments, newest recorded first (the current stage is the latest `assessed_on`)."""

    serializer_class = StageAssessmentSerializer
    list_name = "stage assessments API"
    audit_case_field = None  # the case's view is logged when it is fetched (`get_case_for`), as on the page

    def get_queryset(self) -> QuerySet[StageAssessment]:
        if getattr(self, "swagger_fake_view", False):
            return StageAssessment.objects.none()
        return _assessments(self).prefetch_related("thresholds_crossed")


@extend_schema_view(get=extend_schema(summary="One TRM stage assessment", tags=["TRM stages and goals"]))
class StageAssessmentDetailApi(ApiDetailView):
    """One stage assessment, with the stage of the reference version it was made against."""

    serializer_class = StageAssessmentSerializer

    def get_object(self) -> StageAssessment:
        assessment: StageAssessment = get_object_or_404(
            _assessments(self).prefetch_related("thresholds_crossed"), pk=self.kwargs["assessment_id"]
        )
        return assessment


@extend_schema_view(get=extend_schema(summary="The child's goals and their ratings", tags=["TRM stages and goals"]))
class GoalListApi(ApiListView):
    """The child's goals, newest set first, each with its ratings (oldest first)."""

    serializer_class = GoalSerializer
    list_name = "goals API"
    audit_case_field = None

    def get_queryset(self) -> QuerySet[Goal]:
        if getattr(self, "swagger_fake_view", False):
            return Goal.objects.none()
        case = access.get_case_for(self.request.user, self.kwargs["case_id"], Action.VIEW)
        ratings = GoalRating.objects.select_related("recorded_by").order_by("rated_on", "recorded_at", "pk")
        return (
            Goal.objects.filter(case=case)
            .select_related("recorded_by")
            .prefetch_related(Prefetch("ratings", queryset=ratings))
            .order_by("set_on", "recorded_at", "pk")
        )
