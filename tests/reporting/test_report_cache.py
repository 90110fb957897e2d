"""The dashboard at scale: one statement over the period only, and the per-scope, per-day cache of what it publishes.

The figures themselves are checked line by line in test_figures.py; here: the one statement answers
what each figure's own query answers, rows outside the period change nothing, a warm page runs no
aggregate, a write retires exactly the cached reports that include its service, and a page never
fails because the cache is out of reach.
"""

from __future__ import annotations

import datetime as dt
import socket
import threading
from typing import Any

import pytest
from django.core.cache import cache
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings

from accounts.history import acting_as
from cases.models import Case, CaseHolderChange, CaseKind, CaseStatus, Child, Consultation
from formulation.models import Invitation, Meeting, MeetingStatus, Recommendation
from referrals.models import DECISION_STATUS, Referral, TriageDecision
from reporting import queries, report_cache
from reporting.figures import Report, build_report
from reporting.indicators import load_funnel
from reporting.scope import ReportScope
from tests.reporting.conftest import PERIOD_END, PERIOD_START, TODAY, World, at, day
from tests.reporting.test_pages import YEAR_2025, signed_in
from trm_stages.models import Goal, GoalRating, Stage, StageAssessment
from trm_stages.selectors import current_version

pytestmark = pytest.mark.django_db


@pytest.fixture
def committed(world: World) -> World:
    """The world as if committed before the test: what its writes left for the commit is dropped (the test's
    transaction never commits), so each write a test makes is sent on its own."""
    connection.run_on_commit = []
    return world


def published(report: Report) -> dict[str, Any]:
    """Everything a report shows: the headline and every cell of every figure."""
    return {
        "headline": [(label, shown.text) for label, shown in report.headline],
        "figures": {
            figure.key: [(row.label, [cell.text for cell in row.cells]) for row in figure.rows]
            for figure in report.figures()
        },
    }


def aggregates(captured: CaptureQueriesContext) -> list[str]:
    return [query["sql"] for query in captured.captured_queries if "json_build_object" in query["sql"]]


def bristol_only(world: World) -> ReportScope:
    return world.scope(agencies=(world.cast.bristol,))


def banes_only(world: World) -> ReportScope:
    return world.scope(agencies=(world.cast.banes,))


# --- One statement, the same figures ----------------------------------------------------------------------


def test_the_one_statement_answers_what_each_figures_own_query_answers(world: World) -> None:
    funnel = load_funnel("mental_health")
    for scope in (world.scope(), bristol_only(world), banes_only(world), world.scope(agencies=())):
        with queries.report_transaction():
            found = queries.report_figures(scope, funnel)
            assert found.population == queries.population_count(scope)
            assert found.referrals == queries.referrals_by_agency_and_period(scope)
            assert found.triage == queries.triage_outcomes(scope)
            assert found.waiting == queries.waiting_times(scope)
            assert found.meetings == queries.meetings_held(scope)
            assert found.attendance == queries.attendance_by_agency_kind(scope)
            assert found.stages == queries.stage_distribution(scope)
            assert found.movement == queries.stage_movement(scope)
            assert found.days_in_stage == queries.days_in_stage(scope)
            assert found.actions == queries.actions_by_owner_kind(scope)
            assert found.continuity == queries.holder_changes(scope)
            assert found.consultations == queries.consultations_by_agency(scope)
            assert found.goals == queries.goal_change(scope)
            assert found.demographics == queries.demographics(scope)
            assert found.funnel == queries.funnel_counts(scope, funnel)
            assert found.stage_names == queries.stage_names()


def test_the_report_is_two_statements_whatever_the_data(world: World) -> None:
    with CaptureQueriesContext(connection) as captured:
        build_report(world.scope())
    statements = [query["sql"] for query in captured.captured_queries if not query["sql"].startswith("SAVEPOINT")]
    statements = [sql for sql in statements if not sql.startswith("RELEASE SAVEPOINT")]
    assert len(statements) == 2, statements  # JIT off, then every figure at once
    assert statements[0] == "SET LOCAL jit = off"


