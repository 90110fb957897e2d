"""Meetings (with their attendance) and signed-off formulation reports (with their recommendations) through
the API, read only, on the same rules as their pages.

Meetings (formulation/views/meetings.py): everyone who reads the case's full record sees every meeting,
with attendance and notes once it is held; a partner who sees the case at all sees only the meetings they
are invited to, without attendance or notes (a meeting they are not invited to is not found). The
invitation e-mail addresses are for the people who run the case's meetings.

Formulation reports (formulation/views/reports.py): the API serves signed-off versions only, to the case's
full-record readers (a partner: 403, as on the pages; a version still being written: not found). Each read
of a version is logged as a read of the report, like its page.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Count, QuerySet
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import serializers

from accounts.audit import access_event_record
from accounts.models import AccessAction
from cases import access
from cases.access import Action
from cases.models import Case
from core.api.views import ApiDetailView, ApiListView
from formulation import selectors
from formulation.capabilities import meeting_capabilities
from formulation.models import (
    REPORT_SECTIONS,
    FormulationReport,
    Invitation,
    Meeting,
    Recommendation,
    ReportStatus,
)

# --- Meetings ------------------------------------------------------------------------------------------


class MeetingSummarySerializer(serializers.ModelSerializer):
    # A URL, or blank for a meeting in person only (a URL field would promise a URL every time).
    video_link = serializers.CharField(read_only=True, help_text="The video link (a URL); blank: in person only")
    organiser = serializers.CharField(source="organiser.get_full_name", read_only=True)
    invited_count = serializers.IntegerField(read_only=True, help_text="People invited now")
    attended_count = serializers.SerializerMethodField(help_text="People who came, once the meeting is held")

    class Meta:
        model = Meeting
        fields = [
            "id",
            "purpose",
            "status",
            "starts_at",
            "ends_at",
            "location",
            "video_link",
            "organiser",
            "invited_count",
            "attended_count",
        ]
        read_only_fields = fields

    def get_attended_count(self, meeting: Meeting) -> int | None:
        count: int | None = getattr(meeting, "attended_count", None)
        return count if meeting.is_held else None


class InvitationSerializer(serializers.ModelSerializer):
    agency = serializers.CharField(source="agency_display", read_only=True)
    email = serializers.SerializerMethodField(help_text="For the people who run the case's meetings; else null")
    attendance = serializers.SerializerMethodField(
        help_text="Once the meeting is held, for the case's full-record readers; else null"
    )

    class Meta:
        model = Invitation
        fields = ["id", "name", "role", "agency", "email", "attendance"]
        read_only_fields = fields

    def get_email(self, invitation: Invitation) -> str | None:
        return invitation.email if self.context["caps"].manage else None

    def get_attendance(self, invitation: Invitation) -> str | None:
        return invitation.attendance if self.context["caps"].see_attendance else None


class MeetingSerializer(MeetingSummarySerializer):
    """One meeting as its page shows it to the caller (`caps`: formulation.capabilities.meeting_capabilities)."""

    invitations = InvitationSerializer(many=True, read_only=True, source="current_invitations")
    notes = serializers.SerializerMethodField(
        help_text="The notes of a held meeting, for the case's full-record readers; else null"
    )

    class Meta(MeetingSummarySerializer.Meta):
        fields = [*MeetingSummarySerializer.Meta.fields, "cancelled_at", "cancel_reason", "invitations", "notes"]
        read_only_fields = fields

    def get_notes(self, meeting: Meeting) -> str | None:
        return meeting.notes if self.context["caps"].see_attendance else None


@extend_schema_view(get=extend_schema(summary="The case's meetings I may see", tags=["meetings"]))
class MeetingListApi(ApiListView):
    """The case's meetings the caller may see, newest scheduled first (a partner: the ones they are invited to)."""

    serializer_class = MeetingSummarySerializer
    list_name = "meetings API"
    audit_case_field = None  # the case's view is logged when it is fetched (`get_case_for`), as on the page

    def get_queryset(self) -> QuerySet[Meeting]:
        if getattr(self, "swagger_fake_view", False):
            return Meeting.objects.none()
        case = access.get_case_for(self.request.user, self.kwargs["case_id"], Action.VIEW_SUMMARY)
        return selectors.meetings_for_case(user=self.request.user, case=case)


@extend_schema_view(get=extend_schema(summary="One meeting and its attendance", tags=["meetings"]))
class MeetingDetailApi(ApiDetailView):
    """One meeting: its details and who is invited; attendance and notes for the full record once held."""

    serializer_class = MeetingSerializer

    def get_object(self) -> Meeting:
        user = self.request.user
        meeting = selectors.meeting_for(user=user, case_id=self.kwargs["case_id"], meeting_id=self.kwargs["meeting_id"])
        meeting.current_invitations = list(selectors.current_invitations(meeting))  # type: ignore[attr-defined]
        self.caps = meeting_capabilities(user, meeting)
        return meeting

    def get_serializer_context(self) -> dict[str, Any]:
        return {**super().get_serializer_context(), "caps": getattr(self, "caps", None)}


