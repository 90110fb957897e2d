"""The caseload shows the work on each case (last contact, next review, TRM stage, overdue actions) and sorts
by each column through links, in one query with the rows (issue 16)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import User
from accounts.services import coverage_add, coverage_remove
from cases.models import Case
from cases.services.contact_frequency import case_contact_frequency_set
from core import pagination
from formulation.models import Recommendation
from tests.conftest import Cast
from tests.factories import child, log_contact, make_case, recommendation, signed_off_report


def caseload(client: Client, user: User, **query: str) -> tuple[str, list[Case]]:
    client.force_login(user)
    response = client.get("/cases/", query)
    assert response.status_code == 200
    return response.content.decode(), list(response.context["page_obj"].object_list)


@pytest.fixture
def three(cast: Cast) -> dict[str, Case]:
    """Kai (a signed-off report: review due in 16 days, one overdue action, stage 3, contact 2 days ago),
    Lena (contact 30 days ago, stage 5), Ravi (never contacted, no stage), all held by the case manager."""
    today = timezone.localdate()
    lena = make_case(owning_yjs=cast.bristol, case_holder=cast.case_manager, child_record=child(given_name="Lena"))
    ravi = make_case(owning_yjs=cast.bristol, case_holder=cast.case_manager, child_record=child(given_name="Ravi"))
    log_contact(cast.case, cast.case_manager, days_ago=2)
    log_contact(lena, cast.case_manager, days_ago=30)
    Case.objects.filter(pk=cast.case.pk).update(trm_stage=3)
    Case.objects.filter(pk=lena.pk).update(trm_stage=5)
    report = signed_off_report(cast, signed_off_at=timezone.now() - dt.timedelta(days=40))
    recommendation(cast, report, "Overdue", owner=cast.teacher, due_on=today - dt.timedelta(days=1))
    recommendation(cast, report, "Also overdue", owner=cast.teacher, due_on=today - dt.timedelta(days=5))
    recommendation(cast, report, "Not yet", owner=cast.teacher, due_on=today + dt.timedelta(days=5))
    # An action on Lena's case (moved there), overdue.
    moved = recommendation(cast, report, "Lena's", owner=cast.teacher, due_on=today - dt.timedelta(days=2))
    Recommendation.objects.filter(pk=moved.pk).update(case=lena)
    return {"kai": cast.case, "lena": lena, "ravi": ravi}


def order(rows: list[Case], three: dict[str, Case]) -> list[str]:
    by_pk = {case.pk: name for name, case in three.items()}
    return [by_pk[row.pk] for row in rows]


def test_each_row_shows_the_work_on_the_case(cast: Cast, client: Client, three: dict[str, Case]) -> None:
    body, rows = caseload(client, cast.case_manager)
    kai = next(row for row in rows if row.pk == cast.case.pk)
    assert kai.days_since_contact == 2 and not kai.contact_overdue  # type: ignore[attr-defined]
    assert kai.next_review_on == timezone.localdate() + dt.timedelta(days=16)  # type: ignore[attr-defined]
    assert kai.overdue_actions == 2 and kai.stage_shown == 3  # type: ignore[attr-defined]
    lena = next(row for row in rows if row.pk == three["lena"].pk)
    assert lena.contact_overdue and lena.overdue_actions == 1  # type: ignore[attr-defined]
    assert "2 days ago" in body and "30 days ago" in body and "Contact overdue" in body
    assert "Stage 3" in body and "Not assessed" in body and "None yet" in body


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("last_contact", ["ravi", "lena", "kai"]),  # never contacted first, then the longest since
        ("-last_contact", ["kai", "lena", "ravi"]),
        ("next_review", ["kai", "ravi", "lena"]),  # no review date: last (then newest first)
        ("trm_stage", ["kai", "lena", "ravi"]),
        ("-trm_stage", ["lena", "kai", "ravi"]),
        ("-overdue_actions", ["kai", "lena", "ravi"]),
        ("overdue_actions", ["ravi", "lena", "kai"]),
        ("child", ["kai", "lena", "ravi"]),  # Brennan, then the two Testfamily children by given name
        ("-opened", ["ravi", "lena", "kai"]),
        ("opened", ["kai", "lena", "ravi"]),
    ],
)
def test_the_caseload_sorts_by_each_column(
    cast: Cast, client: Client, three: dict[str, Case], sort: str, expected: list[str]
) -> None:
    _, rows = caseload(client, cast.case_manager, sort=sort)
    assert order(rows, three) == expected


def test_the_headings_are_links_with_aria_sort(cast: Cast, client: Client, three: dict[str, Case]) -> None:
    body, _ = caseload(client, cast.case_manager, sort="last_contact", status="open", mine="on")
    assert 'aria-sort="ascending"' in body and body.count('aria-sort="none"') == 5
    # The sorted column's link reverses it; the others sort the useful way first; the filters are kept.
    assert re.search(r'href="\?[^"]*sort=-last_contact[^"]*"', body)
    assert re.search(r'href="\?[^"]*sort=-overdue_actions[^"]*"', body)
    assert re.search(r'href="\?sort=next_review&amp;status=open&amp;mine=on"', body)
    assert '<input type="hidden" name="sort" value="last_contact">' in body
    _, rows = caseload(client, cast.case_manager, sort="nonsense")  # newest first, as before
    assert order(rows, three) == ["ravi", "lena", "kai"]


def test_a_restricted_contact_counts_only_for_those_who_may_read_it(cast: Cast, client: Client) -> None:
    log_contact(cast.case, cast.case_manager, days_ago=9)
    log_contact(cast.case, cast.case_manager, days_ago=1, restricted=True)
    _, rows = caseload(client, cast.case_manager)
    assert rows[0].days_since_contact == 1  # type: ignore[attr-defined]
    _, rows = caseload(client, cast.colleague, mine="")  # same service, not the holder
    assert [row.days_since_contact for row in rows] == [9]  # type: ignore[attr-defined]
    _, rows = caseload(client, cast.psychologist)
    assert [row.days_since_contact for row in rows] == [1]  # type: ignore[attr-defined]


def test_the_shared_summary_shows_none_of_the_work_and_sorts_nothing_by_it(
    cast: Cast, client: Client, three: dict[str, Case]
) -> None:
    body, rows = caseload(client, cast.teacher, sort="-overdue_actions")
    (kai,) = rows
    assert not kai.full_record and kai.overdue_actions is None and kai.last_contact_at is None  # type: ignore[attr-defined]
    assert kai.stage_shown is None and kai.next_review_on is None  # type: ignore[attr-defined]
    assert "days ago" not in body and "Stage 3" not in body


def test_a_contact_is_overdue_after_the_cases_own_frequency(cast: Cast, client: Client) -> None:
    log_contact(cast.case, cast.case_manager, days_ago=10)
    _, rows = caseload(client, cast.case_manager)
    assert not rows[0].contact_overdue  # type: ignore[attr-defined]
    case_contact_frequency_set(case=cast.case, days=7, actor=cast.case_manager)
    _, rows = caseload(client, cast.case_manager)
    assert rows[0].contact_overdue  # type: ignore[attr-defined]


def _queries(client: Client, user: User, sort: str) -> int:
    client.force_login(user)
    client.get("/cases/", {"sort": sort})
    with CaptureQueriesContext(connection) as captured:
        client.get("/cases/", {"sort": sort})
    return len(captured.captured_queries)


@pytest.mark.parametrize("sort", ["-opened", "last_contact", "-overdue_actions", "next_review"])
def test_the_query_count_does_not_grow_with_the_rows(cast: Cast, client: Client, sort: str) -> None:
    report = signed_off_report(cast, signed_off_at=timezone.now() - dt.timedelta(days=40))
    counts = []
    for added in (2, 12):
        for number in range(added):
            case = make_case(owning_yjs=cast.bristol, case_holder=cast.case_manager)
            log_contact(case, cast.case_manager, days_ago=number + 1)
            recommendation(cast, report, f"Action {number}", due_on=timezone.localdate() - dt.timedelta(days=1))
        counts.append(_queries(client, cast.psychologist, sort))
    # Issue 14 measured the caseload at 6 queries; its pages now read the page's ids, then their rows with the
    # work columns (cases.selectors.CaseloadPages): 7. A computed column's sort adds its `SET LOCAL jit = off`
    # (and, inside the test's transaction, a savepoint and its release).
    assert counts[0] == counts[1] <= (7 if sort == "-opened" else 10), counts


def test_the_newest_first_caseload_is_compiled_once_per_access_and_page_and_follows_each_change(
    cast: Cast, client: Client
) -> None:
    """The count and the default order's pages are SQL compiled once per person's access, filters and page
    (`core.pagination._compiled_count` and `_compiled_rows`): new rows show at once, and
    coverage added or ended is a new access, so a new compile, never a stale page."""
    pagination._compiled_rows.cache_clear()
    pagination._compiled_count.cache_clear()
    everything = {"status": "", "kind": ""}
    _, before = caseload(client, cast.psychologist, **everything)
    newer = make_case(owning_yjs=cast.bristol, case_holder=cast.case_manager, child_record=child(given_name="Mo"))
    _, rows = caseload(client, cast.psychologist, **everything)
    assert rows == [newer, *before]  # a new case at once, newest first
    assert pagination._compiled_rows.cache_info().misses == 1 and pagination._compiled_count.cache_info().misses == 1
    banes_case = make_case(owning_yjs=cast.banes, case_holder=cast.banes_case_manager)
    coverage = coverage_add(clinician=cast.psychologist, yjs=cast.banes, actor=cast.administrator)
    assert caseload(client, cast.psychologist, **everything)[1] == [banes_case, newer, *before]
    coverage_remove(coverage=coverage, actor=cast.administrator)
    assert caseload(client, cast.psychologist, **everything)[1] == [newer, *before]
    # Compiled for the first access and for the one with the coverage; the last view was the first access again.
    assert pagination._compiled_rows.cache_info().misses == 2 and pagination._compiled_count.cache_info().misses == 2
    # Another person's caseload is their own: the case manager holds neither of Bath's nor sees them.
    assert banes_case not in caseload(client, cast.case_manager, **everything)[1]


def test_the_caseload_pages_past_fifty_cases_newest_first_with_none_twice(cast: Cast, client: Client) -> None:
    for number in range(54):
        make_case(owning_yjs=cast.bristol, case_holder=cast.case_manager, child_record=child(given_name=f"C{number}"))
    newest = list(Case.objects.filter(case_holder=cast.case_manager).order_by("-opened_at", "-pk"))
    assert len(newest) == 55
    _, first = caseload(client, cast.case_manager)
    _, second = caseload(client, cast.case_manager, page="2")
    assert first == newest[:50] and second == newest[50:]
    # A case opened since is on the first page at once, and the last case moves to the second.
    latest = make_case(owning_yjs=cast.bristol, case_holder=cast.case_manager, child_record=child(given_name="Zed"))
    assert caseload(client, cast.case_manager)[1] == [latest, *newest[:49]]
    assert caseload(client, cast.case_manager, page="2")[1] == newest[49:]
