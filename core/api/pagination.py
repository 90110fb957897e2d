"""Cursor (keyset) pagination for the API's lists, like the long pages (core.pagination.keyset_paginate).

Each page is found from where the last one ended (`?cursor=` from the `next`/`previous` links), so the
thousandth page costs what the first costs and nothing counts every row. Newest first by id unless a
view sets `ordering` (a unique, indexed field first keeps it a pure keyset). `page_size` up to 100.
"""

from __future__ import annotations

from rest_framework.pagination import CursorPagination

PAGE_SIZE = 50
MAX_PAGE_SIZE = 100


class ApiCursorPagination(CursorPagination):
    page_size = PAGE_SIZE
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE
    ordering: str | tuple[str, ...] = "-id"
    cursor_query_description = "Where the page starts: the `cursor` of the `next` or `previous` link."
    page_size_query_description = f"Records a page (1 to {MAX_PAGE_SIZE}, {PAGE_SIZE} when left out)."
