"""Indicator definitions kept as versioned configuration, not code.

Each JSON file in this folder defines one funnel: a version number, its words, and its steps. A
step's `when` is a small condition on a case, read here into a database filter, so a definition
can change (and its version rise) without touching the queries (`ConditionSql` writes it as SQL).
The conditions understood:

- ``{"referral_needs_any": [<referral need>, ...]}``: the case's referral names one of these needs;
- ``{"thrive_grouping_any": [<grouping>, ...]}``: the case was placed in one of these THRIVE groupings;
- ``{"action": {"owner_agency_kinds": [...], "statuses": [...]}}``: a signed-off recommendation or
  action on the case, optionally owned by one of these kinds of agency, optionally in one of these states;
- ``{"consultation": {}}``: the ECM psychologist gave a consultation on the case;
- ``{"meeting": {"purposes": [...]}}``: a meeting of one of these purposes was held;
- ``{"any": [...]}``, ``{"all": [...]}``, ``{"not": {...}}``: combinations.

Everything is judged by the end of the period; an action's state is its state today.
A definition that names anything else is refused when it is loaded.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from django.core.exceptions import ImproperlyConfigured

from accounts.models import AgencyKind
from formulation.models import ActionStatus, MeetingPurpose, MeetingStatus
from referrals.models import ComplexNeed
from trm_stages.models import ThriveGroupingChoice

HERE = Path(__file__).resolve().parent

# For each condition with a list of choices: the choices it may name.
CHOICE_LISTS: dict[str, list[str]] = {
    "referral_needs_any": list(ComplexNeed.values),
    "thrive_grouping_any": list(ThriveGroupingChoice.values),
}
OPTION_LISTS: dict[str, dict[str, list[str]]] = {
    "action": {"owner_agency_kinds": list(AgencyKind.values), "statuses": list(ActionStatus.values)},
    "consultation": {},
    "meeting": {"purposes": list(MeetingPurpose.values)},
}


@dataclass(frozen=True)
class FunnelStep:
    key: str
    label: str
    definition: str
    condition: dict[str, Any]


@dataclass(frozen=True)
class Funnel:
    indicator: str
    version: int
    title: str
    based_on: str
    population: str
    steps: tuple[FunnelStep, ...]


@cache
def load_funnel(name: str = "mental_health") -> Funnel:
    """Read and check one funnel's definitions from `<name>.json` in this folder."""
    path = HERE / f"{name}.json"
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise ImproperlyConfigured(f"Indicator definitions {path.name} cannot be read: {error}") from error
    return parse_funnel(raw, source=path.name)


def parse_funnel(raw: dict[str, Any], *, source: str = "definitions") -> Funnel:
    """Turn a definitions document into a Funnel, refusing anything this module does not understand."""
    for key in ("indicator", "version", "title", "based_on", "population", "steps"):
        if key not in raw:
            raise ImproperlyConfigured(f"{source}: '{key}' is missing")
    if not isinstance(raw["version"], int) or raw["version"] < 1:
        raise ImproperlyConfigured(f"{source}: 'version' must be a whole number from 1")
    if not raw["steps"]:
        raise ImproperlyConfigured(f"{source}: a funnel needs at least one step")
    steps = []
    for position, step in enumerate(raw["steps"], start=1):
        missing = [key for key in ("key", "label", "definition", "when") if key not in step]
        if missing:
            raise ImproperlyConfigured(f"{source}: step {position} has no {', '.join(missing)}")
        check_condition(step["when"], where=f"{source}: step {position}")
        steps.append(FunnelStep(step["key"], step["label"], step["definition"], step["when"]))
    return Funnel(
        indicator=raw["indicator"],
        version=raw["version"],
        title=raw["title"],
        based_on=raw["based_on"],
        population=raw["population"],
        steps=tuple(steps),
    )


