"""Input parsing and validation messages for the THRIVE grouping and goal pages. Forms never save: services do."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms

from core.forms import GovDateField, ServiceErrorsMixin, not_in_future
from trm_stages.models import THRIVE_DESCRIPTIONS, GoalStatus, RatingContext, ThriveGroupingChoice

SCORE_ERRORS = {
    "required": "Enter a score from 0 to 10",
    "invalid": "The score must be a whole number from 0 to 10",
    "min_value": "The score must be from 0 to 10",
    "max_value": "The score must be from 0 to 10",
}
SCORE_HINT = "0 means not at all close to the goal, 10 means the goal has been reached"


def _score_field(label: str) -> forms.IntegerField:
    return forms.IntegerField(label=label, help_text=SCORE_HINT, min_value=0, max_value=10, error_messages=SCORE_ERRORS)


class ThriveGroupingForm(ServiceErrorsMixin, forms.Form):
    grouping = forms.ChoiceField(
        label="Which THRIVE grouping describes the child's needs now?",
        choices=ThriveGroupingChoice.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the THRIVE grouping", "invalid_choice": "Choose the THRIVE grouping"},
    )
    applies_from = GovDateField(
        label="Date the grouping applies from",
        help_text="For example, 27 3 2025",
        error_messages={"required": "Enter the date the grouping applies from"},
    )
    reason = forms.CharField(
        label="Reason",
        help_text="In a sentence or two: what about the child's needs puts them in this grouping",
        widget=forms.Textarea,
        max_length=1000,
        error_messages={
            "required": "Enter the reason for the grouping",
            "max_length": "The reason must be 1000 characters or fewer",
        },
    )

    def clean_applies_from(self) -> dt.date:
        applies_from: dt.date = self.cleaned_data["applies_from"]
        not_in_future(applies_from, "The date the grouping applies from")
        return applies_from

    def grouping_options(self) -> list[dict[str, Any]]:
        """The radios with their hints (the shared radios include has no hints)."""
        chosen = self["grouping"].value()
        return [
            {
                "value": value,
                "label": label,
                "hint": THRIVE_DESCRIPTIONS[value],
                "checked": chosen == value,
                "id": self["grouping"].auto_id + ("" if index == 0 else f"-{index + 1}"),
            }
            for index, (value, label) in enumerate(ThriveGroupingChoice.choices)
        ]


class GoalForm(ServiceErrorsMixin, forms.Form):
    text = forms.CharField(
        label="The goal, in the child's own words",
        help_text="Write it as the child said it, for example “I want to get to school on time every day”",
        widget=forms.Textarea,
        max_length=500,
        error_messages={
            "required": "Enter the goal in the child's own words",
            "max_length": "The goal must be 500 characters or fewer",
        },
    )
    set_by = forms.CharField(
        label="Who set the goal",
        help_text="For example, Kai with Sam Okafor",
        max_length=200,
        error_messages={
            "required": "Enter who set the goal, for example Kai with Sam Okafor",
            "max_length": "Who set the goal must be 200 characters or fewer",
        },
    )
    set_on = GovDateField(
        label="Date the goal was set",
        help_text="For example, 27 3 2025",
        error_messages={"required": "Enter the date the goal was set"},
    )
    start_score = _score_field("Start rating: how close does the child feel to the goal now?")
    start_note = forms.CharField(
        label="Note on the start rating (optional)",
        widget=forms.Textarea,
        max_length=1000,
        required=False,
        error_messages={"max_length": "The note must be 1000 characters or fewer"},
    )

    def clean_set_on(self) -> dt.date:
        set_on: dt.date = self.cleaned_data["set_on"]
        not_in_future(set_on, "The date the goal was set")
        return set_on


class GoalRatingForm(ServiceErrorsMixin, forms.Form):
    rated_on = GovDateField(
        label="Date of the rating",
        help_text="For example, 27 3 2025",
        error_messages={"required": "Enter the date of the rating"},
    )
    score = _score_field("How close does the child feel to the goal now?")
    context = forms.ChoiceField(
        label="When was the rating given?",
        choices=[(RatingContext.REVIEW, "At a review"), (RatingContext.OTHER, "At another time")],
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose when the rating was given",
            "invalid_choice": "Choose when the rating was given",
        },
    )
    note = forms.CharField(
        label="Note (optional)",
        widget=forms.Textarea,
        max_length=1000,
        required=False,
        error_messages={"max_length": "The note must be 1000 characters or fewer"},
    )

    def clean_rated_on(self) -> dt.date:
        rated_on: dt.date = self.cleaned_data["rated_on"]
        not_in_future(rated_on, "The date of the rating")
        return rated_on


class GoalCloseForm(ServiceErrorsMixin, forms.Form):
    status = forms.ChoiceField(
        label="Was the goal achieved or stopped?",
        choices=[(GoalStatus.ACHIEVED, "Achieved"), (GoalStatus.STOPPED, "Stopped")],
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose whether the goal was achieved or stopped",
            "invalid_choice": "Choose whether the goal was achieved or stopped",
        },
    )
    closed_on = GovDateField(
        label="Date the goal ended",
        help_text="For example, 27 3 2025",
        error_messages={"required": "Enter the date the goal ended"},
    )
    note = forms.CharField(
        label="Note (optional)",
        help_text="For example, why the goal was stopped, or what helped",
        widget=forms.Textarea,
        max_length=1000,
        required=False,
        error_messages={"max_length": "The note must be 1000 characters or fewer"},
    )

    def clean_closed_on(self) -> dt.date:
        closed_on: dt.date = self.cleaned_data["closed_on"]
        not_in_future(closed_on, "The date the goal ended")
        return closed_on
