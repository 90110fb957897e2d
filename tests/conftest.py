"""The named cast every test uses (CONVENTIONS.md section 6), and shared fixtures.

Making the cast (six agencies, eleven people, a case and its network) costs about 150 ms, and most of the
suite's ~2,000 tests ask for it. So tests on a rolled-back transaction share one cast, made once and
committed before the first of them (`_cast_snapshot`); each gets its own copy of the Python objects, and
each test's transaction is rolled back to that same database. pytest-django already runs those tests
before the transactional ones; `pytest_collection_modifyitems` below puts the ones that use the cast last
among them, and the database is emptied (as a transactional test ends) after the last. Tests on a real
transaction (browser, Celery, faults) make their own cast as before.
"""

from __future__ import annotations

import copy
import importlib
from typing import Any

import pytest
from django.core.cache import cache
from django.db import connection, transaction

from accounts.models import AgencyKind, Role
from cases.services import network_member_add
from tests.cast import Cast as Cast  # handed on: most tests import the cast from here
from tests.clock import HELD_CLOCK
from tests.factories import agency, child, make_case, person

CAST_SNAPSHOT = "_cast_snapshot"
_snapshot: dict[str, Any] = {}


@pytest.fixture
def cast(db: None, request: pytest.FixtureRequest) -> Cast:
    if CAST_SNAPSHOT in request.fixturenames:
        assert "emptied" not in _snapshot, "a test that shares the cast ran after it was emptied away"
        return copy.deepcopy(request.getfixturevalue(CAST_SNAPSHOT))
    return make_cast()


@pytest.fixture(scope="session")
def _cast_snapshot(django_db_setup: None, django_db_blocker: Any) -> Cast:
    """The cast, committed once for every test on a rolled-back transaction that asks for it.

    Set up before the test's own transaction (it comes first in the test's fixtures, see below). Work
    deferred to a commit is dropped, as it never runs for a cast made inside a test's transaction."""
    _snapshot["blocker"] = django_db_blocker
    with django_db_blocker.unblock(), transaction.atomic():
        made = make_cast()
        connection.run_on_commit.clear()
    return made


def _uses_a_real_transaction(item: pytest.Item) -> bool:
    marker = item.get_closest_marker("django_db")
    fixtures = getattr(item, "fixturenames", [])
    return bool(
        (marker and (marker.kwargs.get("transaction") or marker.kwargs.get("reset_sequences")))
        or "transactional_db" in fixtures
        or "live_server" in fixtures
    )


def _uses_the_database(item: pytest.Item) -> bool:
    return item.get_closest_marker("django_db") is not None or "db" in getattr(item, "fixturenames", [])


def _shares_the_cast(item: pytest.Item) -> bool:
    """Rolled back and asking for the cast, on the real clock (a module held on one day makes its own)."""
    fixtures = getattr(item, "fixturenames", [])
    return "cast" in fixtures and HELD_CLOCK not in fixtures and not _uses_a_real_transaction(item)


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """After pytest-django's order (rolled-back tests, then transactional ones, then those without a
    database), the rolled-back tests that share the cast go last among the rolled-back ones."""
    first_transactional = next(
        (index for index, item in enumerate(items) if _uses_a_real_transaction(item)), len(items)
    )
    before = items[:first_transactional]
    sharing = [item for item in before if _uses_the_database(item) and _shares_the_cast(item)]
    if not sharing:
        return
    shared = set(sharing)
    not_sharing = [item for item in before if item not in shared and _uses_the_database(item)]
    without_database = [item for item in before if not _uses_the_database(item)]
    items[:first_transactional] = not_sharing + sharing + without_database
    for item in sharing:
        item.fixturenames.insert(0, CAST_SNAPSHOT)  # type: ignore[attr-defined]


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None) -> Any:
    """After the last test that shares the cast, empty the database as a transactional test ends."""
    outcome = yield
    if CAST_SNAPSHOT in item.fixturenames and (nextitem is None or CAST_SNAPSHOT not in nextitem.fixturenames):  # type: ignore[attr-defined]
        with _snapshot["blocker"].unblock():
            empty_database()
        _snapshot["emptied"] = True
    return outcome


def empty_database() -> None:
    """Every table emptied (as a transactional test leaves it), then the TRM reference data put back."""
    from django.core.management import call_command

    call_command("flush", interactive=False, verbosity=0)
    ensure_trm_reference_data()


