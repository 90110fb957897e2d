"""Thin DRF views over the access module: the API sees exactly what the pages see."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from rest_framework import generics, serializers
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.audit import LIST_API, list_view_record
from cases import access
from cases.models import Case, CaseStatus
from cases.selectors import case_list
from core.pagination import IdsFirst


class CaseSummarySerializer(serializers.ModelSerializer):
    child_name = serializers.CharField(source="child.full_name", read_only=True)
    owning_yjs = serializers.CharField(source="owning_yjs.name", read_only=True)
    case_holder = serializers.CharField(source="case_holder.get_full_name", read_only=True)

    class Meta:
        model = Case
        fields = ["id", "child_name", "owning_yjs", "case_holder", "status", "opened_at"]
        read_only_fields = fields


class CaseListApi(generics.ListAPIView):
    """Cases the caller may see, newest first."""

    serializer_class = CaseSummarySerializer

    def get_queryset(self) -> QuerySet[Case]:
        status = self.request.query_params.get("status", "")
        if status and status not in CaseStatus.values:
            raise ValidationError({"status": [f"Status must be one of: {', '.join(CaseStatus.values)}, or left out"]})
        return case_list(user=self.request.user, status=status)

    def paginate_queryset(self, queryset: Any) -> Any:
        # The page's ids first, then their joins (core.pagination.IdsFirst).
        page: list[Case] | None = super().paginate_queryset(IdsFirst(queryset))  # type: ignore[arg-type]
        # One access event naming the cases of the page returned, like the caseload page.
        list_view_record(user=self.request.user, list_name=LIST_API, case_ids=[case.pk for case in page or ()])
        return page


class CaseDetailApi(generics.GenericAPIView):
    """One case's summary: 404 if the caller may not see it. Logged like the page."""

    serializer_class = CaseSummarySerializer

    def get(self, request: Request, case_id: int, *args: Any, **kwargs: Any) -> Response:
        case = access.get_case_for(request.user, case_id, access.Action.VIEW_SUMMARY)
        return Response(self.get_serializer(case).data)
