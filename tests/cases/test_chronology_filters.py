"""The chronology a practitioner can use (issue 16): a date range, a text search, the kinds and "significant
only", each and together, kept by the pages' links; a wrong date range explained; the search never reaching a
line the person may not see; partners' entries in the same timeline; and no work per line (issue 14)."""

from __future__ import annotations

import datetime as dt
import html
import re
from typing import Any

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cases.models import CaseEvent, CaseEventKind
from cases.services import case_event_add
from tests.clock import hold_today
from tests.conftest import Cast
from tests.factories import log_contact, make_case


def url(cast: Cast, query: str = "") -> str:
    return f"/cases/{cast.case.pk}/chronology/{query}"


def at(day: dt.date, hour: int = 12) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, 0)))


def line(cast: Cast, summary: str, day: dt.date, *, kind: str = CaseEventKind.OTHER, **fields: Any) -> CaseEvent:
    fields.setdefault("actor", cast.case_manager)
    return case_event_add(case=cast.case, kind=kind, summary=summary, occurred_at=at(day), **fields)


TODAY = timezone.localdate()
_held = hold_today(TODAY)
MARCH_1, MARCH_10, MARCH_20 = (TODAY - dt.timedelta(days=days) for days in (60, 50, 40))


def dates(prefix: str, day: dt.date) -> str:
    return f"&{prefix}_day={day.day}&{prefix}_month={day.month}&{prefix}_year={day.year}"


def some_lines(cast: Cast) -> dict[str, CaseEvent]:
    return {
        "early": line(cast, "Kai started at the pupil referral unit", MARCH_1),
        "middle": line(cast, "School exclusion meeting held", MARCH_10, kind=CaseEventKind.MEETING),
        "late": line(cast, "Kai moved to his aunt's house", MARCH_20, significant=True),
    }


def shown(body: str, lines: dict[str, CaseEvent]) -> set[str]:
    return {name for name, event in lines.items() if event.summary.replace("'", "&#x27;") in body}


def test_each_filter_narrows_the_chronology(cast: Cast, client: Client) -> None:
    lines = some_lines(cast)
    client.force_login(cast.case_manager)

    def get(query: str) -> set[str]:
        response = client.get(url(cast, "?" + query.lstrip("&")))
        assert response.status_code == 200
        return shown(response.content.decode(), lines)

    assert get("") == {"early", "middle", "late"}
    assert get(dates("date_from", MARCH_10)) == {"middle", "late"}  # the day itself counts, from its start
    assert get(dates("date_to", MARCH_10)) == {"early", "middle"}  # to the end of the day
    assert get(dates("date_from", MARCH_10) + dates("date_to", MARCH_10)) == {"middle"}
    assert get("q=KAI") == {"early", "late"}  # any case
    assert get("q=kai+aunt") == {"late"}  # every word
    assert get("q=referral+aunt") == set()
    assert get("kind=meeting") == {"middle"}
    assert get("significant=on") == {"late"}


def test_filters_combine_and_say_what_they_show(cast: Cast, client: Client) -> None:
    lines = some_lines(cast)
    line(cast, "Kai was excluded again", MARCH_20, kind=CaseEventKind.MEETING, significant=True)
    client.force_login(cast.case_manager)
    body = client.get(url(cast, "?q=kai&significant=on" + dates("date_from", MARCH_10))).content.decode()
    assert shown(body, lines) == {"late"} and "Kai was excluded again" in body
    body = client.get(url(cast, "?q=kai&significant=on&kind=meeting" + dates("date_from", MARCH_10))).content.decode()
    assert shown(body, lines) == set() and "Kai was excluded again" in body
    count = re.search(r'data-testid="chronology-count">([^<]*)<', body)
    assert count is not None
    assert html.unescape(count.group(1)) == (
        f"Newest first. 1 entry of the kinds meeting; from {MARCH_10.day} {MARCH_10:%B %Y}; "
        "containing \u201ckai\u201d; marked significant."
    )
    # The form shows what was asked, and "Show everything" takes the filters off.
    assert 'name="q" type="text"\n         value="kai"' in body or 'value="kai"' in body
    assert 'value="meeting" checked' in body and 'name="significant" type="checkbox" value="on" checked' in body
    assert f'value="{MARCH_10.day}"' in body
    assert f'<a class="govuk-link" href="/cases/{cast.case.pk}/chronology/">Show everything</a>' in body
    nothing = client.get(url(cast, "?q=nothing+like+this")).content.decode()
    assert "No entries match the filters." in nothing


