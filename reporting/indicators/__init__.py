"""Indicator definitions kept as versioned configuration, not code.

Each JSON file in this folder defines one funnel: a version number, its words, and its steps. A
step's `when` is a small condition on a case, read here into a database filter, so a definition
can change (and its version rise) without touching the queries. The conditions understood:

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
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ImproperlyConfigured
from django.db.models import Exists, OuterRef, Q

from accounts.models import AgencyKind
from cases.models import Consultation
from formulation.models import ActionStatus, Meeting, MeetingPurpose, MeetingStatus, Recommendation
from referrals.models import ComplexNeed, Referral
from trm_stages.models import ThriveGrouping, ThriveGroupingChoice

if TYPE_CHECKING:
    from reporting.scope import ReportScope

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


def condition_q(condition: dict[str, Any], scope: ReportScope) -> Q:
    """The database filter on cases that a (checked) condition stands for, judged by the end of the period."""
    [(name, argument)] = condition.items()
    if name == "any":
        combined = Q(pk__in=[])
        for part in argument:
            combined |= condition_q(part, scope)
        return combined
    if name == "all":
        combined = Q()
        for part in argument:
            combined &= condition_q(part, scope)
        return combined
    if name == "not":
        return ~condition_q(argument, scope)
    case = OuterRef("pk")
    if name == "referral_needs_any":
        referrals = Referral.objects.filter(case=case, complex_needs__overlap=argument, submitted_at__lt=scope.end_at)
        return Q(Exists(referrals))
    if name == "thrive_grouping_any":
        groupings = ThriveGrouping.objects.filter(case=case, grouping__in=argument, applies_from__lte=scope.end)
        return Q(Exists(groupings))
    if name == "action":
        actions = Recommendation.objects.filter(case=case, became_action_at__lt=scope.end_at)
        if "owner_agency_kinds" in argument:
            actions = actions.filter(owner_agency__kind__in=argument["owner_agency_kinds"])
        if "statuses" in argument:
            actions = actions.filter(status__in=argument["statuses"])
        return Q(Exists(actions))
    if name == "consultation":
        return Q(Exists(Consultation.objects.filter(case=case, held_on__lte=scope.end)))
    if name == "meeting":
        meetings = Meeting.objects.filter(case=case, status=MeetingStatus.HELD, starts_at__lt=scope.end_at)
        if "purposes" in argument:
            meetings = meetings.filter(purpose__in=argument["purposes"])
        return Q(Exists(meetings))
    raise ImproperlyConfigured(f"unknown condition '{name}'")
