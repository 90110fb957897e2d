"""What every page asks about the signed-in person, read in one statement per request.

A page needs a few facts about the person before it shows anything: their permissions, their
memberships (the header, the navigation), who they are to the access module, how many
notifications wait for them. Asked one by one these were four or five round trips and as many ORM
compilations on every page, most of a list page's cost above its floor (issue 14). Each app that
owns such a fact registers it here (in its AppConfig.ready()) as one SQL expression giving a jsonb
value; the first fact asked for in a request reads them all in one `SELECT`, kept by `core.memo`
for the rest of the request. Outside a request (a job, a command, a test calling a function) only
the fact asked for is read, and afresh each time.

A fact's SQL is an expression (usually a scalar subquery) with the person's id as `%(user)s` and
its own parameters, whose names start with the fact's name and a double underscore so that facts
can never collide. Nothing here knows any app's tables.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import connection

from core.db import prepared_cursor
from core.memo import in_request, memoised


@dataclass(frozen=True)
class PersonFact:
    name: str
    # The expression: built on first use, so table names can come from the models' metadata.
    sql: Callable[[], str]
    # The decoded json value → the value the app hands out.
    parse: Callable[[Any], Any]
    # The fact's own parameters for a person, each named "<name>__…".
    params: Callable[[Any], dict[str, Any]] = field(default=lambda user: {})


_FACTS: dict[str, PersonFact] = {}
_STATEMENTS: dict[tuple[str, ...], str] = {}


def register_person_fact(fact: PersonFact) -> None:
    """Add (or replace, on a reload) a fact read with the others."""
    _FACTS[fact.name] = fact
    _STATEMENTS.clear()


def person_fact(user: Any, name: str) -> Any:
    """The fact `name` about the person: from this request's one read of all facts, or read alone."""
    if name not in _FACTS:
        raise KeyError(f"no person fact {name!r} is registered (registered: {sorted(_FACTS)})")
    if not in_request():
        # Outside a request the memo keeps nothing: read only what was asked for.
        return _read(user, (name,))[name]
    return memoised(("person-facts", user.pk), lambda: _all_facts(user))[name]


def _all_facts(user: Any) -> dict[str, Any]:
    return _read(user, tuple(sorted(_FACTS)))


def _statement(names: tuple[str, ...]) -> str:
    if names not in _STATEMENTS:
        parts = ", ".join(f"'{name}', ({_FACTS[name].sql()})" for name in names)
        _STATEMENTS[names] = f"SELECT jsonb_build_object({parts})"
    return _STATEMENTS[names]


def _read(user: Any, names: tuple[str, ...]) -> dict[str, Any]:
    params: dict[str, Any] = {"user": user.pk}
    for name in names:
        own = _FACTS[name].params(user)
        strays = [key for key in own if not key.startswith(f"{name}__")]
        if strays:
            raise ValueError(f"person fact {name!r}: parameters must start with '{name}__': {strays}")
        params.update(own)
    # Prepared on the connection (core.db.prepared_cursor): the statement is the same for everyone, and planning it
    # cost PostgreSQL more than answering it (0.9 ms against 0.5 at national scale; issue 14).
    with prepared_cursor(connection) as cursor:
        cursor.execute(_statement(names), params)
        row = cursor.fetchone()
    # Django has psycopg hand jsonb over as text (its JSONField decodes it).
    raw: dict[str, Any] = json.loads(row[0]) if row and isinstance(row[0], str) else (row[0] if row else {})
    return {name: _FACTS[name].parse(raw.get(name)) for name in names}
