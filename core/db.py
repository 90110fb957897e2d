"""Database helpers: for migrations, and for queries the JIT compiler would slow down."""

from __future__ import annotations

import copy
import datetime as dt
import inspect
from collections.abc import Callable, Hashable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Generic, TypeVar, cast

import psycopg
from django.core.exceptions import EmptyResultSet, FullResultSet
from django.db import connection, connections, migrations, transaction
from django.db.backends.postgresql.psycopg_any import register_tzloader
from django.db.backends.utils import CursorDebugWrapper, CursorWrapper
from django.db.models import Field, Model, Q, QuerySet, Value
from django.db.models.expressions import RawSQL
from django.db.models.sql import Query
from django.db.models.sql.constants import MULTI
from django.utils import timezone
from psycopg.pq import Format

M = TypeVar("M", bound=Model)
_TIMESTAMPTZ_OID = psycopg.adapters.types["timestamptz"].oid


def drop_column_index(name: str, table: str, column: str) -> migrations.RunSQL:
    """Drop one single-column index by its name (reversible).

    `AlterField(..., db_index=False)` drops every index on the column that PostgreSQL reports,
    partial unique indexes declared as constraints included (it dropped `report_one_open_version`
    once); naming the one index to drop leaves the others alone.
    """
    return migrations.RunSQL(
        f'DROP INDEX IF EXISTS "{name}"',
        reverse_sql=f'CREATE INDEX IF NOT EXISTS "{name}" ON "{table}" ("{column}")',
    )


@contextmanager
def without_jit() -> Iterator[None]:
    """Run the block's queries in one transaction without PostgreSQL's JIT compilation.

    For a list sorted by per-row subqueries (the caseload by last contact or overdue actions): at
    national scale the planner's estimate crosses `jit_above_cost`, and compiling costs far more than
    running (issue 14 measured 1 s of JIT on a 30 ms list). `SET LOCAL` ends with the transaction.
    """
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL jit = off")
        yield


# Stands for "now" in an expression compiled once (`compiled_daily`): each use puts the time of that use in its
# place, so the app's clock decides, as everywhere else (the database's own clock, `Now()`, is not the app's
# in tests that hold the clock).
NOW = dt.datetime(1900, 1, 1, tzinfo=dt.UTC)


@dataclass(frozen=True)
class CompiledSql:
    """An expression on a model's own row, compiled (`compile_expression`), with the field its value converts by."""

    sql: str
    params: tuple[Any, ...]
    output_field: Field[Any, Any]

    def expression(self) -> RawSQL:
        return RawSQL(self.sql, _bound(self.params, {}), self.output_field)  # noqa: S611 (compiled by the ORM)


def _bound(params: tuple[Any, ...], values: Mapping[int, Any]) -> tuple[Any, ...]:
    """The compiled parameters with each stand-in replaced: `NOW` by the time now, a placeholder (`compiled_query`)
    by its value."""
    if NOW in params:
        now = timezone.now()
        params = tuple(now if param == NOW else param for param in params)
    if values:
        params = tuple(values.get(param, param) if type(param) is int else param for param in params)
    return params


def compile_expression(model: type[Model], expression: Any) -> CompiledSql:
    """The SQL of an expression on `model`'s rows, compiled once so that it can be reused as `RawSQL`, with the
    output field the ORM resolved (so values convert as the expression's would).

    The SQL names the model's table unaliased (`OuterRef("pk")` becomes `"<table>"."id"`), so it is only valid
    in a query whose base table is that table, never inside a subquery Django would relabel.
    """
    query = model._default_manager.annotate(__compiled=expression).query
    resolved = query.annotations["__compiled"]
    compiler = query.get_compiler(connection=connection)
    try:
        sql, params = compiler.compile(resolved)
    except EmptyResultSet:  # as the ORM does for a selected expression that can match nothing (`x IN ()`)
        empty = getattr(resolved, "empty_result_set_value", NotImplemented)
        sql, params = ("NULL", []) if empty is NotImplemented else compiler.compile(Value(empty))
    except FullResultSet:  # ... or everything
        sql, params = compiler.compile(Value(True))
    return CompiledSql(sql, tuple(params), resolved.output_field)