def test_a_date_range_that_ends_before_it_starts_is_explained(cast: Cast, client: Client) -> None:
    lines = some_lines(cast)
    client.force_login(cast.case_manager)
    response = client.get(url(cast, "?q=kai" + dates("date_from", MARCH_20) + dates("date_to", MARCH_1)))
    assert response.status_code == 200
    body = response.content.decode()
    assert "<title>Error: Chronology" in body
    assert 'class="govuk-error-summary"' in body
    assert '<a href="#id_date_to">Date to must be the same as or after date from</a>' in body
    assert "govuk-form-group--error" in body
    # What was typed stays in the boxes; the other filters still apply, the wrong range does not.
    assert f'value="{MARCH_20.day}"' in body and f'value="{MARCH_1.day}"' in body
    assert shown(body, lines) == {"early", "late"}


def test_a_date_that_is_not_a_date_is_explained(cast: Cast, client: Client) -> None:
    client.force_login(cast.case_manager)
    body = client.get(url(cast, "?date_from_day=31&date_from_month=2&date_from_year=2026")).content.decode()
    assert '<a href="#id_date_from">Date from must be a real date, like 27 3 2025</a>' in body
    body = client.get(url(cast, "?date_to_day=3&date_to_year=2026")).content.decode()
    assert '<a href="#id_date_to">Date to must include a month</a>' in body
    body = client.get(url(cast, "?q=" + "x" * 201)).content.decode()
    assert "The search must be 200 characters or fewer" in body


def timeline(response: Any) -> str:
    """The entries shown (not the search box, which says what was searched for)."""
    found = re.search(r'<ol class="govuk-list ecm-timeline".*?</ol>', response.content.decode(), re.S)
    return found.group(0) if found else ""


def test_the_search_never_reaches_a_line_the_person_may_not_see(cast: Cast, client: Client) -> None:
    log_contact(cast.case, cast.case_manager, restricted=True, with_whom="Kai and Zephyrine", note="Disclosure")
    log_contact(cast.case, cast.case_manager, with_whom="Kai and Quillon", note="Ordinary")
    found = {}
    for who in ("case_manager", "psychologist", "colleague", "teacher"):
        client.force_login(cast.everyone()[who])
        found[who] = tuple(word in timeline(client.get(url(cast, f"?q={word}"))) for word in ("Zephyrine", "Quillon"))
    assert found == {
        "case_manager": (True, True),  # the holder reads restricted notes
        "psychologist": (True, True),
        "colleague": (False, True),  # the restricted line is not searched for her at all
        "teacher": (False, False),  # the network sees the summary lines only
    }
    client.force_login(cast.colleague)
    with CaptureQueriesContext(connection) as queries:
        client.get(url(cast, "?q=Zephyrine"))
    searched = [q["sql"] for q in queries.captured_queries if 'FROM "cases_caseevent"' in q["sql"]]
    assert searched and all(
        "'view_restricted'" not in sql and "\"visibility\" IN ('view_summary', 'view')" in sql for sql in searched
    )


