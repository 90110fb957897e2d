"""Reviews, and actions with their progress, through the API, on the same rules as their pages.

Reviews (reviews/views/reviews.py): the case's full-record readers read them (a partner: 403; another
service's case: 404).

Actions (reviews/views/actions.py, reviews/action_selectors.py): a recommendation of a signed-off
formulation report, or an action a review added. Its owner reaches it while they see its case at all
(a partner professional through the shared summary); anyone else needs the case's full record to read it
and to be a covering clinician to post progress. A case's list of actions is every action for the full
record's readers and the caller's own for the network, as "My actions" shows them. Progress goes through
the same service as the page (`reviews.services.action_progress_add`): the chronology says so.
"""

from __future__ import annotations

from typing import Any, cast

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_field, extend_schema_view
from rest_framework import serializers

from accounts.models import User
from cases import access
from cases.access import Action
from cases.models import Case
from core.api.views import ApiActionView, ApiDetailView, ApiListView
from formulation.api import RecommendationSerializer
from formulation.models import ActionStatus, Recommendation
from reviews import action_selectors, selectors, services
from reviews.models import ActionProgress, Review
from reviews.services.common import NOTE_LIMIT

# --- Actions -------------------------------------------------------------------------------------------


class ActionProgressSerializer(serializers.ModelSerializer):
    author = serializers.CharField(source="author.get_full_name", read_only=True)
    review: serializers.PrimaryKeyRelatedField[Review] = serializers.PrimaryKeyRelatedField(
        read_only=True, allow_null=True, help_text="The review it was noted at; null between reviews"
    )

    class Meta:
        model = ActionProgress
        fields = ["id", "noted_on", "status", "note", "author", "review", "created_at"]
        read_only_fields = fields


class ActionSerializer(RecommendationSerializer):
    """An action with where it comes from and every progress note, newest first."""

    case: serializers.PrimaryKeyRelatedField[Case] = serializers.PrimaryKeyRelatedField(read_only=True)
    origin = serializers.SerializerMethodField(help_text="The report's version, or the review that added it")
    progress = ActionProgressSerializer(many=True, read_only=True, source="notes")

    class Meta(RecommendationSerializer.Meta):
        fields = ["id", "case", *RecommendationSerializer.Meta.fields[1:], "origin", "progress"]
        read_only_fields = fields

    def get_origin(self, action: Recommendation) -> str:
        return action_selectors.action_origin(action)


class ActionProgressInputSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=ActionStatus.choices, help_text="The status the action is in now")
    note = serializers.CharField(max_length=NOTE_LIMIT, help_text="What has happened since the last update")


@extend_schema_view(get=extend_schema(summary="The case's actions I may see", tags=["actions"]))
class CaseActionListApi(ApiListView):
    """The case's actions, newest first: every one for the full record's readers; the caller's own for anyone
    else who sees the case (as "My actions" shows them)."""

    serializer_class = ActionSerializer
    list_name = "actions API"
    audit_case_field = None  # the case's view is logged when it is fetched (`get_case_for`), as on the page

    def get_queryset(self) -> QuerySet[Recommendation]:
        if getattr(self, "swagger_fake_view", False):
            return Recommendation.objects.none()
        user = self.request.user
        case = access.get_case_for(user, self.kwargs["case_id"], Action.VIEW_SUMMARY)
        actions = action_selectors.actions_of(case)
        if not access.may(user, Action.VIEW, case):
            actions = actions.filter(owner=cast(User, user))
        return action_selectors.with_details(action_selectors.in_order(actions))


@extend_schema_view(get=extend_schema(summary="One action with its progress", tags=["actions"]))
class ActionDetailApi(ApiDetailView):
    """One action with its progress notes: its owner while they see the case, else the full record's readers.
    Its `ETag` is what posting progress sends in `If-Match`."""

    serializer_class = ActionSerializer

    def get_object(self) -> Recommendation:
        return action_selectors.action_for(user=self.request.user, action_id=self.kwargs["action_id"], purpose="read")


def _action_again(action: Recommendation) -> Recommendation:
    """The action as it stands after a write, with its notes (its case already fetched for the caller)."""
    found = action_selectors.with_details(Recommendation.objects.filter(pk=action.pk)).get()
    found.case = action.case
    return found


