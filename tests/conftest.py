"""The named cast every test uses (CONVENTIONS.md section 6), and shared fixtures."""

from __future__ import annotations

import importlib
from typing import Any

import pytest
from django.core.cache import cache

from accounts.models import AgencyKind, Role
from cases.services import network_member_add
from tests.cast import Cast as Cast  # handed on: most tests import the cast from here
from tests.factories import agency, child, make_case, person


@pytest.fixture
def cast(db: None) -> Cast:
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
