"""The child's professional network through the API: read only, for everyone who sees the case at all.

The network is on the shared summary, so its members (a partner with the summary) read it as the Network
page shows it to them (`cases.views.record.case_network`): 404 for a case the caller may not see. The read
is logged as a view of the case, like the page.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers

from cases import access, selectors
from cases.access import Action
from cases.access.consent import sharing_state
from cases.models import NetworkMember
from core.api.views import ApiListView


class NetworkMemberSerializer(serializers.ModelSerializer):
    agency = serializers.CharField(source="agency_display", read_only=True, help_text="Blank when not recorded")
    email = serializers.CharField(read_only=True, help_text="An e-mail address; blank when not recorded")
    has_ecm_account = serializers.SerializerMethodField(help_text="Whether the person signs in to ECM")
    sees_shared_summary = serializers.SerializerMethodField(
        help_text="Shared with them, and consent to share the summary stands (or a lawful basis continues it)"
    )

    class Meta:
        model = NetworkMember
        fields = [
            "id",
            "name",
            "role",
            "agency",
            "email",
            "phone",
            "has_ecm_account",
            "may_see_summary",
            "sees_shared_summary",
            "added_at",
        ]
        read_only_fields = fields

    def get_has_ecm_account(self, member: NetworkMember) -> bool:
        return member.user_id is not None

    def get_sees_shared_summary(self, member: NetworkMember) -> bool:
        stopped = bool(self.context.get("sharing_stopped"))
        return member.may_see_summary and member.user_id is not None and not stopped


@extend_schema_view(get=extend_schema(summary="The child's professional network", tags=["network"]))
class CaseNetworkApi(ApiListView):
    """The professionals in the child's network now, by name (people who left are in the chronology)."""

    serializer_class = NetworkMemberSerializer
    # A network is a handful of people: one answer in the page's order (by name), not pages by cursor.
    pagination_class = None
    unpaginated_limit: ClassVar[int] = 500
    list_name = "network API"
    audit_case_field = None  # the case's view is logged when it is fetched (`get_case_for`), as on the page

    def get_queryset(self) -> QuerySet[NetworkMember]:
        if getattr(self, "swagger_fake_view", False):
            return NetworkMember.objects.none()
        self.case = access.get_case_for(self.request.user, self.kwargs["case_id"], Action.VIEW_SUMMARY)
        return selectors.network_of(case=self.case)

    def get_serializer_context(self) -> dict[str, Any]:
        context = super().get_serializer_context()
        case = getattr(self, "case", None)
        context["sharing_stopped"] = sharing_state(case).stopped if case is not None else False
        return context
