"""Sections that the apps above `cases` add to the case page (the TRM stage, goals, meetings...).

`cases` never imports those apps: each registers its section here from its AppConfig.ready(), and
the case page renders the registered sections in order. A section's `context` function is given
the person, the case, what they may do with it (cases.capabilities.CaseCapabilities) and its facts,
and returns the template's context, or None to leave the section out for this person.

Facts are what a section needs to know about the case as single values (how many open actions,
when the next review is due): a section's `facts` function names them as SQL expressions on the
case's row (`OuterRef("pk")` is the case), and the page reads every section's facts, and its own, in
one query (`read_facts`). A section asked for its context without them (a test, another page) is
given None and reads its own with `facts_of`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, IntegerField, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import HttpRequest
from django.template import Engine, RequestContext
from django.utils.safestring import SafeString

from cases.capabilities import CaseCapabilities
from cases.models import Case

Facts = Mapping[str, Any]
SectionContext = Callable[[Any, Case, CaseCapabilities, Facts | None], dict[str, Any] | None]
SectionFacts = Callable[[Any, Case, CaseCapabilities], dict[str, Any]]


@dataclass(frozen=True)
class CaseSection:
    name: str
    order: int  # smaller first
    template: str
    context: SectionContext
    facts: SectionFacts | None = None  # named SQL expressions on the case's row, read with the page's


_SECTIONS: dict[str, CaseSection] = {}


def register(section: CaseSection) -> None:
    """Add (or replace, on a reload) a section of the case page."""
    _SECTIONS[section.name] = section


def _in_order() -> list[CaseSection]:
    return sorted(_SECTIONS.values(), key=lambda section: (section.order, section.name))


def facts_of(case: Case, expressions: Mapping[str, Any]) -> dict[str, Any]:
    """The values of named SQL expressions on the case's row: one query (none when nothing is asked)."""
    if not expressions:
        return {}
    return dict(Case.objects.filter(pk=case.pk).annotate(**expressions).values(*expressions).get())


def count_of(records: QuerySet[Any]) -> Coalesce:
    """A fact: how many of `records` (filtered on `case=OuterRef("pk")`) there are, 0 for none."""
    counted = records.order_by().values("case").annotate(total=Count("pk")).values("total")
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


@dataclass(frozen=True)
class CaseFacts:
    """The page's own facts and each section's, read together."""

    page: dict[str, Any]
    sections: dict[str, dict[str, Any]] = field(default_factory=dict)


def read_facts(user: Any, case: Case, caps: CaseCapabilities, *, page: Mapping[str, Any]) -> CaseFacts:
    """The page's facts (`page`: named expressions) and every registered section's, in one query."""
    expressions: dict[str, Any] = {f"page_{name}": expression for name, expression in page.items()}
    wanted: dict[str, dict[str, str]] = {}
    for number, section in enumerate(_in_order()):
        asked = section.facts(user, case, caps) if section.facts is not None else {}
        wanted[section.name] = {name: f"section{number}_{name}" for name in asked}
        expressions.update({f"section{number}_{name}": expression for name, expression in asked.items()})
    values = facts_of(case, expressions)
    return CaseFacts(
        page={name: values[f"page_{name}"] for name in page},
        sections={name: {fact: values[alias] for fact, alias in aliases.items()} for name, aliases in wanted.items()},
    )


def render_sections(
    request: HttpRequest, case: Case, caps: CaseCapabilities, facts: CaseFacts | None = None
) -> list[SafeString]:
    """The registered sections this person may see, rendered in order (their facts read first, if not given).

    They share one request context, so the context processors run once for all of them (as for an include).
    """
    if facts is None:
        facts = read_facts(request.user, case, caps, page={})
    shown = []
    for section in _in_order():
        values = section.context(request.user, case, caps, facts.sections.get(section.name, {}))
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