def make_cast() -> Cast:
    bristol = agency("Bristol YJS", AgencyKind.YOUTH_JUSTICE)
    banes = agency("BANES YJS", AgencyKind.YOUTH_JUSTICE)
    ecm_team = agency("ECM Team", AgencyKind.ECM_TEAM)
    school = agency("Fernbrook Academy", AgencyKind.EDUCATION)
    social_care = agency("Avonvale Social Care", AgencyKind.SOCIAL_CARE)
    commissioning = agency("Westcombe ICB", AgencyKind.COMMISSIONER)
    case_manager = person("sam", "Sam", "Okafor", agency=bristol, role=Role.CASE_MANAGER)
    colleague = person("priya", "Priya", "Nandra", agency=bristol, role=Role.CASE_MANAGER)
    banes_cm = person("tom", "Tom", "Hartley", agency=banes, role=Role.CASE_MANAGER)
    psychologist = person("alex", "Alex", "Morgan", agency=ecm_team, role=Role.PSYCHOLOGIST, covers=(bristol,))
    senior = person("jordan", "Jordan", "Reeve", agency=ecm_team, role=Role.SENIOR_PRACTITIONER, covers=(bristol,))
    teacher = person("helen", "Helen", "Marsh", agency=school, role=Role.PARTNER)
    social_worker = person("rob", "Rob", "Ingram", agency=social_care, role=Role.PARTNER)
    commissioner = person("chris", "Chris", "Lowe", agency=commissioning, role=Role.COMMISSIONER)
    administrator = person("dana", "Dana", "Whitfield", agency=ecm_team, role=Role.ADMINISTRATOR)
    agency_administrator = person("ola", "Ola", "Brandt", agency=bristol, role=Role.AGENCY_ADMINISTRATOR)
    case = make_case(
        owning_yjs=bristol,
        case_holder=case_manager,
        child_record=child(given_name="Kai", family_name="Brennan", reference="LOC-100231"),
    )
    network_member_add(
        case=case,
        actor=case_manager,
        user=teacher,
        name="",
        agency=school,
        role="Designated teacher",
        may_see_summary=True,
    )
    return Cast(
        bristol=bristol,
        banes=banes,
        ecm_team=ecm_team,
        school=school,
        social_care=social_care,
        commissioning=commissioning,
        case_manager=case_manager,
        colleague=colleague,
        banes_case_manager=banes_cm,
        psychologist=psychologist,
        senior_practitioner=senior,
        teacher=teacher,
        social_worker=social_worker,
        commissioner=commissioner,
        administrator=administrator,
        agency_administrator=agency_administrator,
        case=case,
    )


@pytest.fixture(autouse=True)
def _force_login_completes_second_factor(monkeypatch: pytest.MonkeyPatch) -> None:
    """`client.force_login(user)` signs in fully, second factor included, as most tests expect.

    Tests of the second step itself sign in with `tests.mfa.sign_in_password_only` instead.
    """
    from django.test import Client

    from tests.mfa import complete_second_factor

    password_only = Client.force_login

    def force_login(self: Client, user: Any, backend: str | None = None) -> None:
        password_only(self, user, backend)
        complete_second_factor(self, user)

    monkeypatch.setattr(Client, "force_login", force_login)


@pytest.fixture(autouse=True)
def _clear_cache() -> None:
    """Tests share one Redis database: start each with an empty cache (lockout counters, heartbeats)."""
    cache.clear()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: None, django_db_blocker: Any) -> None:
    """The test database as migrations made it, with the TRM reference data even after a browser run
    flushed it (`--reuse-db` keeps the flushed database for the next run)."""
    with django_db_blocker.unblock():
        from accounts.models import Agency

        if Agency.objects.exists():  # a shared cast left by an interrupted run (`--reuse-db`)
            empty_database()
        ensure_trm_reference_data()


@pytest.fixture(autouse=True)
def _trm_reference_data_in_transactional_tests(request: pytest.FixtureRequest) -> None:
    """Tests on a real transaction (browser, Celery) start after others' flushes: give them the TRM data."""
    marker = request.node.get_closest_marker("django_db")
    if "transactional_db" in request.fixturenames or (marker and marker.kwargs.get("transaction")):
        request.getfixturevalue("transactional_db")
        ensure_trm_reference_data()


def ensure_trm_reference_data() -> None:
    """Load version 1 of the TRM reference data again if a transactional test flushed it away.

    Data migrations run once, when the test database is made; transactional tests (browser and
    Celery tests) end by emptying every table. pytest-django runs those tests last, so only they
    need this, each at its start (the autouse fixture above).
    """
    from django.apps import apps

    from trm_stages.models import TrmVersion

    if not TrmVersion.objects.exists():
        importlib.import_module("trm_stages.migrations.0002_reference_data").load(apps, None)