def test_the_pages_links_keep_the_filters(cast: Cast, client: Client) -> None:
    for number in range(60):
        line(cast, f"Kai line {number:02d}", MARCH_10 + dt.timedelta(days=number % 5))
    line(cast, "Another line", MARCH_10)
    client.force_login(cast.case_manager)
    first = client.get(url(cast, "?q=kai" + dates("date_from", MARCH_1))).content.decode()
    assert "Another line" not in first and "60 entries" in first
    older = re.search(r'href="(\?[^"]+)" rel="next"', first)
    assert older is not None
    link = html.unescape(older.group(1))
    assert "q=kai" in link and f"date_from_day={MARCH_1.day}" in link and "older=" in link
    second = client.get(url(cast, link)).content.decode()
    assert "Kai line" in second and "Another line" not in second and 'rel="prev"' in second
    assert "q=kai" in html.unescape(re.search(r'href="(\?[^"]+)" rel="prev"', second).group(1))  # type: ignore[union-attr]
    # The PDF button asks for the same filters.
    assert f'action="/cases/{cast.case.pk}/chronology/pdf/?date_from_day={MARCH_1.day}' in html.unescape(first)


def test_what_partners_report_is_in_the_same_timeline_and_marked_as_theirs(cast: Cast, client: Client) -> None:
    line(cast, "Helen noted Kai was on time all week", MARCH_10, kind=CaseEventKind.ACTION, actor=cast.teacher)
    line(cast, "Sam visited Kai at home", MARCH_20, kind=CaseEventKind.CONTACT)
    client.force_login(cast.case_manager)
    body = client.get(url(cast)).content.decode()
    assert "Helen noted Kai was on time all week" in body and "Sam visited Kai at home" in body
    assert 'By Helen Marsh, Fernbrook Academy <span class="ecm-partner-note">(reported by the network)</span>' in body
    assert body.count("(reported by the network)") == 1  # Sam is the case holder, not a partner


def test_lines_are_readied_once_a_page_with_the_same_output(
    cast: Cast, client: Client, django_assert_max_num_queries: Any
) -> None:
    """Issue 14: the times, kinds and links are made in one pass over the page, not by template filters per line;
    the output is what the template made before."""
    contact = log_contact(cast.case, cast.case_manager)
    for number in range(60):
        line(cast, f"Line {number}", MARCH_10, actor=cast.teacher if number % 2 else cast.psychologist)
    client.force_login(cast.case_manager)
    with django_assert_max_num_queries(13):
        body = client.get(url(cast, "?q=line")).content.decode()
    assert body.count('<li class="govuk-!-margin-bottom-4"') == 50
    moment = timezone.localtime(at(MARCH_10))
    assert f'<time datetime="{moment.isoformat()}">{moment.day} {moment:%b %Y}, 12:00</time>' in body
    whole = client.get(url(cast)).content.decode()
    assert f'href="{reverse("cases:contact_detail", args=[cast.case.pk, contact.pk])}"' in whole


def _filter_form(body: str) -> str:
    found = re.search(r'<form method="get" novalidate aria-label="Filter the chronology">.*?</form>', body, re.S)
    assert found, "the filter form is on the page"
    return found.group(0)


def test_the_unfiltered_form_is_the_same_for_every_case_and_a_filtered_one_keeps_its_values(
    cast: Cast, client: Client
) -> None:
    """Unfiltered, the form is rendered once per process (cases.views.chronology._unfiltered_form): it must be the
    form a filtered page renders, with nothing chosen and no case of its own; filtered, the choices come back."""
    client.force_login(cast.psychologist)
    other = make_case(owning_yjs=cast.bristol, case_holder=cast.colleague)
    first = _filter_form(client.get(url(cast)).content.decode())
    second = _filter_form(client.get(f"/cases/{other.pk}/chronology/").content.decode())
    assert first == second
    assert 'action="' not in first and "checked" not in first and "Show everything" not in first
    assert all(f'value="{kind}"' in first for kind in CaseEventKind.values)
    filtered = _filter_form(client.get(url(cast, "?kind=meeting&q=school")).content.decode())
    assert 'value="meeting" checked' in filtered and 'value="school"' in filtered
    assert f'href="{url(cast)}">Show everything' in filtered
