"""Pagination the same on every list: 50 a page, filters kept in the page links."""

from __future__ import annotations

from typing import Any

from django.core.paginator import Page, Paginator
from django.http import HttpRequest, QueryDict

PAGE_SIZE = 50


def paginate(request: HttpRequest, items: Any, per_page: int = PAGE_SIZE) -> dict[str, Any]:
    """The page asked for (the last one if past the end) and the query string to keep the filters."""
    page: Page = Paginator(items, per_page).get_page(request.GET.get("page"))
    query: QueryDict = request.GET.copy()
    query.pop("page", None)
    return {"page_obj": page, "querystring_without_page": (query.urlencode() + "&") if query else ""}
