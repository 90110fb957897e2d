"""Keyset paging (newer/older) over a log ordered newest first, ties on the timestamp included; compiled pages
(CompiledPages) and pages counted with their ids (CountedWithPage) hold the same rows as the plain queryset."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.paginator import Paginator
from django.db import connection
from django.db.models import QuerySet
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import AccessEvent
from cases import access
from cases.models import Case, Contact
from core import pagination
from core.pagination import CompiledPages, CountedWithPage, keyset_paginate
from tests.conftest import Cast
from tests.factories import log_contact, make_case

factory = RequestFactory()


def _events(cast: Cast, count: int) -> None:
    # Three events share each moment, so paging has to break ties on the id.
    start = timezone.now() - dt.timedelta(days=1)
    AccessEvent.objects.bulk_create(
        AccessEvent(
            user=cast.case_manager,
            action="view",
            record_type="case",
            record_id=str(n),
            at=start + dt.timedelta(minutes=n // 3),
        )
        for n in range(count)
    )


def _page(query: dict[str, str], per_page: int = 10) -> tuple[list[str], str, str]:
    events = AccessEvent.objects.filter(record_type="case").order_by("-at", "-id")
    page = keyset_paginate(factory.get("/log/", query), events, field="at", per_page=per_page)["page_obj"]
    return [event.record_id for event in page.object_list], page.newer, page.older


def test_walking_older_then_newer_visits_every_line_once_in_order(cast: Cast) -> None:
    _events(cast, 25)
    expected = [str(n) for n in range(24, -1, -1)]
    rows, newer, older = _page({})
    seen, pages = list(rows), [rows]
    assert newer == ""
    while older:
        rows, newer, older = _page({"older": older})
        assert newer
        seen.extend(rows)
        pages.append(rows)
    assert seen == expected and [len(page) for page in pages] == [10, 10, 5]
    # And back again from the last page.
    back, newer, _ = _page({"newer": _page({"older": _page({})[2]})[1]})
    assert back == pages[0] and newer == ""


def test_an_unreadable_or_exhausted_cursor_shows_the_first_page(cast: Cast) -> None:
    _events(cast, 12)
    first = _page({})[0]
    for cursor in ("nonsense", "2026-01-01T00:00:00~abc", "2026-01-01T00:00:00~5", "1990-01-01T00:00:00+00:00~1"):
        assert _page({"older": cursor})[0] == first
    assert _page({"newer": "2999-01-01T00:00:00+00:00~1"})[0] == first


def test_filters_are_kept_in_the_links(cast: Cast) -> None:
    _events(cast, 3)
    request = factory.get("/log/", {"action": "view", "older": "x"})
    page = keyset_paginate(request, AccessEvent.objects.order_by("-at", "-id"), field="at")["page_obj"]
    assert page.querystring_without_cursor == "action=view&"


def _contacts_of(restricted_shown: bool, *, case: int) -> QuerySet[Contact]:
    contacts = Contact.objects.filter(case_id=case).select_related("recorded_by").order_by("-occurred_at", "-pk")
    return contacts if restricted_shown else contacts.filter(restricted=False)


def test_compiled_pages_hold_the_querysets_pages_for_every_value_compiled_once(cast: Cast) -> None:
    pagination._compiled_rows.cache_clear()
    pagination._compiled_count.cache_clear()
    other = make_case(owning_yjs=cast.bristol, case_holder=cast.case_manager)
    for number in range(7):
        log_contact(cast.case, cast.case_manager, days_ago=number, restricted=number == 3)
    for number in range(2):
        log_contact(other, cast.case_manager, days_ago=number)
    for case in (cast.case, other):
        for restricted_shown in (True, False):
            plain = _contacts_of(restricted_shown, case=case.pk)
            compiled = CompiledPages(_contacts_of, restricted_shown, values={"case": case.pk}, per_page=3)
            expected = Paginator(plain, 3)
            found: Paginator[Contact] = Paginator(compiled, 3)  # type: ignore[arg-type]  # slices only
            assert found.count == expected.count
            for number in expected.page_range:
                assert list(found.page(number).object_list) == list(expected.page(number).object_list)
    # One count per argument and one compile per page start, for both cases: at most three pages of three.
    assert pagination._compiled_count.cache_info().misses == 2
    assert pagination._compiled_rows.cache_info().misses == 3 + 2
    # The last page grows with the list without a new compile.
    log_contact(cast.case, cast.case_manager, days_ago=10)
    grown = CompiledPages(_contacts_of, True, values={"case": cast.case.pk}, per_page=3)
    pages: Paginator[Contact] = Paginator(grown, 3)  # type: ignore[arg-type]
    assert len(pages.page(3).object_list) == 2
    assert pagination._compiled_rows.cache_info().misses == 3 + 2


@pytest.mark.parametrize("asked", [None, "1", "2", "3", "9", "x", "-1"])
def test_counted_with_page_gives_the_querysets_pages_and_count(cast: Cast, asked: str | None) -> None:
    for _ in range(23):
        make_case(owning_yjs=cast.bristol, case_holder=cast.case_manager)
    cases = access.visible_cases(cast.case_manager).order_by("-opened_at", "-pk")
    expected = Paginator(cases, 10).get_page(asked)
    source = CountedWithPage(cases, number=asked, per_page=10)
    with CaptureQueriesContext(connection) as queries:
        paginator: Paginator[Case] = Paginator(source, 10)  # type: ignore[arg-type]  # slices only
        found = paginator.get_page(asked)
        rows = list(found.object_list)
    assert found.paginator.count == expected.paginator.count == cases.count()
    assert found.number == expected.number and rows == list(expected.object_list)
    # The page's rows and the count in one query. Past the end ("9"), its empty page, a count and the last page; a
    # page below the first ("-1") is read as the first, whose count sends the paginator to the last page, read apart.
    assert len(queries.captured_queries) == {"9": 3, "-1": 2}.get(asked or "", 1)
