"""The base classes every API endpoint is built from (issue 19). Each app's `api.py` subclasses them.

- `ApiListView`: a cursor-paginated list, filters validated from the query string (`filter_serializer_class`:
  a bad value is a 400 naming the field), one access-log event per page (`list_name`, `audit_case_field`).
- `ApiDetailView`: one record from the access module (`get_object`), with its `ETag`.
- `ApiCreateView`: validate `input_serializer_class`, call the service (`perform_create`), 201 with the record.
- `ApiUpdateView`: the record (`get_object_for_update`), locked; `If-Match` checked against its current
  ETag (428 without, 412 stale), input validated, the service called (`perform_update`), the new ETag.

Authentication, the token's scopes and the rate limit come from settings.REST_FRAMEWORK (core.api.*).
Nothing here knows a case: what a person may see is always the access module's answer, in the subclass.
"""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING, Any, ClassVar, cast

import pghistory
from django.db import models, transaction
from django.db.models import QuerySet
from rest_framework import generics, serializers, status
from rest_framework.filters import BaseFilterBackend
from rest_framework.mixins import ListModelMixin
from rest_framework.pagination import BasePagination
from rest_framework.request import Request
from rest_framework.response import Response

from core.api.audit import record_page
from core.api.etags import check_if_match, etag_of, with_etag
from core.api.pagination import ApiCursorPagination

if TYPE_CHECKING:  # a type only: core sits below accounts and never imports it at run time
    from accounts.models import User


class ApiView(generics.GenericAPIView):
    """Every endpoint: the writes of a token's request are attributed to its person in the change history."""

    @property
    def person(self) -> User:
        """The signed-in person (every API view requires one): what the services take as `actor`."""
        return cast("User", self.request.user)

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        # The history middleware ran before DRF knew a token's person: name them in the open context.
        if request.user is not None and request.user.is_authenticated:
            pghistory.context(user=request.user.pk)


class QueryFilters(BaseFilterBackend):
    """Puts a list view's `filter_serializer_class` fields in the OpenAPI schema as query parameters.

    The filtering itself is the view's (`get_queryset` reads `self.filters`), through the selectors.
    """

    def filter_queryset(self, request: Request, queryset: QuerySet[Any], view: Any) -> QuerySet[Any]:
        return queryset

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        serializer_class = getattr(view, "filter_serializer_class", None)
        if serializer_class is None:
            return []
        parameters = []
        for name, field in serializer_class().fields.items():
            schema = view.schema._map_serializer_field(field, "request") if hasattr(view, "schema") else {}
            parameters.append(
                {
                    "name": name,
                    "in": "query",
                    "required": bool(field.required),
                    "description": str(field.help_text or field.label or ""),
                    "schema": schema,
                }
            )
        return parameters


class ApiListView(ListModelMixin, ApiView):
    """A list, newest first, a page at a time by cursor; each page returned is in the access log.

    Subclasses set `serializer_class`, `list_name` (the log's words: "case list API"), `audit_case_field`
    (the attribute of a row naming its case: "pk" for cases, "case_id" for records of a case, None when
    rows name no case) and `get_queryset` (from the access module or a selector that uses it).
    """

    pagination_class: type[BasePagination] | None = ApiCursorPagination
    filter_backends = [QueryFilters]
    # The query string, validated: `self.filters` (a bad value is a 400 naming the field).
    filter_serializer_class: ClassVar[type[serializers.Serializer] | None] = None
    list_name: ClassVar[str] = ""
    audit_case_field: ClassVar[str | None] = "case_id"
    audit_referral_field: ClassVar[str | None] = None
    audit_as_search: ClassVar[bool] = False

    # A list in its own order (a search, closest first) sets `pagination_class = None`: its first
    # `unpaginated_limit` rows are returned, as a plain array.
    unpaginated_limit: ClassVar[int] = 50

    @cached_property
    def filters(self) -> dict[str, Any]:
        if self.filter_serializer_class is None:
            return {}
        found = self.filter_serializer_class(data=self.request.query_params)
        found.is_valid(raise_exception=True)
        return dict(found.validated_data)

    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self.list(request, *args, **kwargs)

    def first_page(self, ordering: tuple[str, ...], rows: int) -> list[Any] | None:
        """The list's first `rows` rows in `ordering` read another way than through `get_queryset`, such as SQL
        compiled once (core.pagination.CompiledPages), or None to read them from the queryset. Asked only for a
        first page (no cursor), the page most read: DRF's paginator builds and compiles its query on every call."""
        return None

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        if isinstance(self.paginator, ApiCursorPagination):
            page = self.paginator.paginate(self._rows, request, view=self)
        else:
            page = self.paginate_queryset(self._rows()) if self.paginator is not None else None
        rows = list(page) if page is not None else list(self._rows()[: self.unpaginated_limit])
        record_page(
            user=request.user,
            list_name=self.list_name or type(self).__name__,
            rows=rows,
            case_field=self.audit_case_field,
            referral_field=self.audit_referral_field,
            search=self.audit_as_search,
        )
        data = self.get_serializer(rows, many=True).data
        return self.get_paginated_response(data) if page is not None else Response(data)

    def _rows(self) -> QuerySet[Any]:
        return self.filter_queryset(self.get_queryset())