def _rows_outside_the_period(world: World) -> None:
    """A closed 2023 case with a whole history, and 2026 activity on the period's cases: none in 2025."""
    cast = world.cast
    stages = {stage.number: stage for stage in Stage.objects.filter(version=current_version())}
    child = Child.objects.create(
        given_name="Orla", family_name="Penrose", date_of_birth=dt.date(2009, 9, 9), reference="REF-909090"
    )
    with acting_as(cast.psychologist):
        old = Case.objects.create(
            child=child,
            owning_yjs=cast.bristol,
            case_holder=cast.case_manager,
            kind=CaseKind.FORMULATION,
            status=CaseStatus.CLOSED,
            closed_at=at("2023-11-30"),
        )
        Case.objects.filter(pk=old.pk).update(opened_at=at("2023-01-05"))
        Referral.objects.create(
            child=child,
            referring_yjs=cast.bristol,
            referrer=cast.case_manager,
            status=DECISION_STATUS[TriageDecision.FORMULATION],
            reasons="Outside the period",
            complex_needs=["mental_health"],
            submitted_at=at("2022-12-20", 10),
            decision=TriageDecision.FORMULATION,
            decided_at=at("2023-01-05", 15),
            decided_by=cast.psychologist,
            case=old,
        )
        for case, on in ((old, "2023-03-01"), (world.cases["B1"], "2026-01-12"), (world.cases["N1"], "2026-02-02")):
            meeting = Meeting.objects.create(
                case=case,
                purpose="formulation",
                starts_at=at(on, 10),
                ends_at=at(on, 12),
                location="Meeting room 2",
                organiser=cast.senior_practitioner,
                status=MeetingStatus.HELD,
                ics_uid=f"outside-{case.pk}-{on}@ecm.invalid",
            )
            Invitation.objects.create(
                meeting=meeting,
                name="Invitee",
                email=f"outside.{meeting.pk}@example.org",
                agency=cast.school,
                attendance="attended",
                invited_by=cast.senior_practitioner,
            )
        for case, on, number in ((old, "2023-02-01", 1), (old, "2023-06-01", 2), (world.cases["B1"], "2026-01-05", 4)):
            StageAssessment.objects.create(
                case=case,
                assessed_on=day(on),
                stage=stages[number],
                evidence="",
                source="review",
                assessor=cast.psychologist,
            )
        goal = Goal.objects.create(
            case=old,
            text="Outside",
            set_by="With the case manager",
            set_on=day("2023-02-01"),
            recorded_by=cast.case_manager,
        )
        for index, (on, score) in enumerate((("2023-02-01", 2), ("2023-09-01", 8))):
            GoalRating.objects.create(
                goal=goal,
                rated_on=day(on),
                score=score,
                context="start" if index == 0 else "review",
                recorded_by=cast.case_manager,
            )
        Recommendation.objects.create(
            case=old,
            text="Outside",
            suits_from_stage=1,
            owner_agency=world.health,
            owner_name="Dr Vale",
            due_on=day("2023-05-01"),
            status="in_progress",
            became_action_at=at("2023-03-01"),
        )
        Consultation.objects.create(
            case=old,
            held_on=day("2023-04-04"),
            attendees="The case manager",
            question="Outside",
            advice="Outside",
            minutes_spent=30,
            psychologist=cast.psychologist,
        )
        CaseHolderChange.objects.create(
            case=old,
            previous_holder=cast.case_manager,
            new_holder=cast.colleague,
            reason="Outside",
            changed_by=cast.psychologist,
        )
        CaseHolderChange.objects.filter(case=old, previous_holder__isnull=False).update(changed_at=at("2023-07-07"))


def test_rows_outside_the_period_change_no_figure(world: World) -> None:
    before = published(build_report(world.scope()))
    _rows_outside_the_period(world)
    assert published(build_report(world.scope())) == before
    # ...while a wider period does see them: they are real rows, just not 2025's.
    wider = ReportScope(start=dt.date(2023, 1, 1), end=PERIOD_END, agencies=world.scope().agencies, today=TODAY)
    assert queries.population_count(wider) == queries.population_count(world.scope()) + 2  # Orla's and Mabli's


