"""The day's first dashboards, made before the working day (reporting/prepare.py): each person's first view is
then served from the cache; people who see the same services share one entry; a run keeps to its time budget and
the next goes on; without the cache nothing is made; beat runs it early each morning."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from zoneinfo import ZoneInfo

import pytest
import time_machine
from celery.schedules import crontab
from django.conf import settings
from django.core.cache import cache
from django.core.management import call_command
from django.db import DatabaseError, connection
from django.test.utils import CaptureQueriesContext, override_settings
from django.utils import timezone

from accounts.models import User
from config.celery_app import app
from reporting import tasks
from reporting.prepare import first_dashboards, reports_prepare
from tests.reporting.conftest import World
from tests.reporting.test_pages import signed_in
from tests.reporting.test_report_cache import aggregates, published, unreachable_cache

pytestmark = pytest.mark.django_db

MORNING = dt.datetime(2026, 1, 15, 5, 0, tzinfo=ZoneInfo("Europe/London"))
# Who may read reports in the cast, by the services they see: Bristol's two case managers and its two ECM
# clinicians, BANES's case manager, and the commissioner of both.
BRISTOL = ("Bristol YJS",)
BANES = ("BANES YJS",)
BOTH = ("BANES YJS", "Bristol YJS")


@pytest.fixture
def morning(world: World) -> Iterator[World]:
    """05:00 on the world's day, everyone in the cast signed in yesterday (and nobody else lately)."""
    with time_machine.travel(MORNING, tick=True):
        User.objects.update(last_login=None)
        User.objects.filter(pk__in=[person.pk for person in world.cast.everyone().values()]).update(
            last_login=timezone.now() - dt.timedelta(days=1)
        )
        yield world


def services_and_people(today: dt.date) -> list[tuple[tuple[str, ...], int]]:
    dashboards, _ = first_dashboards(today)
    return [(tuple(agency.name for agency in found.scopes[0].agencies), found.people) for found in dashboards]


def test_the_first_dashboard_of_the_day_is_served_from_what_was_prepared(morning: World) -> None:
    client = signed_in(morning.cast.commissioner)
    prepared = reports_prepare()
    assert (prepared.made, prepared.kept_already, prepared.left, prepared.people) == (3, 0, 0, 6)
    with CaptureQueriesContext(connection) as captured:
        response = client.get("/reports/")
    assert response.status_code == 200
    assert aggregates(captured) == []  # neither the period nor the one it is compared with was made now
    assert response.context["earlier_scope"] is not None
    # The same figures a cold first view makes.
    cache.clear()
    with CaptureQueriesContext(connection) as cold:
        made_now = client.get("/reports/")
    assert len(aggregates(cold)) == 2
    assert published(made_now.context["report"]) == published(response.context["report"])


def test_people_who_see_the_same_services_share_one_dashboard_most_seen_first(morning: World) -> None:
    today = MORNING.date()
    assert services_and_people(today) == [(BRISTOL, 4), (BOTH, 1), (BANES, 1)]
    dashboards, people = first_dashboards(today)
    assert people == 6
    scope, earlier = dashboards[0].scopes
    assert (scope.start, scope.end, scope.today) == (dt.date(2025, 2, 1), today, today)
    assert (earlier.start, earlier.end) == (dt.date(2024, 2, 18), dt.date(2025, 1, 31))  # as many days before


def test_only_active_people_signed_in_lately_are_prepared_for(morning: World) -> None:
    cast = morning.cast
    lately = settings.ECM_REPORTS_PREPARE["SIGNED_IN_WITHIN_DAYS"]
    User.objects.filter(pk=cast.colleague.pk).update(last_login=timezone.now() - dt.timedelta(days=lately + 1))
    User.objects.filter(pk=cast.banes_case_manager.pk).update(is_active=False)
    User.objects.filter(pk=cast.commissioner.pk).update(last_login=None)  # never signed in
    assert services_and_people(MORNING.date()) == [(BRISTOL, 3)]


def test_a_second_run_makes_nothing_the_first_kept(morning: World) -> None:
    assert reports_prepare().made == 3
    with CaptureQueriesContext(connection) as captured:
        again = reports_prepare()
    assert (again.made, again.kept_already, again.left) == (0, 3, 0)
    assert aggregates(captured) == []


def test_a_run_stops_at_its_time_budget_and_the_next_goes_on(morning: World) -> None:
    with CaptureQueriesContext(connection) as captured:
        spent = reports_prepare(seconds=0)
    assert (spent.made, spent.left) == (0, 3)
    assert aggregates(captured) == []
    assert (reports_prepare().made, reports_prepare().kept_already) == (3, 3)


def test_nothing_is_made_without_the_cache(morning: World) -> None:
    with override_settings(CACHES=unreachable_cache()), CaptureQueriesContext(connection) as captured:
        prepared = reports_prepare()
    assert prepared.without_cache
    assert (prepared.made, prepared.left) == (0, 3)
    assert aggregates(captured) == []


def test_beat_prepares_every_ten_minutes_before_the_working_day() -> None:
    entry = settings.CELERY_BEAT_SCHEDULE["reports-prepare"]
    assert entry["task"] == tasks.reports_prepare.name == "reporting.tasks.reports_prepare"
    assert entry["task"] in app.tasks
    assert entry["schedule"] == crontab(minute="*/10", hour="5-6")
    assert tasks.reports_prepare.autoretry_for == (DatabaseError,)


def test_the_task_and_the_command_say_what_they_did(morning: World, capsys: pytest.CaptureFixture[str]) -> None:
    assert tasks.reports_prepare() == {"made": 3, "kept_already": 0, "left": 0, "people": 6, "without_cache": False}
    call_command("reports_prepare")
    assert "0 dashboards made, 3 already kept, 0 left for the next run (6 people" in capsys.readouterr().out