_DAILY: dict[dt.date, dict[Hashable, Any]] = {}


def _today_compiled(key: Hashable, compile_it: Callable[[], Any]) -> Any:
    """What `compile_it` made for `key` today (made now, once, if not): yesterday's are dropped."""
    today = timezone.localdate()
    day = _DAILY.get(today)
    if day is None:
        _DAILY.clear()  # yesterday's
        day = _DAILY.setdefault(today, {})
    compiled = day.get(key)
    if compiled is None:
        compiled = compile_it()
        day[key] = compiled
    return compiled


def compiled_daily(
    model: type[Model], build: Callable[..., Mapping[str, Any]], *args: Hashable
) -> dict[str, CompiledSql]:
    """The named expressions `build(*args)` makes on `model`'s row, compiled once a day for each `args`.

    For facts read on every page (the caseload's work columns, the case page's sections): building and
    resolving them through the ORM cost more than running them (issue 14). `build` must depend on nothing but
    `args` and the day: no person, no case (an `OuterRef("pk")` stands for the row), no clock finer than the
    date (`NOW` stands for the time of each use). Whatever differs between people, such as whether they read
    restricted notes, is one of `args`, so each answer is compiled for exactly the people it is for.
    """
    compiled: dict[str, CompiledSql] = _today_compiled(
        (model._meta.label, build.__module__, build.__qualname__, args),
        lambda: {name: compile_expression(model, expression) for name, expression in build(*args).items()},
    )
    return compiled


# The values a `compiled_query` is built with in place of its placeholders: ids no row has (negative), inside
# the range of a 32-bit id (the ORM drops a lookup on a value out of its field's range, so it must look real).
_PLACEHOLDER_BASE = -2_000_000_000


class _CompiledQueryOf(Query):
    """A query whose SQL was compiled once (`CompiledQuery`): its compiler is a copy of the one kept, with the
    placeholders' values bound. Only `CompiledQuery.fetch` iterates one; nothing chains on it."""

    compiled_query: CompiledQuery[Any]
    bound_values: Mapping[int, Any]

    def get_compiler(self, using: str | None = None, connection: Any = None, elide_empty: bool = True) -> Any:
        kept = self.compiled_query.compiler
        compiler = copy.copy(kept)
        compiler.connection = connection if connection is not None else connections[using or "default"]
        compiler.using = using
        sql, params = self.compiled_query.sql, _bound(self.compiled_query.params, self.bound_values)
        compiler.as_sql = lambda *args, **kwargs: (sql, params)
        # The same columns each time, so the same converters (called with the connection of the day).
        converters = self.compiled_query.converters
        compiler.get_converters = lambda expressions: converters

        def execute_sql(result_type: str = MULTI, *args: Any, **kwargs: Any) -> Any:
            if result_type != MULTI:
                return type(compiler).execute_sql(compiler, result_type, *args, **kwargs)
            with prepared_cursor(compiler.connection) as cursor:
                cursor.execute(sql, params)
                rows = cursor.fetchall()
            if compiler.has_extra_select:
                rows = [row[: compiler.col_count] for row in rows]
            return [rows]  # as the ORM's reads give them: a list of chunks of rows

        compiler.execute_sql = execute_sql
        return compiler


