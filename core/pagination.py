"""Pagination the same on every list: 50 a page, filters kept in the page links."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import Count, Q, QuerySet, Window
from django.http import HttpRequest, QueryDict
from django.utils import timezone

from core.db import CompiledCount, CompiledQuery, compile_count, compile_query

PAGE_SIZE = 50


def paginate(request: HttpRequest, items: Any, per_page: int = PAGE_SIZE) -> dict[str, Any]:
    """The page asked for (the last one if past the end) and the query string to keep the filters."""
    page: Page = Paginator(items, per_page).get_page(request.GET.get("page"))
    query: QueryDict = request.GET.copy()
    query.pop("page", None)
    return {"page_obj": page, "querystring_without_page": (query.urlencode() + "&") if query else ""}


class CountedWithPage:
    """A list's page read with its count, in one query (`COUNT(*) OVER ()` beside each row): for lists whose matching
    is the cost, such as "Find a child", where counting apart ran the match twice (6 of its 20 ms of queries at
    national scale; issue 14), and so did reading the page's rows by id after its ids (the ids' query kept the
    match's WHERE: 9 of 58 ms at national scale, 5 of 39 ms at a twentieth of it). It offers what `Paginator` uses,
    for the page `number` asked for (as `paginate` reads it); another page (one past the end) is read the plain
    way."""

    ordered = True

    def __init__(self, items: QuerySet[Any], *, number: str | None, per_page: int = PAGE_SIZE) -> None:
        if not items.query.order_by:
            raise ValueError("CountedWithPage needs an ordered queryset")
        try:
            page = max(int(number or 1), 1)
        except ValueError:
            page = 1
        self.items, self.start, self.per_page = items, (page - 1) * per_page, per_page

    @functools.cached_property
    def _page(self) -> list[Any]:
        counted = self.items.annotate(counted_with_page=Window(Count("pk")))
        return list(counted[self.start : self.start + self.per_page])

    def count(self) -> int:
        if self._page:
            return int(self._page[0].counted_with_page)
        return 0 if self.start == 0 else self.items.count()

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, index: slice) -> list[Any]:
        if not isinstance(index, slice) or index.step is not None:
            raise TypeError("CountedWithPage pages by slices")
        if (index.start or 0) != self.start:
            return list(self.items[index])
        return self._page[: index.stop - self.start]


class CompiledPages:
    """A list's count and pages, as `Paginator` reads them, from SQL compiled once per list and page: the ORM built
    and compiled a list's two queries on every view, and PostgreSQL planned them, for more than it took to run them
    (issue 14). Each is kept (an LRU of 1,024) under `build`, its `args` and the page's rows, and run with the
    `values` of `build`'s placeholders (core.db.compile_query), so the contacts of any case share one.

    `build(*args, **placeholders)` gives the list, ordered; its arguments and `key` must say everything the SQL
    depends on but the day (part of the key): `key` is kept in the store's key without being passed to `build`, for
    what `build` reads another way, such as the person's access (cases.access.scope_key) when it filters by it.
    `counted`, if given, says how many rows the list has without counting them (cases.tallies)."""

    ordered = True

    def __init__(
        self,
        build: Callable[..., QuerySet[Any]],
        *args: Hashable,
        values: Mapping[str, int],
        per_page: int,
        key: Hashable = None,
        counted: Callable[[], int] | None = None,
    ) -> None:
        self.build, self.args, self.values, self.per_page, self.key = build, args, dict(values), per_page, key
        self.counted = counted

    def count(self) -> int:
        if self.counted is not None:
            return self.counted()
        return _compiled_count(self.build, self.args, self.key, timezone.localdate()).fetch(**self.values)

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, index: slice) -> list[Any]:
        if not isinstance(index, slice) or index.step is not None:
            raise TypeError("CompiledPages pages by slices")
        # Compiled for a whole page from its start: the paginator asks for the last page up to the count, which
        # changes as the list grows, and would otherwise make a new compile each time.
        start = index.start or 0
        stop = start + max(self.per_page, index.stop - start)
        rows = _compiled_rows(self.build, self.args, self.key, start, stop, timezone.localdate())
        return rows.fetch(**self.values)[: index.stop - start]


# Keyed by the day too, as core.db.compiled_daily: a list may compare with today's date.
@functools.lru_cache(maxsize=1024)
def _compiled_count(
    build: Callable[..., QuerySet[Any]], args: tuple[Hashable, ...], key: Hashable, day: dt.date
) -> CompiledCount:
    return compile_count(build, *args)


@functools.lru_cache(maxsize=1024)
def _compiled_rows(
    build: Callable[..., QuerySet[Any]], args: tuple[Hashable, ...], key: Hashable, start: int, stop: int, day: dt.date
) -> CompiledQuery[Any]:
    return compile_query(build, *args, rows=(start, stop))


# Keyset paging, for long logs read newest first (the access log, a chronology): each page is found
# from where the last one ended ("older than this line"), so page 400 costs what page 1 costs and
# nothing counts every row. Links say "Newer" and "Older" instead of page numbers.

OLDER, NEWER = "older", "newer"


@dataclass(frozen=True)
class KeysetPage:
    object_list: list[Any]
    newer: str  # the cursor of the page before (newer lines), or "" on the first page
    older: str  # the cursor of the page after (older lines), or "" on the last page
    querystring_without_cursor: str

    @property
    def has_other_pages(self) -> bool:
        return bool(self.newer or self.older)


def _cursor(item: Any, field: str) -> str:
    return f"{getattr(item, field).isoformat()}~{item.pk}"


def _parse_cursor(value: str) -> tuple[dt.datetime, int] | None:
    moment, _, pk = value.partition("~")
    try:
        parsed = dt.datetime.fromisoformat(moment)
        number = int(pk)
    except ValueError:
        return None
    if parsed.tzinfo is None or not 0 < number < 2**63:
        return None
    return parsed, number


def keyset_paginate(
    request: HttpRequest,
    items: QuerySet[Any] | Callable[[], QuerySet[Any]],
    *,
    field: str,
    per_page: int = PAGE_SIZE,
    newest: Callable[[int], list[Any]] | None = None,
) -> dict[str, Any]:
    """The lines of `items` (ordered newest first by `field`, then id) older or newer than the cursor asked for.

    No cursor, an unreadable one, or one past either end shows the first (newest) page. `newest(n)`: the first n
    lines of `items` another way, such as compiled pages (`CompiledPages`), for the page read most; `items` may
    then be a function giving the queryset, built only when a cursor asks for another page.
    """
    if isinstance(items, QuerySet):
        queryset = items

        def build() -> QuerySet[Any]:
            return queryset

    else:
        build = items

    query: QueryDict = request.GET.copy()
    query.pop(OLDER, None)
    query.pop(NEWER, None)
    older_than = _parse_cursor(request.GET.get(OLDER, ""))
    newer_than = None if older_than else _parse_cursor(request.GET.get(NEWER, ""))
    rows: list[Any] = []
    newer = older = ""
    if newer_than is not None:
        moment, pk = newer_than
        after = build().filter(Q(**{f"{field}__gt": moment}) | Q(**{field: moment, "pk__gt": pk}))
        rows = list(after.order_by(field, "pk")[: per_page + 1])
        more_newer = len(rows) > per_page
        rows = rows[:per_page][::-1]
        if rows:
            newer = _cursor(rows[0], field) if more_newer else ""
            older = _cursor(rows[-1], field)
    elif older_than is not None:
        moment, pk = older_than
        before = build().filter(Q(**{f"{field}__lt": moment}) | Q(**{field: moment, "pk__lt": pk}))
        rows = list(before[: per_page + 1])
        more_older = len(rows) > per_page
        rows = rows[:per_page]
        if rows:
            newer = _cursor(rows[0], field)
            older = _cursor(rows[-1], field) if more_older else ""
    if not rows:
        rows = newest(per_page + 1) if newest is not None else list(build()[: per_page + 1])
        newer, older = "", (_cursor(rows[per_page - 1], field) if len(rows) > per_page else "")
        rows = rows[:per_page]
    page = KeysetPage(
        object_list=rows,
        newer=newer,
        older=older,
        querystring_without_cursor=(query.urlencode() + "&") if query else "",
    )
    return {"page_obj": page}
