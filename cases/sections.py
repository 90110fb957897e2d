"""Sections that the apps above `cases` add to the case's pages (the TRM stage, goals, meetings...).

`cases` never imports those apps: each registers its section here from its AppConfig.ready(), naming the
case sub-page it belongs on (`page`: one of PAGES), and each sub-page renders its registered sections in
order. A section may also give the overview a few at-a-glance rows (`glance`) from its facts. A section's
`context` function is given the person, the case, what they may do with it (cases.capabilities.CaseCapabilities)
and its facts, and returns the template's context, or None to leave the section out for this person.

Facts are what a section needs to know about the case as single values (how many open actions,
when the next review is due): a section's `facts` function names them as SQL expressions on the
case's row (`OuterRef("pk")` is the case), and the page reads every section's facts, and its own, in
one query (`read_facts`). A section asked for its context without them (a test, another page) is
given None and reads its own with `facts_of`. Sections build their expressions through
`compiled_facts`, so the ORM compiles each once a day, not on every page.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.db.models import Count, IntegerField, QuerySet, Subquery, Value
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce
from django.http import HttpRequest
from django.template import Engine, RequestContext
from django.utils.safestring import SafeString

from cases.capabilities import CaseCapabilities
from cases.models import Case
from core.db import compiled_daily, prepared_cursor

Facts = Mapping[str, Any]
SectionContext = Callable[[Any, Case, CaseCapabilities, Facts | None], dict[str, Any] | None]
SectionFacts = Callable[[Any, Case, CaseCapabilities], dict[str, Any]]

# The case's sub-pages that show registered sections (cases/urls.py; the sub-navigation is
# templates/cases/includes/case_subnav.html). The overview shows only the sections' glance rows.
OVERVIEW = "overview"
PLAN = "plan"  # the formulation report, its recommendations and actions
TRM = "trm"  # the TRM stage, THRIVE and goals
MEETINGS = "meetings"  # meetings and reviews
DETAILS = "details"  # the child's details, the case holders, closure, data rights
PAGES = (OVERVIEW, PLAN, TRM, MEETINGS, DETAILS)


@dataclass(frozen=True)
class Glance:
    """One row of the overview's summary: `value` and `detail` are plain text; `warning`, if any, is shown as a
    red tag (an overdue review); `href` links the value to where the person can see more."""

    key: str
    value: str
    detail: str = ""
    href: str = ""
    warning: str = ""


SectionGlance = Callable[[Any, Case, CaseCapabilities, Facts], list[Glance]]


@dataclass(frozen=True)
class CaseSection:
    name: str
    order: int  # smaller first
    template: str
    context: SectionContext
    facts: SectionFacts | None = None  # named SQL expressions on the case's row, read with the page's
    page: str = field(kw_only=True)  # the sub-page it is shown on (PAGES)
    # The overview's rows from this section's facts (and at most a query of its own); read for the full record.
    glance: SectionGlance | None = field(default=None, kw_only=True)


_SECTIONS: dict[str, CaseSection] = {}


def register(section: CaseSection) -> None:
    """Add (or replace, on a reload) a section of the case's pages."""
    if section.page not in PAGES or section.page == OVERVIEW:
        raise ValueError(f"{section.name}: a section belongs on one of {PAGES[1:]}, not {section.page!r}")
    _SECTIONS[section.name] = section


def _in_order() -> list[CaseSection]:
    return sorted(_SECTIONS.values(), key=lambda section: (section.order, section.name))


def facts_of(case: Case, expressions: Mapping[str, Any]) -> dict[str, Any]:
    """The values of named SQL expressions on the case's row: one query (none when nothing is asked).

    Facts compiled once (`compiled_facts`, raw SQL on the case's row) are read by a statement written from their
    SQL and prepared on the connection (core.db.prepared_cursor): the ORM built that query on every case page,
    and PostgreSQL planned it (0.9 ms) for about as long as it ran (issue 14)."""
    if not expressions:
        return {}
    if all(isinstance(expression, RawSQL) for expression in expressions.values()):
        return _prepared_facts(case.pk, expressions)
    return dict(Case.objects.filter(pk=case.pk).annotate(**expressions).values(*expressions).get())