# --- Warm pages -----------------------------------------------------------------------------------------------


def test_a_warm_dashboard_runs_no_aggregate_query(world: World, django_assert_max_num_queries: Any) -> None:
    client = signed_in(world.cast.commissioner)
    with CaptureQueriesContext(connection) as cold:
        first = client.get("/reports/", YEAR_2025)
    assert len(aggregates(cold)) == 2  # the period, and the previous one it is compared with (issue 18)
    with django_assert_max_num_queries(len(cold) - 2) as warm:
        second = client.get("/reports/", YEAR_2025)
    assert aggregates(warm) == []
    assert not any("jit" in query["sql"] for query in warm.captured_queries)
    assert published(second.context["report"]) == published(first.context["report"])
    # The view is still in the access log each time.
    assert any("accounts_accessevent" in query["sql"] for query in warm.captured_queries)


def test_the_page_pins_its_queries_cold_and_warm(world: World, django_assert_max_num_queries: Any) -> None:
    client = signed_in(world.cast.commissioner)
    with django_assert_max_num_queries(12):
        client.get("/reports/", YEAR_2025)
    with django_assert_max_num_queries(10):
        client.get("/reports/", YEAR_2025)


def test_the_csv_and_the_page_share_the_cached_report(world: World) -> None:
    client = signed_in(world.cast.commissioner)
    client.get("/reports/", YEAR_2025)
    with CaptureQueriesContext(connection) as captured:
        response = client.get("/reports/figures.csv", YEAR_2025)
    assert response.status_code == 200
    assert aggregates(captured) == []


def test_each_scope_has_its_own_entry(world: World) -> None:
    both = report_cache.cached_report(world.scope())
    bristol = report_cache.cached_report(bristol_only(world))
    assert dict(published(both)["headline"])["Cases open in the period"] == "5–9"
    assert dict(published(bristol)["headline"])["Cases open in the period"] == "5–9"
    assert published(both) != published(bristol)
    assert report_cache.report_key(world.scope(), load_funnel()) != report_key_of(bristol_only(world))
    # Another day is another entry (overdue actions are judged on the day).
    tomorrow = world.scope(today=TODAY + dt.timedelta(days=1))
    assert report_cache.report_key(tomorrow, load_funnel()) != report_key_of(world.scope())


def _backend_pid() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        [(pid,)] = cursor.fetchall()
    return int(pid)


def _open_connections() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()")
        [(count,)] = cursor.fetchall()
    return int(count)


@pytest.mark.django_db(transaction=True)
def test_reports_not_cached_are_made_side_by_side_each_the_same_as_alone(
    world: World, monkeypatch: pytest.MonkeyPatch, settings: Any
) -> None:
    """A cold dashboard asks for two reports (the period and the one it is compared with). They are made at once,
    the second on a connection opened for it and closed after, and each is what it is when made on its own."""
    settings.ECM_REPORT_CONNECTIONS = 2
    scopes = [bristol_only(world), banes_only(world), world.scope()]
    alone = [published(build_report(scope)) for scope in scopes]
    made_on: list[tuple[int, int]] = []
    build = report_cache.build_report

    def noting_where(scope: ReportScope) -> Report:
        made_on.append((threading.get_ident(), _backend_pid()))
        return build(scope)

    monkeypatch.setattr(report_cache, "build_report", noting_where)
    cache.clear()
    before = _open_connections()

    reports = report_cache.cached_reports(scopes)

    assert [published(report) for report in reports] == alone  # in the order asked for
    assert len({thread for thread, _ in made_on}) == 2
    assert len({pid for _, pid in made_on}) == 2
    assert _open_connections() == before  # the helper's connection is closed
    # Now cached: nothing is made again.
    made_on.clear()
    assert [published(report) for report in report_cache.cached_reports(scopes)] == alone
    assert made_on == []