def check_condition(condition: Any, *, where: str) -> None:
    """Refuse a condition this module cannot read, saying where it is and what is wrong."""
    if not isinstance(condition, dict) or len(condition) != 1:
        raise ImproperlyConfigured(f"{where}: a condition is an object with exactly one name")
    [(name, argument)] = condition.items()
    if name in ("any", "all"):
        if not isinstance(argument, list) or not argument:
            raise ImproperlyConfigured(f"{where}: '{name}' takes a list of conditions")
        for part in argument:
            check_condition(part, where=where)
    elif name == "not":
        check_condition(argument, where=where)
    elif name in CHOICE_LISTS:
        _check_choices(argument, CHOICE_LISTS[name], where=f"{where}: '{name}'")
    elif name in OPTION_LISTS:
        if not isinstance(argument, dict):
            raise ImproperlyConfigured(f"{where}: '{name}' takes an object of options")
        for option, value in argument.items():
            if option not in OPTION_LISTS[name]:
                raise ImproperlyConfigured(f"{where}: '{name}' has no option '{option}'")
            _check_choices(value, OPTION_LISTS[name][option], where=f"{where}: '{name}.{option}'")
    else:
        raise ImproperlyConfigured(f"{where}: unknown condition '{name}'")


def _check_choices(value: Any, allowed: list[str], *, where: str) -> None:
    if not isinstance(value, list) or not value:
        raise ImproperlyConfigured(f"{where} takes a list of choices")
    unknown = [choice for choice in value if choice not in allowed]
    if unknown:
        raise ImproperlyConfigured(f"{where} names unknown choices: {', '.join(map(str, unknown))}")


class ConditionSql:
    """Writes checked conditions as SQL on a case row aliased `c`, collecting their parameters.

    Only placeholders are written in: the model tables' (``{referral}``..., as reporting/queries
    formats them) and named parameters (``%(funnel_0)s``..., beside the report's own). Everything is
    judged by the end of the period (``%(end)s``, ``%(end_at)s``).
    """

    def __init__(self) -> None:
        self.params: dict[str, Any] = {}

    def _param(self, value: list[str]) -> str:
        name = f"funnel_{len(self.params)}"
        self.params[name] = list(value)
        return f"%({name})s"

    def sql(self, condition: dict[str, Any]) -> str:
        [(name, argument)] = condition.items()
        if name == "any":
            return "(" + " OR ".join(self.sql(part) for part in argument) + ")"
        if name == "all":
            return "(" + " AND ".join(self.sql(part) for part in argument) + ")"
        if name == "not":
            return f"(NOT {self.sql(argument)})"
        if name == "referral_needs_any":
            needs = self._param(argument)
            return (
                "EXISTS (SELECT 1 FROM {referral} r WHERE r.case_id = c.id"  # noqa: S608 - placeholders only
                f" AND r.complex_needs && {needs}::varchar[] AND r.submitted_at < %(end_at)s)"
            )
        if name == "thrive_grouping_any":
            groupings = self._param(argument)
            return (
                "EXISTS (SELECT 1 FROM {thrive} t WHERE t.case_id = c.id"  # noqa: S608 - placeholders only
                f" AND t.grouping = ANY({groupings}) AND t.applies_from <= %(end)s)"
            )
        if name == "action":
            joins, where = "", ""
            if "owner_agency_kinds" in argument:
                joins = " JOIN {agency} owner ON owner.id = a.owner_agency_id"
                where += f" AND owner.kind = ANY({self._param(argument['owner_agency_kinds'])})"
            if "statuses" in argument:
                where += f" AND a.status = ANY({self._param(argument['statuses'])})"
            return (
                "EXISTS (SELECT 1 FROM {recommendation} a" + joins + " WHERE a.case_id = c.id"  # noqa: S608 - placeholders only
                " AND a.became_action_at < %(end_at)s" + where + ")"
            )
        if name == "consultation":
            return "EXISTS (SELECT 1 FROM {consultation} k WHERE k.case_id = c.id AND k.held_on <= %(end)s)"
        if name == "meeting":
            where = ""
            if "purposes" in argument:
                where = f" AND m.purpose = ANY({self._param(argument['purposes'])})"
            return (
                "EXISTS (SELECT 1 FROM {meeting} m WHERE m.case_id = c.id"  # noqa: S608 - placeholders only
                f" AND m.status = '{MeetingStatus.HELD.value}' AND m.starts_at < %(end_at)s" + where + ")"
            )
        raise ImproperlyConfigured(f"unknown condition '{name}'")
