"""`make run`'s demo has enough invented cases in the demo commissioner's services for the reports to show figures
rather than "<5" (issue 18): the scale generator at a small size, made once."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from accounts.models import User
from cases.models import Case
from devtools.demo.reporting_data import DEMO_CASES, REFERENCE_PREFIX
from devtools.demo.seed import YJS_NAMES, seed_demo, seed_demo_reporting_data
from formulation.models import Invitation
from reporting.figures import build_report
from reporting.scope import report_scope
from reporting.suppression import FEW_CASES, HIDDEN_COUNT, SMALL_COUNT

pytestmark = pytest.mark.django_db

SUPPRESSED = {SMALL_COUNT, HIDDEN_COUNT, FEW_CASES}


def test_the_demo_commissioner_sees_mostly_unsuppressed_figures_for_the_last_12_months() -> None:
    seed_demo()
    made = seed_demo_reporting_data()
    assert made is not None and made.counts.rows["cases"] == DEMO_CASES
    commissioner = User.objects.get(username="commissioner")
    scope = report_scope(commissioner)  # the page's default: the last 12 months, every service they may see
    assert sorted(agency.name for agency in scope.agencies) == sorted(YJS_NAMES)
    report = build_report(scope)
    cells = [shown.csv for figure in report.figures() for row in figure.rows for shown in row.cells]
    shown = [cell for cell in cells if cell not in SUPPRESSED]
    assert len(shown) / len(cells) > 0.75, f"only {len(shown)} of {len(cells)} figures are shown"
    headline = dict((label, shown.csv) for label, shown in report.headline)
    assert headline["Referrals received"] not in SUPPRESSED
    # Someone from a "Not listed" agency came to some of the meetings: "Other" has figures of its own.
    other = next(row for row in report.figure("attendance").rows if row.label == "Other")
    assert [cell.csv for cell in other.cells][:2] != [SMALL_COUNT, SMALL_COUNT]
    # The demo people's own caseloads are as the stories left them: the invented cases are invented people's.
    invented = Case.objects.filter(child__reference__startswith=REFERENCE_PREFIX)
    assert not invented.filter(case_holder__is_demo=True).exists()
    assert not invented.filter(psychologist__is_demo=True).exists()
    assert Invitation.objects.filter(meeting__case__in=invented, agency__isnull=True).exclude(agency_name="").exists()


def test_the_second_run_finds_it_there_and_makes_nothing() -> None:
    seed_demo()
    assert seed_demo_reporting_data() is not None
    cases = Case.objects.count()
    err = io.StringIO()
    call_command("seed_demo", "--reporting-data", stdout=io.StringIO(), stderr=err)
    assert seed_demo_reporting_data() is None
    assert Case.objects.count() == cases
    assert "invented cases" not in err.getvalue()  # nothing made, nothing said
