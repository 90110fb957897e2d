"""seed_scale at a tiny scale (the full size is for a person to run once, not for the suite), and the benchmark."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from django.db.models import Count
from django.utils import timezone

from accounts.history import acting_as
from accounts.models import Agency, AgencyKind, User
from cases.models import Case, CaseEvent, Contact, Visibility
from cases.tallies import contact_tallies, event_tallies, tallied
from formulation.models import Meeting, Recommendation
from referrals.models import Referral
from reporting import queries
from reporting.figures import build_report
from reporting.scope import ReportScope
from trm_stages.models import StageAssessment

pytestmark = pytest.mark.django_db


def seed(scale: float = 0.001, label: str = "Tiny", *extra: str) -> str:
    out = io.StringIO()
    call_command("seed_scale", "--scale", str(scale), "--label", label, *extra, stdout=out)
    return out.getvalue()


def test_a_tiny_scale_makes_a_whole_small_world_and_says_how_long_it_took() -> None:
    output = seed()
    assert "seed_scale --scale 0.001 took" in output
    services = Agency.objects.filter(name__startswith="Tiny ", kind=AgencyKind.YOUTH_JUSTICE)
    assert services.count() == 1
    assert Agency.objects.filter(name__startswith="Tiny ").count() == 8  # a service, a team, 5 partners, a body
    cases = Case.objects.filter(owning_yjs__in=services)
    assert cases.count() == 20
    assert Contact.objects.filter(case__in=cases).count() == 1000
    assert Referral.objects.filter(referring_yjs__in=services).count() >= 20
    assert Meeting.objects.filter(case__in=cases, purpose="formulation").exists()
    assert StageAssessment.objects.filter(case__in=cases).exists()
    done = Recommendation.objects.filter(case__in=cases, status="done")
    # Every action marked done carries the date it was done, in its history, for "done on time".
    history = apps.get_model("formulation", "RecommendationHistory")
    assert history.objects.filter(pgh_obj__in=done, status="done").count() == done.count()
    # Every child is invented, 10 to 17 years old when first referred.
    for case in cases.select_related("child"):
        age = (case.opened_at.date() - case.child.date_of_birth).days / 365.25
        assert 9.9 < age < 28  # a second referral can come years after the first


def test_the_case_tallies_count_the_loaded_rows_though_their_triggers_were_skipped() -> None:
    seed()
    cases = Case.objects.filter(owning_yjs__name__startswith="Tiny ")
    case = cases.annotate(logged=Count("contacts")).order_by("-logged").first()
    assert case is not None
    assert tallied(case.pk, contact_tallies(restricted_shown=True)) == Contact.objects.filter(case=case).count() > 0
    everything = event_tallies(value for value, _ in Visibility.choices)
    assert tallied(case.pk, everything) == CaseEvent.objects.filter(case=case).count()
    total = sum(tallied(pk, contact_tallies(restricted_shown=True)) for pk in cases.values_list("pk", flat=True))
    assert total == 1000
    # And the triggers keep them from here on.
    Contact.objects.filter(case=case).delete()
    assert tallied(case.pk, contact_tallies(restricted_shown=True)) == 0


def test_the_seeded_world_makes_a_report() -> None:
    seed()
    services = tuple(Agency.objects.filter(name__startswith="Tiny ", kind=AgencyKind.YOUTH_JUSTICE))
    today = timezone.localdate()
    scope = ReportScope(start=today - dt.timedelta(days=3650), end=today, agencies=services, today=today)
    assert queries.population_count(scope) == 20
    report = build_report(scope)
    assert not report.scope.by_month  # ten years: by year
    assert [row.label for row in report.figure("referrals").rows] == ["Tiny youth justice service 001", "All services"]


def test_the_change_history_triggers_are_back_on_after_the_load() -> None:
    seed()
    case = Case.objects.filter(owning_yjs__name__startswith="Tiny ").first()
    assert case is not None
    history = apps.get_model("cases", "CaseHistory").objects.filter(pgh_obj_id=case.pk)
    assert not history.exists()  # loaded without history
    with acting_as(User.objects.filter(username__startswith="tiny-cm-").first()):
        Case.objects.filter(pk=case.pk).update(ending_plan="Drop-in on Thursdays")
    assert history.count() == 1


def test_the_same_label_twice_is_refused() -> None:
    seed()
    with pytest.raises(CommandError, match="exist already"):
        seed()


@pytest.mark.parametrize("scale", ["0", "6", "-1"])
def test_a_scale_out_of_range_is_refused(scale: str) -> None:
    with pytest.raises(CommandError, match="--scale"):
        seed(float(scale))


def test_the_benchmark_times_every_figure_and_the_page() -> None:
    seed()
    out = io.StringIO()
    call_command("benchmark_dashboard", "--runs", "1", stdout=out)
    output = out.getvalue()
    assert "mental health funnel: median" in output
    assert "Whole report (every query and the suppression): median" in output
    assert "Dashboard page as a commissioner of 1 service:" in output
