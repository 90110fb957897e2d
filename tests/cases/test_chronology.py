"""The chronology: one timeline, newest first, filtered by kind, 50 to a page, hidden lines left out in the query."""

from __future__ import annotations

import datetime as dt
import html
import re

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cases.models import CaseEvent, CaseEventKind, Visibility
from cases.services import case_close, case_event_add, case_holder_change, case_reopen
from tests.conftest import Cast
from tests.factories import log_contact


def url(cast: Cast, query: str = "") -> str:
    return f"/cases/{cast.case.pk}/chronology/{query}"


def add_lines(cast: Cast) -> None:
    log_contact(cast.case, cast.case_manager, with_whom="Kai at school", days_ago=3)
    log_contact(cast.case, cast.case_manager, restricted=True, with_whom="Kai alone", days_ago=2)
    case_event_add(
        case=cast.case,
        kind=CaseEventKind.NETWORK,
        summary="Morgan Ellery joined the network",
        actor=cast.case_manager,
        visibility=Visibility.SUMMARY,
        occurred_at=timezone.now() - dt.timedelta(days=1),
    )


def test_each_person_sees_the_lines_their_access_allows(cast: Cast, client: Client) -> None:
    add_lines(cast)
    seen = {}
    for who in ("case_manager", "psychologist", "colleague", "teacher"):
        client.force_login(cast.everyone()[who])
        body = client.get(url(cast)).content.decode()
        seen[who] = tuple(text in body for text in ("Kai at school", "Kai alone", "joined the network", "case opened"))
    assert seen == {
        "case_manager": (True, True, True, True),
        "psychologist": (True, True, True, True),
        "colleague": (True, False, True, True),  # restricted lines are for the holder and the clinicians
        "teacher": (False, False, True, True),  # the network sees the summary lines only
    }


def test_free_text_reasons_stay_out_of_the_networks_lines(cast: Cast, client: Client) -> None:
    case_holder_change(case=cast.case, new_holder=cast.colleague, reason="Sam is off sick", actor=cast.case_manager)
    case_close(case=cast.case, actor=cast.case_manager, reason="other", outcome_summary="o", ending_plan="p")
    case_reopen(case=cast.case, actor=cast.colleague, reason="Kai was arrested again")
    client.force_login(cast.teacher)
    partner = client.get(url(cast)).content.decode()
    assert "Case holder changed from Sam Okafor to Priya Nandra" in partner and "Case reopened" in partner
    assert "off sick" not in partner and "arrested" not in partner
    client.force_login(cast.colleague)
    full = client.get(url(cast)).content.decode()
    assert "Reason for reopening: Kai was arrested again" in full


def test_newest_first_and_filtered_by_kind(cast: Cast, client: Client) -> None:
    add_lines(cast)
    client.force_login(cast.case_manager)
    body = client.get(url(cast)).content.decode()
    assert body.index("Morgan Ellery joined") < body.index("Kai alone") < body.index("Kai at school")
    assert body.index("case opened") < body.index("Morgan Ellery joined")  # the case was opened today
    contacts_only = client.get(url(cast, "?kind=contact")).content.decode()
    assert "Kai at school" in contacts_only and "joined the network" not in contacts_only
    assert 'value="contact" checked' in contacts_only
    both = client.get(url(cast, "?kind=contact&kind=network")).content.decode()
    assert "Kai at school" in both and "joined the network" in both and "case opened" not in both
    none = client.get(url(cast, "?kind=meeting")).content.decode()
    assert "No entries match the filters." in none


def test_a_line_links_to_what_it_is_about(cast: Cast, client: Client) -> None:
    contact = log_contact(cast.case, cast.case_manager)
    client.force_login(cast.case_manager)
    body = client.get(url(cast)).content.decode()
    assert f'href="/cases/{cast.case.pk}/contacts/{contact.pk}/"' in body


def test_an_unknown_kind_is_ignored_rather_than_failing(cast: Cast, client: Client) -> None:
    client.force_login(cast.case_manager)
    response = client.get(url(cast, "?kind=nonsense"))
    assert response.status_code == 200
    assert "case opened" in response.content.decode()


def test_fifty_lines_to_a_page(cast: Cast, client: Client) -> None:
    for number in range(60):
        case_event_add(case=cast.case, kind=CaseEventKind.OTHER, summary=f"Line {number:02d}", actor=cast.case_manager)
    client.force_login(cast.case_manager)
    first = client.get(url(cast)).content.decode()
    total = CaseEvent.objects.filter(case=cast.case).count()
    assert "Line 59" in first and "Line 09" not in first and f"{total} entries" in first
    older = re.search(r'href="(\?older=[^"]+)" rel="next"', first)
    assert older is not None and 'rel="prev"' not in first
    second = client.get(url(cast, html.unescape(older.group(1)))).content.decode()
    assert "Line 09" in second and "Line 59" not in second and 'rel="prev"' in second


def test_chronology_query_count_is_pinned_and_visibility_is_filtered_in_the_query(
    cast: Cast, client: Client, django_assert_max_num_queries
) -> None:
    for number in range(60):
        case_event_add(
            case=cast.case,
            kind=CaseEventKind.CONTACT,
            summary=f"Line {number}",
            actor=cast.case_manager if number % 2 else cast.psychologist,
            visibility=[Visibility.SUMMARY, Visibility.FULL, Visibility.RESTRICTED][number % 3],
        )
    client.force_login(cast.colleague)
    with django_assert_max_num_queries(11), CaptureQueriesContext(connection) as queries:
        body = client.get(url(cast)).content.decode()
    # 40 visible lines, "case opened" and the teacher joining the network when the cast was made
    assert body.count('<li class="govuk-!-margin-bottom-4"') == 42
    timeline = [q["sql"] for q in queries.captured_queries if 'FROM "cases_caseevent"' in q["sql"]]
    assert len(timeline) == 1  # the page, no query per line
    # The count from the case's tallies (cases.tallies): the lines of the visibilities the colleague sees.
    assert len([q for q in queries.captured_queries if "cases_casetally" in q["sql"]]) == 1
    assert "Newest first. 42 entries." in body
    assert "\"visibility\" IN ('view_summary', 'view')" in timeline[-1]
