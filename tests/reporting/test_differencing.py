"""The differencing attack: no two (or three) choices on the reports page may give away a count from 1 to 4.

Issue 15: referrals were 9 for all services and 8 for Bristol alone, so BANES had exactly 1 while
BANES's own view showed "<5"; 9 up to 3 December minus 7 up to 30 November gave 2 where the 1 to 3
December view showed "<5".

The test asks the dashboard (the view itself, as a commissioner) for every set of services the form
can make out of three services (every non-empty subset: the form allows any) and for periods that
nest or sit side by side, a few days apart (the form takes any dates). For each count it turns what
is published into the true values it allows ("<5" is 0 to 4, "10–14" is 10 to 14, "[c]" anything;
under the old rule "<5" was 1 to 4 and a number was itself), narrowed by the lines the report's own
counts add up along (`Report.lines`). Then, as an attacker would:

- for each pair of choices where one contains the other (fewer services, or a shorter period), the
  difference of the two values must not be forced to one number from 1 to 4;
- when the rest is a choice too (the other services; the days between the two periods), the three
  values add up (all services = these + the rest), and neither part may be forced to one number
  from 1 to 4.

The CSV (asked for through its own view) and the PDF summary (its template, from the document's
context) must show exactly the cells the page shows. Rates, medians and means are not counts: their
own rule (from 5 cases; shares worked out from the published ranges) is tested in test_suppression.py.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import itertools
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import pytest
from django.template.loader import render_to_string
from django.test import Client

from accounts.models import Agency
from referrals.models import Referral, ReferralStatus
from reporting import documents
from reporting.csv_export import safe_cell
from reporting.figures import Report
from reporting.models import SummaryDocument
from reporting.services import commissioning_add
from tests.factories import child
from tests.reporting.conftest import World, at

pytestmark = pytest.mark.django_db

INF = 10**9
RANGE = re.compile(r"([\d,]+)–([\d,]+)")
NUMBER = re.compile(r"[\d,]+")
# Columns holding a rate, a median, a mean or a share: not counts (they are protected by their own rule).
NOT_COUNTS = ("Median", "percentile", "rate", "per case", "Mean", "Share")
# Figures whose counts add up over days (events dated in the period): a longer period holds the shorter's
# events and those of the days between. The others count the period's cases (open at any time in it), which
# do not add up over periods.
ADDS_UP_OVER_DAYS = (
    "headline|Referrals received",
    "headline|Triage decisions",
    "headline|Formulation meetings held",
    "headline|Reviews held",
    "headline|Consultations delivered",
    "referrals|",
    "triage|",
    "waiting|",
    "meetings|",
    "attendance|",
    "days_in_stage|",
    "actions|",
    "consultations|",
)

# Extra referrals around the turn of November, so that small differences exist between the periods and
# between the services: (service, day sent).
EXTRA_REFERRALS = [
    *[("bristol", f"2025-11-{day:02d}") for day in (3, 5, 10, 12, 18, 24, 27)],
    ("bristol", "2025-12-02"),
    ("bristol", "2025-12-03"),
    ("banes", "2025-11-14"),
    ("banes", "2025-12-01"),
    ("wyvern", "2025-11-20"),
    ("wyvern", "2025-12-09"),
]

PERIODS = {
    "2025": (dt.date(2025, 1, 1), dt.date(2025, 12, 31)),
    "up to 30 Nov": (dt.date(2025, 1, 1), dt.date(2025, 11, 30)),
    "up to 3 Dec": (dt.date(2025, 1, 1), dt.date(2025, 12, 3)),
    "November": (dt.date(2025, 11, 1), dt.date(2025, 11, 30)),
    "1 Nov to 3 Dec": (dt.date(2025, 11, 1), dt.date(2025, 12, 3)),
    "1 to 3 Dec": (dt.date(2025, 12, 1), dt.date(2025, 12, 3)),
    "4 to 31 Dec": (dt.date(2025, 12, 4), dt.date(2025, 12, 31)),
    "1 Nov to 31 Dec": (dt.date(2025, 11, 1), dt.date(2025, 12, 31)),
}


def interval(text: str) -> tuple[int, int] | None:
    """The true values a published count allows; None for text that is not a count."""
    if text == "<5":
        return (0, 4)
    if text == "[c]":
        return (0, INF)
    if match := RANGE.fullmatch(text):
        return (int(match[1].replace(",", "")), int(match[2].replace(",", "")))
    if NUMBER.fullmatch(text):
        value = int(text.replace(",", ""))
        return (value, value)
    return None


@dataclass
class View:
    """One choice on the page: what it shows, and what each count can be."""

    services: frozenset[str]
    period: str
    report: Report
    cells: dict[str, str]  # figure|row|column: the text shown
    bounds: dict[str, tuple[int, int]]  # the same, for counts: what the true value can be


def cells_of(report: Report) -> tuple[dict[str, str], dict[str, str]]:
    """Every count cell of a report (by figure, row and column) with its text, and the key it shows (if known)."""
    texts: dict[str, str] = {}
    keys: dict[str, str] = {}

    def add(name: str, shown: Any) -> None:
        texts[name] = shown.text
        if getattr(shown, "key", None):
            keys[name] = shown.key

    for label, shown in report.headline:
        add(f"headline|{label}", shown)
    for figure in report.figures():
        for row in figure.rows:
            for header, shown in zip(figure.header[1:], row.cells, strict=True):
                if not any(word in header for word in NOT_COUNTS):
                    add(f"{figure.key}|{row.label}|{header}", shown)
    return texts, keys


def narrowed(report: Report, texts: dict[str, str], keys: dict[str, str]) -> dict[str, tuple[int, int]]:
    """What each count can be, from its own text and every line the report's counts add up along."""
    by_key: dict[str, tuple[int, int]] = {}
    for name, key in keys.items():
        found = interval(texts[name])
        if found is not None:
            lo, hi = by_key.get(key, (0, INF))
            by_key[key] = (max(lo, found[0]), min(hi, found[1]))
    lines = list(getattr(report, "lines", []))
    for line in lines:
        for key in (*line.members, line.total):
            by_key.setdefault(key, (0, INF))
    for _ in range(200):
        changed = False
        for line in lines:
            members = [by_key[key] for key in line.members]
            total = by_key[line.total]
            low, high = sum(lo for lo, _ in members), sum(hi for _, hi in members)
            new_total = (max(total[0], low), min(total[1], high))
            for key, (lo, hi) in zip(line.members, members, strict=True):
                new = (max(lo, new_total[0] - (high - hi)), min(hi, new_total[1] - (low - lo)))
                if new != by_key[key]:
                    by_key[key], changed = new, True
            if new_total != by_key[line.total]:
                by_key[line.total], changed = new_total, True
        if not changed:
            break
    bounds = {}
    for name, text in texts.items():
        found = interval(text)
        if found is not None:
            bounds[name] = by_key.get(keys.get(name, ""), found)
    return bounds