def test_in_a_transaction_reports_are_made_on_its_connection_which_alone_sees_its_writes(
    world: World, monkeypatch: pytest.MonkeyPatch, settings: Any
) -> None:
    settings.ECM_REPORT_CONNECTIONS = 2
    made_on: list[int] = []
    build = report_cache.build_report

    def noting_where(scope: ReportScope) -> Report:
        made_on.append(_backend_pid())
        return build(scope)

    monkeypatch.setattr(report_cache, "build_report", noting_where)
    cache.clear()
    both, bristol = report_cache.cached_reports([world.scope(), bristol_only(world)])
    assert made_on == [_backend_pid(), _backend_pid()]
    assert dict(published(both)["headline"])["Cases open in the period"] == "5–9"  # the uncommitted world is seen
    assert published(bristol) == published(build(bristol_only(world)))


def test_reports_made_one_after_another_share_one_transaction_without_jit(
    world: World, monkeypatch: pytest.MonkeyPatch, settings: Any
) -> None:
    """Several reports made on one connection: JIT is turned off once, for all of them (the dashboard's cold view
    stays within its queries), and is off while each is made."""
    settings.ECM_REPORT_CONNECTIONS = 1
    jit_while_made: list[str] = []
    build = report_cache.build_report

    def noting_jit(scope: ReportScope) -> Report:
        with connection.cursor() as cursor:
            cursor.execute("SHOW jit")
            jit_while_made.append(cursor.fetchone()[0])
        return build(scope)

    monkeypatch.setattr(report_cache, "build_report", noting_jit)
    cache.clear()
    with CaptureQueriesContext(connection) as captured:
        both, bristol = report_cache.cached_reports([world.scope(), bristol_only(world)])
    statements = [query["sql"] for query in captured.captured_queries]
    assert statements.count("SET LOCAL jit = off") == 1 and len(aggregates(captured)) == 2
    assert jit_while_made == ["off", "off"]
    assert published(bristol) == published(build(bristol_only(world)))


def report_key_of(scope: ReportScope) -> str | None:
    return report_cache.report_key(scope, load_funnel("mental_health"))


# --- Invalidation -------------------------------------------------------------------------------------------


def _warm_both(world: World) -> tuple[Report, Report]:
    return report_cache.cached_report(bristol_only(world)), report_cache.cached_report(banes_only(world))


def _served_from_the_cache(scope: ReportScope) -> bool:
    with CaptureQueriesContext(connection) as captured:
        report_cache.cached_report(scope)
    return not captured.captured_queries


def test_a_write_in_one_service_retires_its_reports_and_no_other(
    committed: World, django_capture_on_commit_callbacks: Any
) -> None:
    world = committed
    _warm_both(world)
    assert _served_from_the_cache(bristol_only(world)) and _served_from_the_cache(banes_only(world))
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        Consultation.objects.create(
            case=world.cases["B1"],
            held_on=day("2025-07-07"),
            attendees="The case manager",
            question="?",
            advice="Keep going",
            minutes_spent=45,
            psychologist=world.cast.psychologist,
        )
    assert _served_from_the_cache(banes_only(world))
    assert not _served_from_the_cache(world.scope())  # includes Bristol
    assert not _served_from_the_cache(bristol_only(world))  # made again, with the new consultation...
    assert _served_from_the_cache(bristol_only(world))  # ...and kept
    assert queries.consultations_by_agency(bristol_only(world))[world.cast.bristol.pk] == (4, 2)


def test_a_write_through_a_meeting_or_a_goal_finds_its_service(
    committed: World, django_capture_on_commit_callbacks: Any
) -> None:
    world = committed
    _warm_both(world)
    invitation = Invitation.objects.filter(meeting__case=world.cases["N1"]).first()
    assert invitation is not None
    with django_capture_on_commit_callbacks(execute=True):
        invitation.save()
    assert not _served_from_the_cache(banes_only(world))
    assert _served_from_the_cache(bristol_only(world))
    goal = Goal.objects.filter(case=world.cases["B2"]).first()
    assert goal is not None
    with django_capture_on_commit_callbacks(execute=True):
        GoalRating.objects.create(
            goal=goal, rated_on=day("2025-10-10"), score=5, context="review", recorded_by=world.cast.case_manager
        )
    assert not _served_from_the_cache(bristol_only(world))
    assert _served_from_the_cache(banes_only(world))


