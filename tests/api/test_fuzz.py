"""Fuzzing the API against its own OpenAPI schema (schemathesis), as each persona of the cast with its own token.

The schema is loaded from /api/schema/ and the app driven in-process (WSGI) inside the test's database
transaction, over the generated matrix's world (tests/authz/generated.py: four cases of three services
with every record that hangs off them, referrals, notifications). Every operation in the schema is
fuzzed — a new endpoint is picked up without any change here — with a bounded number of examples, half
of them aimed at the world's real record ids (random ids alone would only ever find 404s).

Each response must pass schemathesis's checks (no server error; the status, content type, headers and
body as the schema documents them) and ours: no response names a case, child or referral the persona may
not see (computed from the access module), and no 2xx answer comes from a case URL the persona may not see.
The figures (requests per persona, failures, time) are printed at the end (`pytest -s` shows them).
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import hypothesis
import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import override_settings
from hypothesis import HealthCheck, Phase, given
from hypothesis import strategies as st
from schemathesis import checks as st_checks

from cases import access
from cases.models import Case, Child, Consultation, Contact
from formulation.models import FormulationReport, Meeting, Recommendation
from referrals.models import Referral
from referrals.selectors import children_visible_to, visible_referrals
from reviews.models import Notification, Review
from tests.api.helpers import issue
from tests.authz.core import PEOPLE
from tests.authz.generated import build_world
from tests.conftest import Cast
from trm_stages.models import StageAssessment

# The whole fuzz sends about this many requests, shared out over the schema's operations and the personas
# (at least 2 examples each): ~60 ms a request on the 2-core machine keeps it within 90 s as endpoints come.
REQUEST_BUDGET = 1100
MIN_EXAMPLES = 2
CHECKS = [
    st_checks.not_a_server_error,
    st_checks.status_code_conformance,
    st_checks.content_type_conformance,
    st_checks.response_headers_conformance,
    st_checks.response_schema_conformance,
]
# Path arguments filled from the world's real records (every row of the model: visible or not).
REAL_IDS: dict[str, Any] = {
    "case_id": Case,
    "child_id": Child,
    "referral_id": Referral,
    "notification_id": Notification,
    "contact_id": Contact,
    "consultation_id": Consultation,
    "meeting_id": Meeting,
    "report_id": FormulationReport,
    "review_id": Review,
    "assessment_id": StageAssessment,
    "action_id": Recommendation,
}


@dataclass
class Visible:
    cases: set[int]
    children: set[int]
    referrals: set[int]


@dataclass
class Tally:
    requests: Counter[str] = field(default_factory=Counter)
    statuses: Counter[str] = field(default_factory=Counter)
    failures: list[str] = field(default_factory=list)


def visible_to(person: Any) -> Visible:
    """What the persona may see, from the access module (the pages' own answer)."""
    return Visible(
        cases=set(access.visible_cases(person).values_list("pk", flat=True)),
        children=set(children_visible_to(person).values_list("pk", flat=True)),
        referrals=set(visible_referrals(person).values_list("pk", flat=True)),
    )


def _named_ids(body: Any, path: str) -> Iterator[tuple[str, int]]:
    """Every (kind, id) a response body names: `case`/`child`/`referral` keys anywhere, and the `id`s of
    the case, child and referral resources themselves."""
    kind_of_path = (
        "case"
        if path.startswith("/api/v1/cases/") and path.count("/") <= 5
        else "child"
        if path.startswith("/api/v1/children/") and "?" not in path and path != "/api/v1/children/"
        else "referral"
        if path.startswith("/api/v1/referrals/")
        else None
    )

    def walk(value: Any, top: bool) -> Iterator[tuple[str, int]]:
        if isinstance(value, dict):
            for key, item in value.items():
                if key in {"case", "case_id"} and isinstance(item, int):
                    yield "case", item
                elif key in {"child", "child_id"} and isinstance(item, int):
                    yield "child", item
                elif key in {"referral", "referral_id"} and isinstance(item, int):
                    yield "referral", item
                elif key == "id" and top and kind_of_path and isinstance(item, int):
                    yield kind_of_path, item
                elif key == "results" and top:
                    yield from walk(item, True)
                else:
                    yield from walk(item, False)
        elif isinstance(value, list):
            for item in value:
                yield from walk(item, top)

    yield from walk(body, True)


def leaks(visible: Visible, path: str, status: int, body: Any, path_parameters: dict[str, Any]) -> list[str]:
    found = []
    if 200 <= status < 300 and "case_id" in path_parameters:
        case_id = int(path_parameters["case_id"])
        if case_id not in visible.cases:
            found.append(f"answered {status} on case {case_id}, which the persona may not see")
    allowed = {"case": visible.cases, "child": visible.children, "referral": visible.referrals}
    for kind, pk in _named_ids(body, path):
        if pk not in allowed[kind]:
            found.append(f"names {kind} {pk}, which the persona may not see")
    return found


def _strategy(operation: Any, real: dict[str, list[int]]) -> st.SearchStrategy[Any]:
    random = operation.as_strategy()
    names = [p.name for p in operation.path_parameters] if hasattr(operation, "path_parameters") else []
    fillable = [name for name in names if real.get(name)]
    if not fillable:
        return random
    aimed = st.fixed_dictionaries({name: st.sampled_from(real[name]) for name in fillable}).flatmap(
        lambda ids: operation.as_strategy(path_parameters={name: str(pk) for name, pk in ids.items()})
    )
    return st.one_of(random, aimed)


def _summary(error: BaseException) -> str:
    """Each failure schemathesis found, as its code and title with the first line that says why."""
    lines = [line.strip() for line in str(error).splitlines()]
    found = []
    for index, line in enumerate(lines):
        if line.startswith("- "):
            reason = next((text for text in lines[index + 1 :] if text), "")
            found.append(f"{line[2:]} ({reason[:160]})")
    return "; ".join(found) or str(error)[:300]


def fuzz_as(
    operations: list[Any], who: str, secret: str, visible: Visible, real: dict[str, list[int]], tally: Tally
) -> None:
    headers = {"Authorization": f"Bearer {secret}"}
    examples = max(MIN_EXAMPLES, REQUEST_BUDGET // (len(operations) * len(PEOPLE)))
    for operation in operations:

        @given(case=_strategy(operation, real))
        @hypothesis.settings(
            max_examples=examples,
            deadline=None,
            database=None,
            derandomize=True,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        def run(case: Any) -> None:
            response = case.call(headers=headers)
            tally.requests[who] += 1
            tally.statuses[f"{who} {response.status_code}"] += 1
            label = f"{who}: {case.operation.label}"
            try:
                case.validate_response(response, checks=CHECKS, headers=headers)
            except (Exception, BaseExceptionGroup) as error:  # noqa: BLE001 - every failure is collected, then reported at once
                tally.failures.append(f"{label} -> {response.status_code}: {_summary(error)}")
                return
            try:
                body = response.json() if response.content else None
            except ValueError:
                body = None
            for leak in leaks(visible, case.formatted_path, response.status_code, body, case.path_parameters or {}):
                tally.failures.append(f"{label}: {case.formatted_path} {leak}")

        run()


@pytest.fixture
def in_process_wsgi() -> Iterator[WSGIHandler]:
    """The app as a WSGI callable inside the test's transaction: like Django's test client, requests must
    not close the database connection (which would end the transaction the world lives in)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield WSGIHandler()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.mark.django_db
@override_settings(
    ECM_RATE_LIMITS={
        "api": "100000/m",
        "search": "100000/m",
        "duplicate_check": "100000/m",
        "sign_in": "30/m",
        "password_reset": "5/m",
    }
)
def test_the_api_survives_fuzzing_as_every_persona(cast: Cast, in_process_wsgi: WSGIHandler) -> None:
    started = time.monotonic()
    build_world(cast)
    people = cast.everyone()
    secrets = {who: issue(people[who], cast=cast).secret for who in PEOPLE}
    real = {name: sorted(model.objects.values_list("pk", flat=True))[:20] for name, model in REAL_IDS.items()}
    schema = schemathesis.openapi.from_wsgi(
        "/api/schema/?format=json", in_process_wsgi, headers={"Authorization": f"Bearer {secrets['administrator']}"}
    ).exclude(path="/api/schema/")  # the schema itself: validated in test_schema.py, and slow to build 40 times
    operations = [result.ok() for result in schema.get_all_operations()]  # type: ignore[union-attr]
    assert len(operations) >= 10, "the schema lost its operations"
    tally = Tally()
    for who in PEOPLE:
        fuzz_as(operations, who, secrets[who], visible_to(people[who]), real, tally)
    seconds = time.monotonic() - started
    print(f"\nschemathesis: {sum(tally.requests.values())} requests in {seconds:.0f} s")
    for who in PEOPLE:
        statuses = {key.split()[1]: count for key, count in tally.statuses.items() if key.split()[0] == who}
        print(f"  {who}: {tally.requests[who]} requests, statuses {dict(sorted(statuses.items()))}")
    print(f"  failures: {len(tally.failures)}")
    distinct = sorted({failure.split(": ", 1)[1] for failure in tally.failures})
    for failure in distinct:
        print(f"    {failure}")
    assert not tally.failures, f"{len(tally.failures)} failures, {len(distinct)} distinct:\n" + "\n".join(distinct[:60])
    assert all(tally.requests[who] > 0 for who in PEOPLE)