@extend_schema_view(
    post=extend_schema(
        summary="Post progress on an action",
        tags=["actions"],
        examples=[
            OpenApiExample(
                "Under way",
                value={"status": "in_progress", "note": "The first session with the speech therapist was held."},
                request_only=True,
            )
        ],
    )
)
class ActionProgressApi(ApiActionView):
    """Post progress on an action: its status now and what has happened (its owner while they see the case, or a
    covering clinician; the case open). Answers with the action, its new note first, and its new `ETag`."""

    serializer_class = ActionSerializer
    input_serializer_class = ActionProgressInputSerializer

    def get_object_for_update(self) -> Recommendation:
        action = action_selectors.action_for(
            user=self.request.user, action_id=self.kwargs["action_id"], purpose="progress"
        )
        self.case = action.case
        return action

    def perform_update(self, record: Recommendation, data: dict[str, Any]) -> Recommendation:
        record.case = self.case
        services.action_progress_add(action=record, actor=cast(User, self.request.user), **data)
        return _action_again(record)

    def read_again(self, record: Recommendation) -> Recommendation:
        return _action_again(record)


# --- Reviews -------------------------------------------------------------------------------------------


class ReviewSummarySerializer(serializers.ModelSerializer):
    held_on = serializers.DateField(read_only=True, help_text="The day its meeting starts (UK time)")
    chair = serializers.CharField(source="chair.get_full_name", read_only=True)
    signed_off_by = serializers.CharField(source="signed_off_by.get_full_name", read_only=True, allow_null=True)

    class Meta:
        model = Review
        fields = ["id", "meeting", "held_on", "status", "chair", "next_review_on", "signed_off_at", "signed_off_by"]
        read_only_fields = fields


class AttendanceLineSerializer(serializers.Serializer):
    name = serializers.CharField()
    role = serializers.CharField(allow_blank=True)
    agency = serializers.CharField(source="agency_display", allow_blank=True)
    attendance = serializers.CharField()


class ReviewStageSerializer(serializers.Serializer):
    assessment = serializers.IntegerField(source="pk")
    stage = serializers.IntegerField(source="stage.number")
    assessed_on = serializers.DateField()


class ReviewSerializer(ReviewSummarySerializer):
    """One review as its page shows it: who came (as signed off, once it is), the child's views, the stage
    recorded, and the progress noted on each action at it."""

    attendance = serializers.SerializerMethodField()
    stage = serializers.SerializerMethodField()
    progress = ActionProgressSerializer(many=True, read_only=True, source="progress_noted")
    added_actions = serializers.SerializerMethodField(help_text="The actions this review added")

    class Meta(ReviewSummarySerializer.Meta):
        fields = [
            *ReviewSummarySerializer.Meta.fields,
            "childs_views",
            "stage",
            "attendance",
            "progress",
            "added_actions",
        ]
        read_only_fields = fields

    @extend_schema_field(AttendanceLineSerializer(many=True))
    def get_attendance(self, review: Review) -> list[dict[str, Any]]:
        return list(AttendanceLineSerializer(selectors.attendance_of(review), many=True).data)

    @extend_schema_field(ReviewStageSerializer(allow_null=True))
    def get_stage(self, review: Review) -> dict[str, Any] | None:
        if review.stage_assessment_id is None:
            return None
        return dict(ReviewStageSerializer(review.stage_assessment).data)

    @extend_schema_field(serializers.ListField(child=serializers.IntegerField()))
    def get_added_actions(self, review: Review) -> list[int]:
        return [added.action_id for added in review.added_actions.order_by("pk")]


@extend_schema_view(get=extend_schema(summary="The case's reviews", tags=["reviews"]))
class ReviewListApi(ApiListView):
    """The case's reviews, newest scheduled first (the full record's readers)."""

    serializer_class = ReviewSummarySerializer
    list_name = "reviews API"
    audit_case_field = None  # the case's view is logged when it is fetched (`get_case_for`), as on the page

    def get_queryset(self) -> QuerySet[Review]:
        if getattr(self, "swagger_fake_view", False):
            return Review.objects.none()
        case = access.get_case_for(self.request.user, self.kwargs["case_id"], Action.VIEW)
        return selectors.reviews_of(case)


@extend_schema_view(get=extend_schema(summary="One review and what it recorded", tags=["reviews"]))
class ReviewDetailApi(ApiDetailView):
    """One review of the case: while open, what is recorded so far; once signed off, its record."""

    serializer_class = ReviewSerializer

    def get_object(self) -> Review:
        review = selectors.review_for(
            user=self.request.user,
            case_id=self.kwargs["case_id"],
            review_id=self.kwargs["review_id"],
            action=Action.VIEW,
        )
        notes = ActionProgress.objects.filter(review=review).select_related("author").order_by("action_id", "pk")
        review.progress_noted = list(notes)  # type: ignore[attr-defined]
        return review
