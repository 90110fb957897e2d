"""Cases and children through the API: the same access module and selectors as the pages.

- `GET /api/v1/cases/`: the caller's visible cases (the caseload's selector), filtered by status, kind,
  held by me, allocated to me; a page at a time by cursor; each page is in the access log.
- `GET /api/v1/cases/<id>/`: one case's summary (what the network sees too), with its ETag; 404 if the
  caller may not see it.
- `GET /api/v1/children/?q=`: "Find a child" (cases.selectors.case_search, the same hint rules: names match
  on every visible case, near-duplicates included; a date of birth or a reference only where the caller
  reads the full record). Logged as a search, without the terms.
- `GET /api/v1/children/<id>/`: a child, through one of their cases the caller may see.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any, ClassVar

from django.db.models import QuerySet
from django.http import Http404
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_view
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.audit import LIST_API
from cases import access
from cases.forms.case import CaseSearchForm
from cases.models import Case, CaseKind, CaseStatus, Child
from cases.selectors import CaseloadFilters, case_search, case_summaries, case_summaries_first
from core.api.pagination import by_id_or
from core.api.views import ApiDetailView, ApiListView

LIST_CHILD_SEARCH_API = "child search API"


class CaseSummarySerializer(serializers.ModelSerializer):
    child_name = serializers.CharField(source="child.full_name", read_only=True)
    owning_yjs = serializers.CharField(source="owning_yjs.name", read_only=True)
    case_holder = serializers.CharField(source="case_holder.get_full_name", read_only=True)

    class Meta:
        model = Case
        fields = ["id", "child_name", "owning_yjs", "case_holder", "status", "opened_at"]
        read_only_fields = fields

    def to_representation(self, instance: Case) -> dict[str, Any]:
        """The declared fields' values (which the schema documents), written out: the case list serialises 50 a
        page, and DRF's walk through each field, with a signature check of `get_full_name` on every row, was the
        largest part of the list's time above its floor (issue 14)."""
        return {
            "id": instance.pk,
            "child_name": instance.child.full_name,
            "owning_yjs": instance.owning_yjs.name,
            "case_holder": instance.case_holder.get_full_name(),
            "status": instance.status,
            "opened_at": self.fields["opened_at"].to_representation(instance.opened_at),
        }


class CaseSummaryRowSerializer(CaseSummarySerializer):
    """The same summary from a row of the case list's values (cases.selectors.case_summaries), not a case."""

    def to_representation(self, instance: Any) -> dict[str, Any]:
        row: dict[str, Any] = instance
        return {
            "id": row["id"],
            "child_name": f"{row['child__given_name']} {row['child__family_name']}",
            "owning_yjs": row["owning_yjs__name"],
            "case_holder": f"{row['case_holder__first_name']} {row['case_holder__last_name']}".strip(),
            "status": row["status"],
            "opened_at": self.fields["opened_at"].to_representation(row["opened_at"]),
        }


CASE_EXAMPLE = OpenApiExample(
    "A case",
    value={
        "id": 4107,
        "child_name": "Rowan Fielding",
        "owning_yjs": "Bristol YJS",
        "case_holder": "Sam Okafor",
        "status": "open",
        "opened_at": "2026-03-02T10:15:00Z",
    },
    response_only=True,
)


class CaseFilters(serializers.Serializer):
    status = serializers.ChoiceField(
        choices=CaseStatus.choices,
        required=False,
        help_text="Only cases in this state (every state when left out)",
        error_messages={"invalid_choice": f"Status must be one of: {', '.join(CaseStatus.values)}, or left out"},
    )
    kind = serializers.ChoiceField(choices=CaseKind.choices, required=False, help_text="Only cases of this kind")
    held_by_me = serializers.BooleanField(required=False, default=False, help_text="Only the cases I hold")
    allocated_to_me = serializers.BooleanField(
        required=False, default=False, help_text="Only the cases I am the psychologist or senior practitioner of"
    )


@extend_schema_view(get=extend_schema(summary="Cases I may see", examples=[CASE_EXAMPLE]))
class CaseListApi(ApiListView):
    """The cases the caller may see, newest first: the caseload's rows, in pages by cursor."""

    serializer_class = CaseSummaryRowSerializer
    filter_serializer_class = CaseFilters
    list_name = LIST_API
    audit_case_field = "id"
    # ?ordering=: newest first by default (the id), or by when the case opened.
    ordering_choices: ClassVar[dict[str, tuple[str, ...]]] = by_id_or("opened_at")

    def get_queryset(self) -> QuerySet[Any]:
        return case_summaries(user=self.request.user, filters=self._filters())

    def first_page(self, ordering: tuple[str, ...], rows: int) -> list[dict[str, Any]]:
        return case_summaries_first(user=self.request.user, filters=self._filters(), ordering=ordering, rows=rows)

    def _filters(self) -> CaseloadFilters:
        asked = self.filters
        return CaseloadFilters(
            status=asked.get("status", ""),
            kind=asked.get("kind", ""),
            held_by_me=asked["held_by_me"],
            allocated_to_me=asked["allocated_to_me"],
        )