def test_a_write_rolled_back_retires_nothing(committed: World, django_capture_on_commit_callbacks: Any) -> None:
    world = committed
    _warm_both(world)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        try:
            with transaction.atomic():
                Consultation.objects.create(
                    case=world.cases["B1"],
                    held_on=day("2025-07-07"),
                    attendees="x",
                    question="?",
                    advice="x",
                    minutes_spent=5,
                    psychologist=world.cast.psychologist,
                )
                raise RuntimeError("changed my mind")
        except RuntimeError:
            pass
    assert callbacks == []
    assert _served_from_the_cache(bristol_only(world))


def test_renaming_a_service_or_changing_reference_data_retires_every_report(
    committed: World, django_capture_on_commit_callbacks: Any
) -> None:
    world = committed
    _warm_both(world)
    with django_capture_on_commit_callbacks(execute=True):
        world.health.name = "Riverside Health"
        world.health.save()
    assert not _served_from_the_cache(bristol_only(world))
    assert not _served_from_the_cache(banes_only(world))


def test_a_lost_generation_never_brings_back_an_old_entry(world: World) -> None:
    from django.core.cache import cache

    report_cache.cached_report(bristol_only(world))
    before = report_key_of(bristol_only(world))
    cache.delete(f"reporting:generation:{world.cast.bristol.pk}")  # as if Redis lost it
    assert report_key_of(bristol_only(world)) != before
    report_cache.generations_bump([world.cast.bristol.pk])
    assert report_key_of(bristol_only(world)) != before


# --- The cache out of reach ------------------------------------------------------------------------------------


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def unreachable_cache() -> dict[str, Any]:
    """CACHES for a Redis that refuses every connection (a closed port), answering quickly."""
    return {
        "default": {
            "BACKEND": "config.cache.ResilientRedisCache",
            "LOCATION": f"redis://127.0.0.1:{_closed_port()}/0",
            "OPTIONS": {"socket_connect_timeout": 0.25, "socket_timeout": 0.25},
        }
    }


def test_the_page_works_when_the_cache_is_unreachable(world: World) -> None:
    unreachable = unreachable_cache()
    client: Client = signed_in(world.cast.commissioner)
    with override_settings(CACHES=unreachable):
        for _ in range(2):  # computed each time, never stored
            with CaptureQueriesContext(connection) as captured:
                response = client.get("/reports/", YEAR_2025)
            assert response.status_code == 200
            assert dict(published(response.context["report"])["headline"])["Cases open in the period"] == "5–9"
            assert len(aggregates(captured)) == 2  # the period and the previous one
        assert client.get("/reports/figures.csv", YEAR_2025).status_code == 200


def test_a_cached_report_holds_only_published_cells(world: World) -> None:
    from django.core.cache import cache

    report_cache.cached_report(world.scope())
    key = report_key_of(world.scope())
    assert key is not None
    stored = cache.get(key)
    assert isinstance(stored, Report)
    hidden = [
        cell for figure in stored.figures() for row in figure.rows for cell in row.cells if cell.text in ("<5", "[c]")
    ]
    assert hidden and all(cell.value is None for cell in hidden)  # a suppressed cell keeps no number
    # A count shown as a range keeps only the middle of its range (for the chart), never the count.
    ranges = [cell for figure in stored.figures() for row in figure.rows for cell in row.cells if "–" in cell.text]
    counts = [cell for cell in ranges if cell.key is not None]
    assert counts and all(cell.value == int(cell.csv.split("–")[0]) + 2 for cell in counts)
    assert not hasattr(stored, "sheet")
    assert stored.scope.start == PERIOD_START
