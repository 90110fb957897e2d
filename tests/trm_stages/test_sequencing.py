"""The sequencing rule over every stage and every threshold."""

from __future__ import annotations

import json
from dataclasses import dataclass

import pytest

from trm_stages.sequencing import check_sequencing, hint_rules


@dataclass(frozen=True)
class T:
    below_stage: int
    name: str


THRESHOLDS = [
    T(1, "Readiness to build relationships with adults"),
    T(2, "Disclosure"),
    T(3, "Cognitive readiness"),
]
GATE = {2: "Readiness to build relationships with adults", 3: "Disclosure", 4: "Cognitive readiness"}


@pytest.mark.parametrize("current", range(1, 7))
@pytest.mark.parametrize("suits_from", range(1, 7))
def test_every_stage_against_every_intervention_stage(current: int, suits_from: int) -> None:
    result = check_sequencing(current_stage=current, suits_from_stage=suits_from, thresholds=THRESHOLDS)
    if suits_from <= current:
        assert result.suits and not result.needs_justification and result.warning == ""
        return
    assert not result.suits and result.needs_justification
    assert f"from stage {suits_from}" in result.warning and f"at stage {current}" in result.warning
    # The gating threshold is the highest one between the child's stage and the intervention's.
    gates = [threshold for threshold in THRESHOLDS if current <= threshold.below_stage < suits_from]
    if gates:
        assert result.threshold_not_crossed == gates[-1].name
        for threshold in gates:
            assert threshold.name.lower() in result.warning
    else:
        assert result.threshold_not_crossed == ""


def test_cbt_at_stage_two_names_cognitive_readiness() -> None:
    result = check_sequencing(current_stage=2, suits_from_stage=4, thresholds=THRESHOLDS)
    assert result.threshold_not_crossed == "Cognitive readiness"
    assert "has not crossed the cognitive readiness threshold (nor yet disclosure)" in result.warning


@pytest.mark.parametrize("threshold", THRESHOLDS)
def test_each_threshold_gates_the_stage_just_above_it(threshold: T) -> None:
    result = check_sequencing(
        current_stage=threshold.below_stage, suits_from_stage=threshold.below_stage + 1, thresholds=THRESHOLDS
    )
    assert result.threshold_not_crossed == threshold.name
    assert "nor yet" not in result.warning


def test_no_stage_recorded_needs_a_justification() -> None:
    result = check_sequencing(current_stage=None, suits_from_stage=1, thresholds=THRESHOLDS)
    assert result.needs_justification
    assert "No TRM stage has been recorded" in result.warning


@pytest.mark.parametrize(("current", "suits_from"), [(0, 1), (7, 1), (1, 0), (1, 7)])
def test_stages_outside_one_to_six_are_refused(current: int, suits_from: int) -> None:
    with pytest.raises(ValueError, match="A TRM stage is 1 to 6"):
        check_sequencing(current_stage=current, suits_from_stage=suits_from, thresholds=THRESHOLDS)


def test_the_hint_rules_give_the_page_the_same_warnings_the_server_checks() -> None:
    results = {
        stage: check_sequencing(current_stage=2, suits_from_stage=stage, thresholds=THRESHOLDS) for stage in range(1, 7)
    }
    rules = hint_rules(results, [(11, 4), (12, 1)])
    assert rules["stages"]["1"] == "" and rules["stages"]["2"] == ""
    assert rules["stages"]["4"] == results[4].warning and "cognitive readiness threshold" in rules["stages"]["4"]
    assert rules["interventions"] == {"11": 4, "12": 1}
    assert rules["follow_up"] == "Say why it is right now in the justification."
    json.dumps(rules)  # what json_script hands the page