@contextmanager
def prepared_cursor(db: Any) -> Iterator[Any]:
    """A cursor on `db`'s connection whose statements PostgreSQL may keep prepared: the parameters are sent apart
    from the SQL (server-side binding), so psycopg prepares a statement once it has run `prepare_threshold` times
    on the connection (the settings make it 0: on first use) and PostgreSQL reuses its plan instead of planning it
    again.

    For statements whose SQL is the same every time: the queries `compiled_query` keeps, the person's facts, the
    case page's facts. Planning them was most of their cost (the case page's fetch of its case: 1.0 ms of planning,
    0.1 ms of running; issue 14). The app's other queries stay on Django's client-side binding, which the history
    triggers' context (pghistory) needs. Through the same wrappers as any Django cursor, so queries are counted and
    logged as usual. With a pooler in transaction mode that does not track prepared statements, set
    `DATABASE_PREPARE_THRESHOLD` to "none" (README): the statements then run unprepared."""
    db.close_if_health_check_failed()  # as Django's own cursor() does, first in a request
    db.ensure_connection()
    with db.wrap_database_errors:
        raw = psycopg.Cursor(db.connection)
        # As Django's own cursors do: timestamps read in the connection's time zone.
        loader = db.connection.adapters.get_loader(_TIMESTAMPTZ_OID, Format.TEXT)
        if db.timezone != loader.timezone:
            register_tzloader(db.timezone, raw)
        db.validate_thread_sharing()
        # Django's wrapping, so the execute wrappers run and the query is counted and logged where Django would.
        cursor = _PreparedDebugWrapper(raw, db) if db.queries_logged else CursorWrapper(raw, db)
    with cursor:
        yield cursor


class _PreparedDebugWrapper(CursorDebugWrapper):
    """Logs a prepared statement's SQL with its values in place, as Django logs its own queries (psycopg keeps no
    text of a statement it ran prepared)."""

    def execute(self, sql: Any, params: Any = None) -> Any:
        with self.debug_sql(self.db.ops.compose_sql(sql, params), params, use_last_executed_query=False):
            return CursorWrapper.execute(self, sql, params)


@dataclass(frozen=True)
class CompiledQuery(Generic[M]):
    """A queryset the ORM built and compiled once, run again with other values for its placeholders."""

    model: type[M]
    query: _CompiledQueryOf | None  # None: the query can match nothing (`x IN ()`)
    compiler: Any
    sql: str
    params: tuple[Any, ...]
    placeholders: Mapping[str, int]
    prefetch: tuple[Any, ...]
    converters: dict[int, Any]
    # How the queryset gives its rows: records, or dicts and tuples for `values()` and `values_list()`.
    iterable_class: Any = None
    fields: tuple[str, ...] | None = None

    def fetch(self, **values: int) -> list[M]:
        """The rows for these placeholder values (each an int, such as an id), as the queryset would give them:
        records with their `select_related` and `prefetch_related`, or the dicts of its `values()`."""
        bound = _bound_values(self.placeholders, values)
        if self.query is None:
            return []
        query = copy.copy(self.query)
        query.bound_values = bound
        records: QuerySet[M] = QuerySet(model=self.model, query=query)
        records._prefetch_related_lookups = self.prefetch  # type: ignore[attr-defined]  # as prefetch_related() sets
        if self.iterable_class is not None:
            records._iterable_class = self.iterable_class
            records._fields = self.fields  # type: ignore[attr-defined]  # as values() sets
        return list(records)


def compiled_query(build: Callable[..., QuerySet[M]], *args: Hashable) -> CompiledQuery[M]:
    """The queryset `build(*args, **placeholders)` makes, compiled once a day for each `args` (as `compiled_daily`).

    For a page's reads whose building and compiling through the ORM cost more than running them (issue 14): the
    review page's walk-through was 4 queries of 2.5 ms of PostgreSQL and three times that of Python. `build`'s
    keyword-only parameters are the placeholders: it is called with a stand-in int for each (an id no row has),
    and `fetch(name=value, ...)` runs the same SQL with the values in their place. A placeholder must be used as a
    plain value (`case_id=case`, `review=review`), never in arithmetic or inside a list. `build` must depend on
    nothing but `args` and the day (`NOW` is the time of each use); prefetches are kept and run on each fetch.
    Each fetch runs through `prepared_cursor`, so PostgreSQL plans the SQL once per connection, not on every use.
    """
    return _today_compiled(("query", build.__module__, build.__qualname__, args), lambda: compile_query(build, *args))


