"""Merging two records of the same child: finding the other record, and choosing each differing detail."""

from __future__ import annotations

from typing import Any

from django import forms

from cases.services.merges import MERGED, SURVIVOR, Difference
from core.forms import ServiceErrorsMixin


class MergeFindForm(forms.Form):
    """The other record's case number, when it is not among the possible duplicates offered."""

    case_number = forms.IntegerField(
        label="Case number of the other record",
        help_text="The number after “Case” on the other record's page, for example 1042",
        min_value=1,
        max_value=2**63 - 1,
        error_messages={
            "required": "Enter the case number of the other record",
            "invalid": "Enter the case number as digits, for example 1042",
            "min_value": "Enter the case number as digits, for example 1042",
            "max_value": "Enter the case number as digits, for example 1042",
        },
    )


class MergeForm(ServiceErrorsMixin, forms.Form):
    """One choice per differing detail (this record's value or the other's) and the reason for the merge."""

    reason = forms.CharField(
        label="Why are these records of the same child?",
        help_text=(
            "For example, referred twice: the second referral spelt the family name differently. Kept with the merge"
        ),
        widget=forms.Textarea,
        max_length=2000,
        error_messages={"required": "Enter why these are records of the same child"},
    )

    def __init__(self, *args: Any, differences: list[Difference], survivor_id: int, merged_id: int, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.differences = differences
        choice_fields: dict[str, forms.Field] = {}
        for difference in differences:
            choice_fields[difference.key] = forms.ChoiceField(
                label=difference.label,
                choices=[
                    (SURVIVOR, f"{difference.survivor} (case {survivor_id}, kept)"),
                    (MERGED, f"{difference.merged} (case {merged_id}, merged)"),
                ],
                widget=forms.RadioSelect,
                error_messages={"required": f"Choose which {difference.label.lower()} to keep"},
            )
        # The choices first, in the page's order, then the reason.
        self.fields = {**choice_fields, "reason": self.fields["reason"]}

    def choices(self) -> dict[str, str]:
        return {difference.key: self.cleaned_data[difference.key] for difference in self.differences}