@extend_schema_view(get=extend_schema(summary="One case's summary", examples=[CASE_EXAMPLE]))
class CaseDetailApi(ApiDetailView):
    """One case's summary: 404 if the caller may not see it. Logged like the page."""

    serializer_class = CaseSummarySerializer

    def get_object(self) -> Case:
        return access.get_case_for(self.request.user, self.kwargs["case_id"], access.Action.VIEW_SUMMARY)


# --- Children ------------------------------------------------------------------------------------------


class ChildSerializer(serializers.ModelSerializer):
    """A child as the caller may see them: the date of birth and references only with the full record."""

    name = serializers.CharField(source="full_name", read_only=True)
    date_of_birth = serializers.SerializerMethodField()
    reference = serializers.SerializerMethodField()
    cases = serializers.SerializerMethodField(help_text="The child's cases the caller may see")

    class Meta:
        model = Child
        fields = ["id", "name", "date_of_birth", "reference", "cases"]
        read_only_fields = fields

    def _full(self, child: Child) -> bool:
        return bool(self.context.get("full_record", {}).get(child.pk))

    def get_date_of_birth(self, child: Child) -> dt.date | None:
        return child.date_of_birth if self._full(child) else None

    def get_reference(self, child: Child) -> str | None:
        return child.reference if self._full(child) else None

    def get_cases(self, child: Child) -> list[int]:
        return list(self.context.get("cases", {}).get(child.pk, []))


class ChildMatchSerializer(serializers.ModelSerializer):
    """One search result: a visible case and its child, as the "Find a child" page lists them."""

    case = serializers.IntegerField(source="pk", read_only=True)
    child = serializers.IntegerField(source="child_id", read_only=True)
    name = serializers.CharField(source="child.full_name", read_only=True)
    date_of_birth = serializers.SerializerMethodField(help_text="Only where the caller reads the full record")
    owning_yjs = serializers.CharField(source="owning_yjs.name", read_only=True)
    status = serializers.CharField(read_only=True)
    exact = serializers.BooleanField(read_only=True, help_text="The name as typed, or the very date of birth")

    class Meta:
        model = Case
        fields = ["case", "child", "name", "date_of_birth", "owning_yjs", "status", "exact"]
        read_only_fields = fields

    def get_date_of_birth(self, case: Case) -> dt.date | None:
        return case.child.date_of_birth if getattr(case, "full_record", False) else None


class ChildSearchFilters(serializers.Serializer):
    q = serializers.CharField(
        max_length=100,
        required=False,
        allow_blank=True,
        default="",
        help_text="A name, a date of birth (like 17/05/2010) or an NHS or local reference (nothing: no results)",
    )

    def validate_q(self, value: str) -> str:
        return re.sub(r"\s+", " ", value).strip()


@extend_schema_view(
    get=extend_schema(
        summary="Find a child",
        examples=[
            OpenApiExample(
                "A match",
                value={
                    "case": 4107,
                    "child": 3120,
                    "name": "Rowan Fielding",
                    "date_of_birth": "2010-05-17",
                    "owning_yjs": "Bristol YJS",
                    "status": "open",
                    "exact": True,
                },
                response_only=True,
            )
        ],
    )
)
class ChildSearchApi(ApiListView):
    """Find a child by name, date of birth or reference among the cases the caller may see: the rules of
    the "Find a child" page (a near-miss name still matches; identifiers only with the full record)."""

    serializer_class = ChildMatchSerializer
    filter_serializer_class = ChildSearchFilters
    list_name = LIST_CHILD_SEARCH_API
    audit_case_field = "pk"
    audit_as_search = True

    # Closest first, as the page: the 50 best matches (a search to narrow down, not a list to page through).
    pagination_class = None

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        if not self.filters["q"]:
            return Response([])  # nothing asked, nothing searched or logged (the page shows its empty form)
        return super().list(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet[Case]:
        form = CaseSearchForm({"q": self.filters["q"]})
        form.is_valid()
        return case_search(user=self.request.user, text=self.filters["q"], date_of_birth=form.date_of_birth)


@extend_schema_view(get=extend_schema(summary="One child"))
class ChildDetailApi(ApiDetailView):
    """A child, reached through a case the caller may see (404 otherwise); identifiers with the full record."""

    serializer_class = ChildSerializer

    def get_object(self) -> Child:
        visible = list(
            access.visible_cases(self.request.user)
            .filter(child_id=self.kwargs["child_id"], merged_into__isnull=True)
            .order_by("-opened_at", "-pk")
            .values_list("pk", flat=True)
        )
        if not visible:
            raise Http404("No such child")
        # The first visible case, through the access module: the read is logged against it.
        case = access.get_case_for(self.request.user, visible[0], access.Action.VIEW_SUMMARY)
        full = access.cases_for(self.request.user, access.Action.VIEW).filter(pk__in=visible).exists()
        self.child_context = {"full_record": {case.child_id: full}, "cases": {case.child_id: visible}}
        return case.child

    def get_serializer_context(self) -> dict[str, Any]:
        return {**super().get_serializer_context(), **getattr(self, "child_context", {})}