def _prepared_facts(pk: int, expressions: Mapping[str, RawSQL]) -> dict[str, Any]:
    quote = connection.ops.quote_name
    table = quote(Case._meta.db_table)
    columns = ", ".join(f"({expression.sql}) AS {quote(name)}" for name, expression in expressions.items())
    # Each expression's SQL was compiled by the ORM; every value is a parameter.
    sql = f"SELECT {columns} FROM {table} WHERE {table}.{quote('id')} = %s"  # noqa: S608
    params = [param for expression in expressions.values() for param in expression.params]
    with prepared_cursor(connection) as cursor:
        cursor.execute(sql, [*params, pk])
        row = cursor.fetchone()
    if row is None:
        raise Case.DoesNotExist(f"No case {pk}")
    values: dict[str, Any] = {}
    for (name, expression), value in zip(expressions.items(), row, strict=True):
        # Converted as the ORM converts a selected expression (a jsonb fact decoded, a date made a date).
        for converter in connection.ops.get_db_converters(expression) + expression.get_db_converters(connection):
            value = converter(value, expression, connection)
        values[name] = value
    return values


def compiled_facts(build: Callable[..., Mapping[str, Any]], *args: Hashable) -> dict[str, Any]:
    """The facts `build(*args)` names, as SQL the ORM compiled once today for these `args` (core.db.compiled_daily).

    `build` is a module-level function of `args` alone: no person, no case (`OuterRef("pk")` is the case), no
    clock finer than the day (`core.db.NOW` is the time of each use). What differs between people (whether
    they read restricted notes, which document categories they see) is passed as `args`, so each compiled
    answer serves only its own."""
    return {name: compiled.expression() for name, compiled in compiled_daily(Case, build, *args).items()}


def count_of(records: QuerySet[Any]) -> Coalesce:
    """A fact: how many of `records` (filtered on `case=OuterRef("pk")`) there are, 0 for none. Counted as
    COUNT(*), which PostgreSQL answers from an index on the case alone (counting ids read every row: 1.3 ms for
    a case's 5,000 contacts against 0.3; issue 14)."""
    counted = records.order_by().values("case").annotate(total=Count("*")).values("total")
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


@dataclass(frozen=True)
class CaseFacts:
    """The page's own facts and each section's, read together."""

    page: dict[str, Any]
    sections: dict[str, dict[str, Any]] = field(default_factory=dict)


def _of_page(on: str | None) -> list[CaseSection]:
    """The sections shown on one sub-page (with glance rows, for the overview); all of them for None."""
    if on is None:
        return _in_order()
    if on == OVERVIEW:
        return [section for section in _in_order() if section.glance is not None]
    return [section for section in _in_order() if section.page == on]


def read_facts(
    user: Any, case: Case, caps: CaseCapabilities, *, page: Mapping[str, Any], on: str | None = None
) -> CaseFacts:
    """The page's facts (`page`: named expressions) and those of the sections of sub-page `on` (every
    registered section's for None; for the overview, those giving it glance rows), in one query."""
    expressions: dict[str, Any] = {f"page_{name}": expression for name, expression in page.items()}
    wanted: dict[str, dict[str, str]] = {}
    for number, section in enumerate(_of_page(on)):
        asked = section.facts(user, case, caps) if section.facts is not None else {}
        wanted[section.name] = {name: f"section{number}_{name}" for name in asked}
        expressions.update({f"section{number}_{name}": expression for name, expression in asked.items()})
    values = facts_of(case, expressions)
    return CaseFacts(
        page={name: values[f"page_{name}"] for name in page},
        sections={name: {fact: values[alias] for fact, alias in aliases.items()} for name, aliases in wanted.items()},
    )


def glances(user: Any, case: Case, caps: CaseCapabilities, facts: CaseFacts) -> list[Glance]:
    """The overview's rows from the sections (their facts read with `read_facts(..., on=OVERVIEW)`)."""
    rows: list[Glance] = []
    for section in _of_page(OVERVIEW):
        if section.glance is not None and section.name in facts.sections:
            rows.extend(section.glance(user, case, caps, facts.sections[section.name]))
    return rows


def render_sections(
    request: HttpRequest, case: Case, caps: CaseCapabilities, facts: CaseFacts | None = None, *, on: str | None = None
) -> list[SafeString]:
    """The registered sections of sub-page `on` (every one for None) this person may see, rendered in order
    (their facts read first, if not given).

    They share one request context, so the context processors run once for all of them (as for an include).
    """
    if facts is None:
        facts = read_facts(request.user, case, caps, page={}, on=on)
    shown = []
    for section in _of_page(on) if on != OVERVIEW else []:
        values = section.context(request.user, case, caps, facts.sections.get(section.name))
        if values is not None:
            shown.append((Engine.get_default().get_template(section.template), values))
    if not shown:
        return []
    context = RequestContext(request)
    rendered = []
    with context.bind_template(shown[0][0]):
        for template, values in shown:
            with context.push(case=case, **values):
                rendered.append(template.render(context))
    return rendered