def compile_query(
    build: Callable[..., QuerySet[M]], *args: Any, rows: tuple[int, int] | None = None
) -> CompiledQuery[M]:
    """`compiled_query` without its once-a-day store: for a caller that keeps what it compiles itself (the access
    module keeps one per person and standing, bounded). `rows`: only these rows of the queryset, as a slice
    (a list's page)."""
    placeholders = _placeholders_of(build)
    records = build(*args, **placeholders)
    if rows is not None:
        records = records[rows[0] : rows[1]]
    compiler = records.query.get_compiler(connection=connection)
    prefetch = tuple(records._prefetch_related_lookups)  # type: ignore[attr-defined]
    try:
        sql, params = compiler.as_sql()
    except EmptyResultSet:
        return CompiledQuery(records.model, None, None, "", (), placeholders, prefetch, {})
    _refuse_unused(build, placeholders, params)
    query = cast(_CompiledQueryOf, copy.copy(records.query))
    query.__class__ = _CompiledQueryOf
    converters = compiler.get_converters([column[0] for column in compiler.select[0 : compiler.col_count]])
    kept: CompiledQuery[M] = CompiledQuery(
        records.model,
        query,
        compiler,
        sql,
        tuple(params),
        placeholders,
        prefetch,
        converters,
        records._iterable_class,
        records._fields,  # type: ignore[attr-defined]
    )
    query.compiled_query = kept
    return kept


def _placeholders_of(build: Callable[..., Any]) -> dict[str, int]:
    """`build`'s keyword-only parameters, each with the stand-in value it is built with."""
    parameters = inspect.signature(build).parameters.values()
    names = [parameter.name for parameter in parameters if parameter.kind == parameter.KEYWORD_ONLY]
    return {name: _PLACEHOLDER_BASE - number for number, name in enumerate(names)}


def _refuse_unused(build: Callable[..., Any], placeholders: Mapping[str, int], params: Any) -> None:
    missing = [name for name, stand_in in placeholders.items() if stand_in not in params]
    if missing:
        raise ValueError(f"{build.__qualname__}: placeholders not found as values in the compiled SQL: {missing}")


def _bound_values(placeholders: Mapping[str, int], values: Mapping[str, int]) -> dict[int, int]:
    if set(values) != set(placeholders):
        raise TypeError(f"fetch() takes exactly the placeholders {sorted(placeholders)}, not {sorted(values)}")
    return {placeholders[name]: int(value) for name, value in values.items()}


@dataclass(frozen=True)
class CompiledCount:
    """How many rows a queryset the ORM built and compiled once has, counted again with other placeholder values."""

    sql: str  # "" when the query can match nothing
    params: tuple[Any, ...]
    placeholders: Mapping[str, int]

    def fetch(self, **values: int) -> int:
        bound = _bound_values(self.placeholders, values)
        if not self.sql:
            return 0
        with prepared_cursor(connection) as cursor:
            cursor.execute(self.sql, _bound(self.params, bound))
            return int(cursor.fetchone()[0])


def compile_count(build: Callable[..., QuerySet[Any]], *args: Any) -> CompiledCount:
    """`compile_query` for the count of the rows (`QuerySet.count()`), for a caller that keeps what it compiles: a
    list's pages are counted on every view of it."""
    placeholders = _placeholders_of(build)
    rows = build(*args, **placeholders).order_by().values("pk")
    try:
        sql, params = rows.query.get_compiler(connection=connection).as_sql()
    except EmptyResultSet:
        return CompiledCount("", (), placeholders)
    _refuse_unused(build, placeholders, params)
    counted = f"SELECT COUNT(*) FROM ({sql}) AS counted"  # noqa: S608 (SQL the ORM compiled; values are parameters)
    return CompiledCount(counted, tuple(params), placeholders)


def condition_sql(model: type[Model], condition: Q) -> tuple[str, tuple[Any, ...]]:
    """The SQL of a condition on `model`'s own row (no joins), for `RawSQL` as `expression_sql`."""
    query = model._default_manager.filter(condition).query
    joined = [alias for alias, count in query.alias_refcount.items() if count and alias != query.base_table]
    if joined:
        raise ValueError(f"condition_sql takes conditions on the row's own columns, not joins: {condition!r}")
    compiler = query.get_compiler(connection=connection)
    try:
        sql, params = compiler.compile(query.where)
    except EmptyResultSet:
        return "FALSE", ()
    except FullResultSet:
        return "TRUE", ()
    return sql, tuple(params)