def query(services: Iterable[Agency], period: str) -> dict[str, Any]:
    start, end = PERIODS[period]
    return {
        "start_day": start.day,
        "start_month": start.month,
        "start_year": start.year,
        "end_day": end.day,
        "end_month": end.month,
        "end_year": end.year,
        "agencies": [agency.pk for agency in services],
    }


def csv_cells(content: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def assert_the_csv_and_the_pdf_show_the_page(client: Client, user: Any, view: View, data: dict[str, Any]) -> None:
    report = view.report
    rows = csv_cells(client.get("/reports/figures-as-shown.csv", data).content)
    expected = [[safe_cell(label), safe_cell(shown.csv)] for label, shown in report.headline]
    for figure in report.figures():
        expected.extend([safe_cell(row.label), *[safe_cell(cell.csv) for cell in row.cells]] for row in figure.rows)
    found = iter(rows)
    for line in expected:  # every row of the page, in order, in the CSV (between titles and notes)
        assert line in found, f"{view.services} {view.period}: {line} is not in the CSV as on the page"
    document = SummaryDocument.objects.create(
        requested_by=user,
        start=PERIODS[view.period][0],
        end=PERIODS[view.period][1],
        agency_ids=data["agencies"],
    )
    context = documents.summary_pdf_context(document)
    printed, _ = cells_of(context["report"])
    assert printed == view.cells, f"{view.services} {view.period}: the PDF's figures differ from the page's"
    html = render_to_string(documents.TEMPLATE, context)
    shown_in_pdf = re.findall(r"<td>([^<]*)</td>", html)
    on_the_page = [cell.text for figure in report.figures() for row in figure.rows for cell in row.cells]
    assert [text.replace("&lt;", "<") for text in shown_in_pdf[-len(on_the_page) :]] == on_the_page


def forced(candidates: tuple[int, int]) -> int | None:
    """The one number from 1 to 4 a range of candidates is forced to, if it is."""
    lo, hi = candidates
    return lo if lo == hi and 1 <= lo <= 4 else None


def pair_disclosure(part: tuple[int, int], whole: tuple[int, int], *, contains: bool) -> int | None:
    """What `whole - part` must be, given both; `contains`: the whole holds everything the part holds."""
    lo, hi = whole[0] - part[1], whole[1] - part[0]
    if contains:  # the part is within the whole: the difference is a count, never below 0
        lo = max(lo, 0)
    return forced((lo, hi)) if lo <= hi else None


def triple_disclosures(part: tuple[int, int], rest: tuple[int, int], whole: tuple[int, int]) -> list[int]:
    """whole = part + rest: which of the two parts (if any) is forced to one number from 1 to 4."""
    found = []
    for one, other in ((part, rest), (rest, part)):
        lo, hi = max(one[0], whole[0] - other[1]), min(one[1], whole[1] - other[0])
        value = forced((lo, hi)) if lo <= hi else None
        if value is not None:
            found.append(value)
    return found


def test_no_pair_of_choices_on_the_page_gives_away_a_count_from_1_to_4(world: World, capsys: Any) -> None:
    cast = world.cast
    commissioning_add(commissioner_agency=cast.commissioning, yjs=world.wyvern)
    services = {"bristol": cast.bristol, "banes": cast.banes, "wyvern": world.wyvern}
    referrer = {"bristol": cast.case_manager, "banes": cast.banes_case_manager}
    wyvern_manager = world.cases["W1"].case_holder
    for number, (service, sent) in enumerate(EXTRA_REFERRALS):
        Referral.objects.create(
            child=child(given_name=f"Extra{number}", family_name="Child", reference=f"DIFF-{number:04d}"),
            referring_yjs=services[service],
            referrer=referrer.get(service, wyvern_manager),
            status=ReferralStatus.SUBMITTED,
            reasons="Invented for the differencing test",
            submitted_at=at(sent, 10),
        )

    client = Client()
    client.force_login(cast.commissioner)
    names = sorted(services)
    choices = [frozenset(chosen) for size in range(1, 4) for chosen in itertools.combinations(names, size)]
    views: dict[tuple[frozenset[str], str], View] = {}
    for chosen in choices:
        for period in PERIODS:
            data = query([services[name] for name in sorted(chosen)], period)
            response = client.get("/reports/", data)
            assert response.status_code == 200 and not response.context["form"].errors
            report = response.context["report"]
            assert {agency.pk for agency in report.scope.agencies} == {services[name].pk for name in chosen}
            texts, keys = cells_of(report)
            view = View(chosen, period, report, texts, narrowed(report, texts, keys))
            views[(chosen, period)] = view
            if chosen == frozenset(names) or len(chosen) == 1 or period == "2025":
                assert_the_csv_and_the_pdf_show_the_page(client, cast.commissioner, view, data)

    # Within one view: no count above 0 can be worked out exactly from its own figures.
    pinned_in_a_view = [
        (sorted(view.services), view.period, name, view.bounds[name])
        for view in views.values()
        for name in view.bounds
        if name in view.cells
        and view.bounds[name][0] == view.bounds[name][1]
        and view.bounds[name][0] > 0
        and interval(view.cells[name]) != view.bounds[name]
    ]

    pairs = with_the_rest = comparisons = 0
    disclosures: list[tuple[Any, ...]] = []

    def compare(part: View, whole: View, rest: View | None, *, over_days: bool) -> None:
        nonlocal pairs, with_the_rest, comparisons
        pairs += 1
        with_the_rest += rest is not None
        for name, whole_bounds in whole.bounds.items():
            if name not in part.bounds:
                continue
            adds_up = not over_days or name.startswith(ADDS_UP_OVER_DAYS)
            comparisons += 1
            value = pair_disclosure(part.bounds[name], whole_bounds, contains=adds_up)
            if value is not None:
                disclosures.append(("pair", part.services, part.period, whole.services, whole.period, name, value))
            if rest is not None and adds_up and name in rest.bounds:
                comparisons += 1
                for value in triple_disclosures(part.bounds[name], rest.bounds[name], whole_bounds):
                    disclosures.append(
                        (
                            "parts",
                            sorted(part.services),
                            part.period,
                            sorted(rest.services),
                            rest.period,
                            name,
                            value,
                            part.bounds[name],
                            rest.bounds[name],
                            whole_bounds,
                        )
                    )

    # Fewer services, the same period; the rest of the services is a choice too.
    for period in PERIODS:
        for whole, part in itertools.permutations(choices, 2):
            if part < whole:
                compare(views[(part, period)], views[(whole, period)], views[(whole - part, period)], over_days=False)
    # A shorter period, the same services; when the days between are one of the periods, they are the rest.
    spans = {name: (start, end) for name, (start, end) in PERIODS.items()}
    for chosen in choices:
        for (longer, (w_start, w_end)), (shorter, (p_start, p_end)) in itertools.permutations(spans.items(), 2):
            if not (w_start <= p_start and p_end <= w_end):
                continue
            between = None
            for other, (o_start, o_end) in spans.items():
                before = p_start == w_start and o_start == p_end + dt.timedelta(days=1) and o_end == w_end
                after = p_end == w_end and o_end == p_start - dt.timedelta(days=1) and o_start == w_start
                if before or after:
                    between = views[(chosen, other)]
            compare(views[(chosen, shorter)], views[(chosen, longer)], between, over_days=True)

    with capsys.disabled():
        from_pairs = sum(1 for disclosure in disclosures if disclosure[0] == "pair")
        print(
            f"\ndifferencing attack: {len(views)} views; {pairs} pairs of choices, one within the other "
            f"({with_the_rest} with the rest a choice too); {comparisons} comparisons of figures; "
            f"{len(disclosures)} disclosures ({from_pairs} from a pair, {len(disclosures) - from_pairs} from the "
            f"parts); {len(pinned_in_a_view)} counts worked out within one view"
        )
        for disclosure in disclosures[:10]:
            print("  ", disclosure)
    assert pairs > 0 and comparisons > 0
    assert pinned_in_a_view == []
    assert disclosures == []


def test_the_issue_example_is_no_longer_disclosed() -> None:
    """The issue's own numbers, published under the rule: 9 for all services, 8 for Bristol, 1 for BANES."""
    from reporting.suppression import count_text

    every, bristol, banes = (interval(count_text(count)) for count in (9, 8, 1))
    assert every == bristol == (5, 9) and banes == (0, 4)
    assert every is not None and bristol is not None and banes is not None
    assert pair_disclosure(bristol, every, contains=True) is None
    assert triple_disclosures(bristol, banes, every) == []
    # The old rule published 9, 8 and "<5" (1 to 4): BANES's 1 was forced.
    assert pair_disclosure((8, 8), (9, 9), contains=True) == 1
