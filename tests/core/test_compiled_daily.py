"""core.db.compiled_daily and compiled_query: expressions and querysets the ORM compiles once a day per their
arguments, for what is read on every page (the caseload's work columns, the case page's sections, the review page's
walk-through)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.db.models import OuterRef, QuerySet
from django.db.models.expressions import RawSQL
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cases import access, sections
from cases.capabilities import case_capabilities
from cases.models import Case, Contact, ContactCorrection
from cases.sections import compiled_facts, count_of, facts_of
from cases.selectors import overview_facts
from core import db
from tests.conftest import Cast
from tests.factories import log_contact, make_case

pytestmark = pytest.mark.django_db

BUILT: list[tuple[Any, ...]] = []


def _contacts(restricted_shown: bool) -> dict[str, Any]:
    BUILT.append((restricted_shown,))
    contacts = Contact.objects.filter(case=OuterRef("pk"))
    if not restricted_shown:
        contacts = contacts.filter(restricted=False)
    return {"contact_total": count_of(contacts), "after_now": count_of(contacts.filter(occurred_at__gt=db.NOW))}


def test_each_argument_is_compiled_once_a_day_and_answers_for_itself(cast: Cast) -> None:
    BUILT.clear()
    log_contact(cast.case, cast.case_manager)
    log_contact(cast.case, cast.case_manager, restricted=True)
    everything = facts_of(cast.case, compiled_facts(_contacts, True))
    unrestricted = facts_of(cast.case, compiled_facts(_contacts, False))
    assert everything["contact_total"] == 2
    assert unrestricted["contact_total"] == 1  # the restricted note is not counted for those who may not read it
    assert facts_of(cast.case, compiled_facts(_contacts, True))["contact_total"] == 2
    assert BUILT == [(True,), (False,)]  # asked for three times, built twice
    # The next day, compiled again.
    with time_machine.travel(timezone.now() + dt.timedelta(days=1), tick=False):
        assert facts_of(cast.case, compiled_facts(_contacts, True))["contact_total"] == 2
    assert BUILT == [(True,), (False,), (True,)]


def test_now_is_the_time_of_each_use(cast: Cast) -> None:
    log_contact(cast.case, cast.case_manager, days_ago=0.5)  # twelve hours ago
    assert facts_of(cast.case, compiled_facts(_contacts, True))["after_now"] == 0
    with time_machine.travel(timezone.now() - dt.timedelta(hours=13), tick=False):
        assert facts_of(cast.case, compiled_facts(_contacts, True))["after_now"] == 1


def _contact_rows(with_restricted: bool, *, case: int, after: int) -> QuerySet[Contact]:
    BUILT.append(("rows", with_restricted))
    contacts = Contact.objects.filter(case=case, pk__gt=after)
    if not with_restricted:
        contacts = contacts.filter(restricted=False)
    return contacts.select_related("case__child", "recorded_by").prefetch_related("corrections").order_by("pk")


def vars_of(contact: Contact) -> dict[str, Any]:
    return {name: value for name, value in vars(contact).items() if not name.startswith("_")}


def test_a_compiled_query_gives_what_its_queryset_gives_for_each_placeholder_value(cast: Cast) -> None:
    other_case = make_case(owning_yjs=cast.case.owning_yjs, case_holder=cast.case_manager)
    first = log_contact(cast.case, cast.case_manager)
    restricted = log_contact(cast.case, cast.case_manager, restricted=True)
    elsewhere = log_contact(other_case, cast.case_manager)
    ContactCorrection.objects.create(
        contact=first, recorded_by=cast.case_manager, text="Met at school", reason="Wrong place"
    )
    BUILT.clear()
    for case, after, expected in ((cast.case, 0, [first, restricted]), (cast.case, first.pk, [restricted])):
        with CaptureQueriesContext(connection) as queries:
            found = db.compiled_query(_contact_rows, True).fetch(case=case.pk, after=after)
            # select_related and prefetch_related as the queryset's own: no query more when used.
            children = [contact.case.child.given_name for contact in found]
            corrections = [len(contact.corrections.all()) for contact in found]
        assert found == expected
        plain = list(_contact_rows(True, case=case.pk, after=after))
        assert found == plain
        # Each value converted as the queryset's own (the converters are kept with the SQL).
        assert [vars_of(contact) for contact in found] == [vars_of(contact) for contact in plain]
        assert children == [case.child.given_name] * len(expected)
        assert corrections == [1, 0][-len(expected) :]
        assert len(queries.captured_queries) == 2  # the rows, then the corrections
    assert db.compiled_query(_contact_rows, False).fetch(case=cast.case.pk, after=0) == [first]
    assert db.compiled_query(_contact_rows, True).fetch(case=other_case.pk, after=0) == [elsewhere]
    # Built once for each argument (the two calls above to compare with the plain queryset aside).
    assert BUILT.count(("rows", True)) == 1 + 2
    assert BUILT.count(("rows", False)) == 1


def _contact_values(flat: bool, *, case: int) -> QuerySet[Any]:
    contacts = Contact.objects.filter(case=case).order_by("-pk")
    return (
        contacts.values_list("pk", flat=True)
        if flat
        else contacts.values("pk", "occurred_at", "case__child__given_name")
    )


def test_a_compiled_values_query_gives_the_dicts_and_values_of_its_queryset(cast: Cast) -> None:
    """A queryset of `values()` or `values_list()` compiled once gives what it gives: dicts, or flat values, each
    value converted as the queryset's own (the API's case list reads its rows so)."""
    log_contact(cast.case, cast.case_manager)
    log_contact(cast.case, cast.case_manager, restricted=True)
    for flat in (False, True):
        found = db.compile_query(_contact_values, flat).fetch(case=cast.case.pk)
        assert found == list(_contact_values(flat, case=cast.case.pk)) and len(found) == 2
    rows = db.compile_query(_contact_values, False).fetch(case=cast.case.pk)
    assert isinstance(rows[0], dict) and rows[0]["case__child__given_name"] == cast.case.child.given_name
    assert timezone.is_aware(rows[0]["occurred_at"])


def _contacts_by_now(*, case: int) -> QuerySet[Contact]:
    return Contact.objects.filter(case=case, occurred_at__lte=db.NOW)


def test_a_compiled_query_binds_now_at_each_use_and_refuses_wrong_placeholders(cast: Cast) -> None:
    contact = log_contact(cast.case, cast.case_manager, days_ago=0.5)
    rows = db.compiled_query(_contacts_by_now)
    assert rows.fetch(case=cast.case.pk) == [contact]
    with time_machine.travel(timezone.now() - dt.timedelta(hours=13), tick=False):
        assert rows.fetch(case=cast.case.pk) == []  # not yet happened, then
    with pytest.raises(TypeError, match="placeholders"):
        rows.fetch(case=cast.case.pk, after=0)


def _unused_placeholder(*, case: int) -> QuerySet[Contact]:
    return Contact.objects.all()


def _matching_nothing(*, case: int) -> QuerySet[Contact]:
    return Contact.objects.filter(case=case, pk__in=[])


def test_a_placeholder_the_sql_never_uses_is_refused_and_an_empty_query_fetches_nothing(cast: Cast) -> None:
    with pytest.raises(ValueError, match="case"):
        db.compiled_query(_unused_placeholder)
    log_contact(cast.case, cast.case_manager)
    with CaptureQueriesContext(connection) as queries:
        assert db.compiled_query(_matching_nothing).fetch(case=cast.case.pk) == []
    assert queries.captured_queries == []


def test_a_compiled_query_is_prepared_on_its_connection_and_logged_with_its_values(cast: Cast) -> None:
    """PostgreSQL plans a compiled query once per connection (core.db.prepared_cursor): its statement is kept
    prepared after the first fetch, and the next fetches with other values run it. The query log shows each run's
    SQL with its values, as Django logs its own queries."""
    first = log_contact(cast.case, cast.case_manager)
    second = log_contact(cast.case, cast.case_manager)
    rows = db.compiled_query(_contact_rows, False)

    def prepared() -> set[str]:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT statement FROM pg_prepared_statements WHERE statement LIKE %s AND statement LIKE %s",
                ['%"cases_contact"."id" > $%', '%NOT "cases_contact"."restricted"%'],
            )
            return {statement for (statement,) in cursor.fetchall()}

    with CaptureQueriesContext(connection) as queries:
        assert rows.fetch(case=cast.case.pk, after=0) == [first, second]
        assert rows.fetch(case=cast.case.pk, after=first.pk) == [second]
    # Kept prepared on the connection, its values as parameters. psycopg prepares a statement once per set of
    # parameter types (an id past 32,767 is sent as a larger integer than 0 is), so the connection may hold it more
    # than once, always with the same text.
    kept = prepared()
    assert len(kept) == 1 and '"cases_contact"."case_id" = $1' in next(iter(kept))
    logged = [query["sql"] for query in queries.captured_queries if "cases_contactcorrection" not in query["sql"]]
    assert len(logged) == 2  # the two fetches (their corrections' prefetch aside)
    assert (
        f'"cases_contact"."id" > {first.pk}' in logged[-1]
        and f'"cases_contact"."case_id" = {cast.case.pk}' in logged[-1]
    )


def test_a_compiled_count_counts_what_its_queryset_counts_for_each_placeholder_value(cast: Cast) -> None:
    first = log_contact(cast.case, cast.case_manager)
    log_contact(cast.case, cast.case_manager, restricted=True)
    other_case = make_case(owning_yjs=cast.case.owning_yjs, case_holder=cast.case_manager)
    log_contact(other_case, cast.case_manager)
    counted = db.compile_count(_contact_rows, True)
    for case, after in ((cast.case, 0), (cast.case, first.pk), (other_case, 0), (other_case, 10**9)):
        assert counted.fetch(case=case.pk, after=after) == _contact_rows(True, case=case.pk, after=after).count()
    assert db.compile_count(_contact_rows, False).fetch(case=cast.case.pk, after=0) == 1
    with pytest.raises(TypeError):
        counted.fetch(case=cast.case.pk)
    with CaptureQueriesContext(connection) as queries:
        assert db.compile_count(_matching_nothing).fetch(case=cast.case.pk) == 0
    assert not queries.captured_queries


def test_prepared_facts_are_what_the_orm_reads_for_the_overview_and_every_section(cast: Cast) -> None:
    """cases.sections.facts_of reads compiled facts by a prepared statement of their SQL: each value, converted,
    equals the ORM's own read of the same expressions (counts, dates, json facts, flags)."""
    log_contact(cast.case, cast.case_manager, days_ago=3)
    log_contact(cast.case, cast.case_manager, days_ago=1, restricted=True)
    for user in (cast.case_manager, cast.psychologist, cast.teacher):
        if not access.may(user, access.Action.VIEW_SUMMARY, cast.case):
            continue
        case = access.get_case_for(user, cast.case.pk, access.Action.VIEW_SUMMARY, log=False)
        caps = case_capabilities(user, case)
        expressions = dict(overview_facts(user=user, case=case))
        for number, section in enumerate(sections._of_page(None)):
            asked = section.facts(user, case, caps) if section.facts is not None else {}
            expressions.update({f"s{number}_{name}": expression for name, expression in asked.items()})
        assert expressions and all(isinstance(expression, RawSQL) for expression in expressions.values())
        orm = dict(Case.objects.filter(pk=case.pk).annotate(**expressions).values(*expressions).get())
        assert facts_of(case, expressions) == orm
