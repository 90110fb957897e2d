"""Reports count a case in each service for the time it held it (issue 17): a case that moved mid-quarter is one
of the quarter's cases for both services, with the days each held it (cases.CaseHolding, read by the reports'
population: reporting/queries/statements.py)."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from accounts.models import AgencyKind
from cases.models import Case
from cases.services.transfers import transfer_accept, transfer_offer
from reporting import queries
from reporting.scope import ReportScope
from tests.cast import Cast
from tests.clock import UK
from tests.factories import agency, make_case

pytestmark = pytest.mark.django_db

QUARTER_START, QUARTER_END = dt.date(2025, 10, 1), dt.date(2025, 12, 31)
MOVED_AT = dt.datetime(2025, 11, 14, 12, 0, tzinfo=UK)  # UK noon, mid-quarter


def _years(start: dt.datetime, end: dt.datetime) -> float:
    # In UTC: two times in the same zone subtract as wall-clock times in Python (the clocks went back on 26 October).
    return (end.astimezone(dt.UTC) - start.astimezone(dt.UTC)).total_seconds() / (86400 * 365.25)


def test_a_case_moved_mid_quarter_counts_in_both_services_for_its_days(cast: Cast) -> None:
    case = make_case(owning_yjs=cast.bristol, case_holder=cast.case_manager)
    Case.objects.filter(pk=case.pk).update(opened_at=dt.datetime(2025, 9, 1, 9, 0, tzinfo=UK))
    with time_machine.travel(MOVED_AT, tick=False):
        transfer = transfer_offer(case=case, actor=cast.case_manager, to_yjs=cast.banes, reason="Moved to Bath.")
        transfer_accept(transfer=transfer, actor=cast.banes_case_manager, new_holder=cast.banes_case_manager)
    elsewhere = agency("Wyvern YJS", AgencyKind.YOUTH_JUSTICE)

    def scope(*services: object) -> ReportScope:
        return ReportScope(start=QUARTER_START, end=QUARTER_END, agencies=services, today=dt.date(2026, 1, 15))  # type: ignore[arg-type]

    bristol, banes, both = scope(cast.bristol), scope(cast.banes), scope(cast.bristol, cast.banes)
    assert queries.population_count(bristol) == 1
    assert queries.population_count(banes) == 1
    assert queries.population_count(both) == 1  # one case, not two
    assert queries.population_count(scope(elsewhere)) == 0

    assert queries.holder_changes(bristol).case_years == pytest.approx(_years(bristol.start_at, MOVED_AT))
    assert queries.holder_changes(banes).case_years == pytest.approx(_years(MOVED_AT, banes.end_at))
    assert queries.holder_changes(both).case_years == pytest.approx(_years(both.start_at, both.end_at))
    # The move is a change of holder for each service that held the case in the quarter.
    assert queries.holder_changes(bristol).changes == queries.holder_changes(banes).changes == 1

    # A quarter before the move: Bristol's alone.
    before = ReportScope(
        start=dt.date(2025, 7, 1), end=dt.date(2025, 9, 30), agencies=(cast.banes,), today=dt.date(2026, 1, 15)
    )
    assert queries.population_count(before) == 0