class ApiDetailView(ApiView):
    """One record with its ETag. `get_object` must use the access module (`get_case_for`, `get_for`...):
    it answers 404 for a record the caller may not see, 403 for one they see but may not act on, and
    writes the access event."""

    def get_object(self) -> Any:
        raise NotImplementedError("fetch the record through the access module")

    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = self.get_serializer(self.get_object()).data
        return with_etag(Response(data), data)


class ApiCreateView(ApiView):
    """POST: validate `input_serializer_class`, `perform_create` calls the service, 201 with the record."""

    input_serializer_class: ClassVar[type[serializers.Serializer]]

    def perform_create(self, data: dict[str, Any]) -> Any:
        raise NotImplementedError("call the service that the page calls")

    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        found = self.input_serializer_class(data=request.data, context=self.get_serializer_context())
        found.is_valid(raise_exception=True)
        with transaction.atomic():
            record = self.perform_create(dict(found.validated_data))
        data = self.get_serializer(record).data
        return with_etag(Response(data, status=status.HTTP_201_CREATED), data)


class ApiUpdateView(ApiDetailView):
    """A change to one record (PATCH, or POST for an action like "submit"), guarded by If-Match.

    `get_object_for_update` fetches it through the access module for the changing action (403/404);
    the row is locked, its current ETag compared with If-Match (428 / 412), `input_serializer_class`
    validates the body (400), `perform_update` calls the service and returns the record.
    """

    input_serializer_class: ClassVar[type[serializers.Serializer] | None] = None
    if_match_required: ClassVar[bool] = True

    def get_object_for_update(self) -> Any:
        return self.get_object()

    def read_again(self, record: Any) -> Any:
        """The record as it stands once its row is locked (a view whose record carries annotations reads it
        with them)."""
        record.refresh_from_db()
        return record

    def perform_update(self, record: Any, data: dict[str, Any]) -> Any:
        raise NotImplementedError("call the service that the page calls")

    def patch(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self.update_record(request)

    def update_record(self, request: Request) -> Response:
        with transaction.atomic():
            record = self.get_object_for_update()
            if isinstance(record, models.Model):
                # Lock the row, then read it again: the ETag compared is the one a concurrent writer left. Only
                # this row, without the model's ordering (a nullable join there cannot be locked FOR UPDATE).
                manager = type(record)._default_manager
                list(manager.select_for_update(of=("self",)).filter(pk=record.pk).order_by().values_list("pk"))
                record = self.read_again(record)
            current = etag_of(self.get_serializer(record).data)
            if self.if_match_required or request.headers.get("If-Match"):
                check_if_match(request, current)
            data: dict[str, Any] = {}
            if self.input_serializer_class is not None:
                found = self.input_serializer_class(
                    data=request.data, partial=request.method == "PATCH", context=self.get_serializer_context()
                )
                found.is_valid(raise_exception=True)
                data = dict(found.validated_data)
            record = self.perform_update(record, data)
        body = self.get_serializer(record).data
        return with_etag(Response(body), body)


class ApiActionView(ApiUpdateView):
    """A named change to one record by POST (`/referrals/<id>/submit/`), with the same If-Match guard.
    It answers with the record (and its new ETag); it has no GET of its own."""

    http_method_names = ["post", "options"]

    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self.update_record(request)
