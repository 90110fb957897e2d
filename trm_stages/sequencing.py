"""Sequencing, "the right thing at the right time": does a planned intervention suit the child's stage?

Formulation recommendations and review actions both call `check_sequencing`; the rule lives here only.
`hint_rules` hands its answers to the page, so static/ecm/sequencing.js can show the warning as soon
as an intervention or a stage is chosen; the services still judge it again on submit.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol


class ThresholdLike(Protocol):
    @property
    def below_stage(self) -> int: ...

    @property
    def name(self) -> str: ...


@dataclass(frozen=True)
class SequencingResult:
    suits: bool  # True: no warning, no justification needed
    warning: str = ""
    threshold_not_crossed: str = ""  # the threshold that gates the intervention, when one lies between

    @property
    def needs_justification(self) -> bool:
        return not self.suits


def check_sequencing(
    *, current_stage: int | None, suits_from_stage: int, thresholds: Sequence[ThresholdLike]
) -> SequencingResult:
    """Judge an intervention that suits children from `suits_from_stage` for a child at `current_stage`.

    At or below the child's stage it suits. Above it, the warning names the threshold that gates
    the intervention (for example cognitive readiness for CBT at stage 2) and any lower threshold
    not crossed either. With no stage recorded yet, every intervention needs a justification.
    """
    if not 1 <= suits_from_stage <= 6:
        raise ValueError(f"A TRM stage is 1 to 6, not {suits_from_stage}")
    if current_stage is None:
        return SequencingResult(
            suits=False,
            warning="No TRM stage has been recorded for this child yet: say why this suits them now.",
        )
    if not 1 <= current_stage <= 6:
        raise ValueError(f"A TRM stage is 1 to 6, not {current_stage}")
    if suits_from_stage <= current_stage:
        return SequencingResult(suits=True)
    between = sorted(
        (threshold for threshold in thresholds if current_stage <= threshold.below_stage < suits_from_stage),
        key=lambda threshold: threshold.below_stage,
    )
    if between:
        # The threshold just below the intervention's stage is the one that gates it (cognitive
        # readiness for CBT); any lower ones the child has not crossed either are named after it.
        gate, *earlier = reversed(between)
        also = f" (nor yet {', '.join(threshold.name.lower() for threshold in earlier)})" if earlier else ""
        return SequencingResult(
            suits=False,
            warning=(
                f"This suits children from stage {suits_from_stage}; the child is at stage {current_stage} "
                f"and has not crossed the {gate.name.lower()} threshold{also}."
            ),
            threshold_not_crossed=gate.name,
        )
    return SequencingResult(
        suits=False,
        warning=f"This suits children from stage {suits_from_stage}; the child is at stage {current_stage}.",
    )


HINT_FOLLOW_UP = "Say why it is right now in the justification."


def hint_rules(results: Mapping[int, SequencingResult], interventions: Iterable[tuple[int, int]]) -> dict[str, Any]:
    """What the page's script needs (through `json_script`): the warning for each stage it might suit
    (blank when it suits the child), and the lowest stage of each intervention type by its id."""
    return {
        "stages": {str(stage): ("" if result.suits else result.warning) for stage, result in sorted(results.items())},
        "interventions": {str(pk): stage for pk, stage in interventions},
        "follow_up": HINT_FOLLOW_UP,
    }
