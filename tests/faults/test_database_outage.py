"""PostgreSQL unreachable: pages and the API answer a friendly 503 "try again in a minute", never a raw
500, and a save the database lost mid-way leaves nothing half-saved.

Two real failures on the test database: every connection refused (the database restarting: the port
answers nobody), and the server ending the connection in the middle of a save (pg_terminate_backend,
what a fast restart does to open sessions).
"""

from __future__ import annotations

import socket
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import psycopg
import pytest
from django.db import connection
from django.test import Client

from cases.models import Contact
from config.errors import RETRY_AFTER_SECONDS
from tests.cases.helpers import contact_form
from tests.conftest import Cast

pytestmark = [pytest.mark.faults, pytest.mark.django_db(transaction=True)]


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])  # nothing listens once the probe is closed


@contextmanager
def database_unreachable() -> Iterator[None]:
    """Every new connection is refused, as while PostgreSQL restarts."""
    connection.close()
    saved = {key: connection.settings_dict[key] for key in ("HOST", "PORT")}
    connection.settings_dict.update(HOST="127.0.0.1", PORT=str(_closed_port()))
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict.update(saved)


def _terminate_own_backend_on(table: str) -> Callable[..., Any]:
    """An execute wrapper: when the request first writes to `table`, the server ends the connection."""
    settings = connection.settings_dict

    def wrapper(execute: Callable[..., Any], sql: str, params: Any, many: bool, context: dict[str, Any]) -> Any:
        if sql.startswith(f'INSERT INTO "{table}"'):
            pid = connection.connection.info.backend_pid
            with psycopg.connect(
                host=settings["HOST"],
                port=settings["PORT"] or 5432,
                user=settings["USER"],
                password=settings["PASSWORD"] or None,
                dbname=settings["NAME"],
                autocommit=True,
            ) as other:
                other.execute("SELECT pg_terminate_backend(%s)", [pid])
        return execute(sql, params, many, context)

    return wrapper


def _assert_friendly_503(response: Any) -> None:
    assert response.status_code == 503
    assert response["Retry-After"] == str(RETRY_AFTER_SECONDS)


def test_pages_answer_a_friendly_503_while_the_database_is_unreachable(cast: Cast) -> None:
    client = Client(raise_request_exception=False)
    client.force_login(cast.case_manager)
    with database_unreachable():
        page = client.get("/cases/")
        case_page = client.get(f"/cases/{cast.case.pk}/")
        api = client.get("/api/v1/cases/")
        save = client.post(f"/cases/{cast.case.pk}/contacts/add/", contact_form())
    for response in (page, case_page, save):
        _assert_friendly_503(response)
        body = response.content.decode()
        assert "Sorry, there is a problem with the service" in body and "Try again in a minute" in body
        assert "govuk-header" in body and "Sam Okafor" not in body  # rendered without the session
    _assert_friendly_503(api)
    assert api.json() == {"detail": "Sorry, there is a problem with the service. Try again in a minute."}
    # The database is back: the app recovers by itself, and the save that met the outage made nothing.
    assert client.get("/cases/").status_code == 200
    assert not Contact.objects.filter(case=cast.case).exists()


def test_health_answers_its_json_naming_the_database_with_or_without_a_session_cookie(cast: Cast) -> None:
    signed_in = Client(raise_request_exception=False)
    signed_in.force_login(cast.case_manager)
    anonymous = Client(raise_request_exception=False)
    with database_unreachable():
        answers = [signed_in.get("/health/"), anonymous.get("/health/")]
    for answer in answers:
        assert answer.status_code == 503
        assert answer["Content-Type"] == "application/json"
        assert "database" in answer.json()["failing"]


def test_a_save_whose_connection_is_ended_mid_way_answers_503_and_leaves_nothing_half_saved(cast: Cast) -> None:
    from cases.models import CaseEvent

    client = Client(raise_request_exception=False)
    client.force_login(cast.case_manager)
    events_before = CaseEvent.objects.filter(case=cast.case).count()
    with connection.execute_wrapper(_terminate_own_backend_on("cases_contact")):
        response = client.post(f"/cases/{cast.case.pk}/contacts/add/", contact_form())
    _assert_friendly_503(response)
    assert "Try again in a minute" in response.content.decode()
    connection.close()
    assert not Contact.objects.filter(case=cast.case).exists()
    assert CaseEvent.objects.filter(case=cast.case).count() == events_before
    # Trying again once the connection is back saves the contact once.
    assert client.post(f"/cases/{cast.case.pk}/contacts/add/", contact_form()).status_code == 302
    assert Contact.objects.filter(case=cast.case).count() == 1


def test_a_programming_error_is_still_a_500_not_hidden_as_an_outage(cast: Cast) -> None:
    from django.db import ProgrammingError

    from config.errors import is_database_unavailable

    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT no_such_column FROM cases_case")
    except ProgrammingError as error:
        assert not is_database_unavailable(error)
    else:
        pytest.fail("the query should have failed")