# --- Formulation reports (signed-off versions) --------------------------------------------------------


def _owner_label(recommendation: Recommendation) -> str:
    """Who owns a recommendation, with their agency: "Helen Marsh, Fernbrook Academy" (as its pages say)."""
    owner = recommendation.owner if recommendation.owner_id else None
    name = owner.get_full_name() if owner else recommendation.owner_name
    agency = recommendation.owner_agency if recommendation.owner_agency_id else None
    return ", ".join(part for part in (name, agency.name if agency else recommendation.owner_agency_name) if part)


class RecommendationSerializer(serializers.ModelSerializer):
    """A recommendation of a signed-off version: an action to track (its progress: /api/v1/actions/<id>/)."""

    owner = serializers.SerializerMethodField(help_text="Who owns it, with their agency")
    intervention_type = serializers.CharField(source="intervention_type.name", read_only=True, allow_null=True)
    report_version = serializers.IntegerField(source="report.version", read_only=True, allow_null=True)

    class Meta:
        model = Recommendation
        fields = [
            "id",
            "report_version",
            "position",
            "text",
            "intervention_type",
            "suits_from_stage",
            "justification",
            "owner",
            "due_on",
            "status",
            "became_action_at",
        ]
        read_only_fields = fields

    def get_owner(self, recommendation: Recommendation) -> str:
        return _owner_label(recommendation)


class ReportSummarySerializer(serializers.ModelSerializer):
    author = serializers.CharField(source="author.get_full_name", read_only=True)
    signed_off_by = serializers.CharField(source="signed_off_by.get_full_name", read_only=True, allow_null=True)
    recommendation_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = FormulationReport
        fields = [
            "id",
            "version",
            "status",
            "author",
            "signed_off_at",
            "signed_off_by",
            "trm_stage",
            "recommendation_count",
        ]
        read_only_fields = fields


class ReportSectionSerializer(serializers.Serializer):
    name = serializers.CharField()
    heading = serializers.CharField()
    text = serializers.CharField(allow_blank=True)


class ReportSerializer(ReportSummarySerializer):
    sections = serializers.SerializerMethodField()
    recommendations = RecommendationSerializer(many=True, read_only=True, source="ordered_recommendations")
    based_on_version = serializers.IntegerField(source="based_on.version", read_only=True, allow_null=True)

    class Meta(ReportSummarySerializer.Meta):
        fields = [
            *ReportSummarySerializer.Meta.fields,
            "based_on_version",
            "meeting",
            "sections",
            "trm_rationale",
            "child_friendly_summary",
            "recommendations",
        ]
        read_only_fields = fields

    @extend_schema_field(ReportSectionSerializer(many=True))
    def get_sections(self, report: FormulationReport) -> list[dict[str, str]]:
        return [
            {"name": name, "heading": heading, "text": getattr(report, name)} for name, heading, _ in REPORT_SECTIONS
        ]


def _signed_off(case: Case) -> QuerySet[FormulationReport]:
    return FormulationReport.objects.filter(case=case, status=ReportStatus.SIGNED_OFF)


@extend_schema_view(get=extend_schema(summary="The signed-off versions of the report", tags=["formulation reports"]))
class ReportListApi(ApiListView):
    """The case's signed-off versions of the formulation report, newest first (the full record's readers)."""

    serializer_class = ReportSummarySerializer
    list_name = "formulation reports API"
    audit_case_field = None  # the case's view is logged when it is fetched (`get_case_for`), as on the page

    def get_queryset(self) -> QuerySet[FormulationReport]:
        if getattr(self, "swagger_fake_view", False):
            return FormulationReport.objects.none()
        case = access.get_case_for(self.request.user, self.kwargs["case_id"], Action.VIEW)
        return (
            _signed_off(case)
            .select_related("author", "signed_off_by")
            .annotate(recommendation_count=Count("recommendations"))
            .order_by("-version")
        )


@extend_schema_view(
    get=extend_schema(summary="One signed-off version with its recommendations", tags=["formulation reports"])
)
class ReportDetailApi(ApiDetailView):
    """One signed-off version with its sections and recommendations; a version being written is not found."""

    serializer_class = ReportSerializer

    def get_object(self) -> FormulationReport:
        user = self.request.user
        # Logged as a read of the report below, as the report page does (formulation.selectors.report_for).
        case = access.get_case_for(user, self.kwargs["case_id"], Action.VIEW, log=False)
        report: FormulationReport = get_object_or_404(
            _signed_off(case)
            .select_related("author", "signed_off_by", "based_on")
            .annotate(recommendation_count=Count("recommendations")),
            pk=self.kwargs["report_id"],
        )
        report.ordered_recommendations = list(  # type: ignore[attr-defined]
            Recommendation.objects.filter(report=report)
            .select_related("owner", "owner_agency", "intervention_type", "report")
            .order_by("position", "pk")
        )
        access_event_record(
            user=user,
            action=AccessAction.VIEW,
            record_type=selectors.RECORD_TYPE,
            record_id=report.pk,
            case_id=case.pk,
            description=f"version {report.version}",
        )
        return report
