"""Cursor (keyset) pagination for the API's lists, like the long pages (core.pagination.keyset_paginate).

Each page is found from where the last one ended (`?cursor=` from the `next`/`previous` links), so the
thousandth page costs what the first costs and nothing counts every row. Newest first by id unless a
view sets `ordering` (a unique, indexed field first keeps it a pure keyset). `page_size` up to 100.

A list whose people choose the order names the choices on the view, `ordering_choices` (what `?ordering=` may say,
each with the order it means, the id last to break ties): anything else is a 400 naming `ordering`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db.models import QuerySet
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import CursorPagination
from rest_framework.request import Request

PAGE_SIZE = 50
ORDERING_PARAMETER = "ordering"
MAX_PAGE_SIZE = 100


def by_id_or(field: str) -> dict[str, tuple[str, ...]]:
    """A view's `ordering_choices`: by id (the default order, newest first) or by `field`, either way round, the id
    breaking ties."""
    return {"-id": ("-id",), "id": ("id",), f"-{field}": (f"-{field}", "-id"), field: (field, "id")}


class ApiCursorPagination(CursorPagination):
    page_size = PAGE_SIZE
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE
    ordering: str | tuple[str, ...] = "-id"
    cursor_query_description = "Where the page starts: the `cursor` of the `next` or `previous` link."
    page_size_query_description = f"Records a page (1 to {MAX_PAGE_SIZE}, {PAGE_SIZE} when left out)."

    def paginate(self, rows: Callable[[], QuerySet[Any]], request: Request, view: Any) -> list[Any] | None:
        """`paginate_queryset` of the queryset `rows()` gives, or for a first page (no cursor) the view's
        `first_page` when it has one (core.api.views.ApiListView), with the same links: the queryset is then
        never built."""
        page_size = self.get_page_size(request)
        if request.query_params.get(self.cursor_query_param) or not page_size:
            return self.paginate_queryset(rows(), request, view)
        self.request = request
        self.page_size = page_size
        self.base_url = request.build_absolute_uri()
        self.ordering = self.get_ordering(request, None, view)
        self.cursor = None
        first_page = getattr(view, "first_page", None)
        found = first_page(self.ordering, self.page_size + 1) if first_page is not None else None
        if found is None:
            return self.paginate_queryset(rows(), request, view)
        # As CursorPagination.paginate_queryset does for a first page: one row more says whether there is a next.
        self.page = list(found[: self.page_size])
        self.has_previous = False
        self.has_next = len(found) > len(self.page)
        if self.has_next:
            self.next_position = self._get_position_from_instance(found[-1], self.ordering)
        self.display_page_controls = self.has_next and self.template is not None
        return self.page

    def get_ordering(self, request: Request, queryset: Any, view: Any) -> tuple[str, ...]:
        choices: dict[str, tuple[str, ...]] = getattr(view, "ordering_choices", None) or {}
        asked = request.query_params.get(ORDERING_PARAMETER, "")
        if not asked:
            return (self.ordering,) if isinstance(self.ordering, str) else tuple(self.ordering)
        if asked not in choices:
            allowed = ", ".join(choices) or "nothing: this list has one order"
            raise ValidationError({ORDERING_PARAMETER: [f"Order by one of: {allowed}"]})
        return choices[asked]

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        parameters: list[dict[str, Any]] = super().get_schema_operation_parameters(view)
        choices = getattr(view, "ordering_choices", None)
        if choices:
            parameters.append(
                {
                    "name": ORDERING_PARAMETER,
                    "in": "query",
                    "required": False,
                    "description": "The order of the list (a minus sign: newest or largest first).",
                    "schema": {"type": "string", "enum": list(choices)},
                }
            )
        return parameters
