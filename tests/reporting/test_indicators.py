"""The indicator definitions are versioned configuration: read from JSON, checked when loaded."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured

from reporting.indicators import HERE, load_funnel, parse_funnel
from reporting.queries import funnel_counts
from tests.reporting.conftest import World


def shipped() -> dict[str, Any]:
    return json.loads((HERE / "mental_health.json").read_text(encoding="utf-8"))


def test_the_shipped_definitions_load_with_their_version() -> None:
    funnel = load_funnel("mental_health")
    assert funnel.version == shipped()["version"] >= 1
    assert [step.key for step in funnel.steps] == ["need_identified", "intervention_planned_or_offered", "attending"]
    assert all(step.definition for step in funnel.steps)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda raw: raw.pop("version"), "'version' is missing"),
        (lambda raw: raw.update(version="two"), "whole number"),
        (lambda raw: raw["steps"][0].update(when={"astrology": ["leo"]}), "unknown condition 'astrology'"),
        (lambda raw: raw["steps"][0].update(when={"referral_needs_any": ["sadness"]}), "unknown choices: sadness"),
        (lambda raw: raw["steps"][2].update(when={"action": {"colour": ["red"]}}), "has no option 'colour'"),
        (lambda raw: raw["steps"][1].update(when={"any": []}), "takes a list of conditions"),
        (lambda raw: raw["steps"][1].pop("label"), "step 2 has no label"),
    ],
)
def test_definitions_that_name_anything_unknown_are_refused(change: Any, message: str) -> None:
    raw = copy.deepcopy(shipped())
    change(raw)
    with pytest.raises(ImproperlyConfigured, match=message):
        parse_funnel(raw)


@pytest.mark.django_db
def test_a_new_version_changes_the_counts_without_touching_code(world: World) -> None:
    """Version 2 (invented here) drops THRIVE groupings from "need identified" and counts any action as offered."""
    raw = copy.deepcopy(shipped())
    raw["version"] = 2
    raw["steps"][0]["when"] = {"referral_needs_any": ["mental_health", "self_harm"]}
    raw["steps"][1]["when"] = {"action": {}}
    raw["steps"][2]["when"] = {"not": {"action": {"statuses": ["not_started"]}}}
    funnel = parse_funnel(raw)
    # Need: Ollie, Amara, Tegan, Lowen (Saffi only had the THRIVE grouping). Any signed-off action: Ollie, Amara,
    # Lowen (Tegan's case had consultations only). None of those three has an action not yet started.
    assert funnel_counts(world.scope(), funnel) == [4, 3, 3]
