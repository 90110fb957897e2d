"""Input parsing for the review, action and notification pages. Forms never save: services do."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet

from accounts.models import Agency
from cases.selectors import CasePerson
from core.forms import GovDateField, ServiceErrorsMixin
from formulation.models import ActionStatus
from reviews.models import DEFAULT_REVIEW_WEEKS, LONGEST_REVIEW_WEEKS, EmailPreference
from reviews.walkthrough import WalkthroughItem
from trm_stages.models import Goal, Stage

# (value, label, hint) of each e-mail a person can choose; the value is the EmailPreference field.
EMAIL_CHOICES = [
    (
        "send_email",
        "Reminders",
        "When something needs you: for example a referral waiting too long for your triage.",
    ),
    (
        "weekly_digest",
        "The weekly digest",
        "Once a week, what is waiting for you that week. Not sent in a week with nothing in it.",
    ),
]


class EmailPreferenceForm(forms.Form):
    emails = forms.MultipleChoiceField(
        label="Which e-mails do you want from ECM?",
        help_text="Select all that apply. Everything also appears in your notifications in ECM.",
        required=False,
        choices=[(value, label) for value, label, _ in EMAIL_CHOICES],
        widget=forms.CheckboxSelectMultiple,
    )

    @staticmethod
    def initial_for(preference: EmailPreference) -> dict[str, list[str]]:
        return {"emails": [value for value, _, _ in EMAIL_CHOICES if getattr(preference, value)]}

    def choices_with_hints(self) -> list[dict[str, object]]:
        """Each checkbox with its hint and whether it is ticked, for the template."""
        chosen = set(self["emails"].value() or [])
        return [
            {"value": value, "label": label, "hint": hint, "checked": value in chosen}
            for value, label, hint in EMAIL_CHOICES
        ]


# --- Reviews and actions ---------------------------------------------------------------------------

STATUS_CHOICES = ActionStatus.choices


class ReviewCadenceForm(ServiceErrorsMixin, forms.Form):
    every_weeks = forms.IntegerField(
        label="How many weeks between reviews?",
        help_text=f"Usually {DEFAULT_REVIEW_WEEKS}. The next review is proposed this long after the last one.",
        min_value=1,
        max_value=LONGEST_REVIEW_WEEKS,
        error_messages={
            "required": "Enter the number of weeks between reviews",
            "invalid": "Enter the number of weeks as a whole number, like 8",
            "min_value": f"Enter a number of weeks from 1 to {LONGEST_REVIEW_WEEKS}",
            "max_value": f"Enter a number of weeks from 1 to {LONGEST_REVIEW_WEEKS}",
        },
    )


class WalkthroughForm(ServiceErrorsMixin, forms.Form):
    """For each action the review walks through: its status now and a progress note."""

    def __init__(self, *args: Any, items: list[WalkthroughItem], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.items = items
        for item in items:
            action = item.action
            earlier = item.at_this_review
            self.fields[f"status_{action.pk}"] = forms.ChoiceField(
                label=f"Status of action {item.number}",
                choices=STATUS_CHOICES,
                widget=forms.RadioSelect,
                initial=earlier.status if earlier else action.status,
                error_messages={
                    "required": f"Choose the status of action {item.number}",
                    "invalid_choice": f"Choose the status of action {item.number}",
                },
            )
            self.fields[f"note_{action.pk}"] = forms.CharField(
                label=f"Progress on action {item.number}",
                help_text="What has happened since the last review, and what happens next",
                widget=forms.Textarea,
                max_length=5000,
                initial=earlier.note if earlier else "",
                error_messages={"required": f"Enter a progress note for action {item.number}"},
            )

    def rows(self) -> list[dict[str, Any]]:
        """Each action with its two bound fields, for the template."""
        return [
            {
                "item": item,
                "status": self[f"status_{item.action.pk}"],
                "note": self[f"note_{item.action.pk}"],
            }
            for item in self.items
        ]

    def entries(self) -> dict[int, tuple[str, str]]:
        data = self.cleaned_data
        return {
            item.action.pk: (data[f"status_{item.action.pk}"], data[f"note_{item.action.pk}"]) for item in self.items
        }


class GoalRatingsForm(ServiceErrorsMixin, forms.Form):
    """A score from 0 to 10 (and an optional note) for each open goal."""

    def __init__(self, *args: Any, goals: list[Goal], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.goals = goals
        for number, goal in enumerate(goals, start=1):
            message = f"Enter a score from 0 to 10 for goal {number}"
            self.fields[f"score_{goal.pk}"] = forms.IntegerField(
                label=f"Score for goal {number}, from 0 to 10",
                help_text="0 is not at all close to the goal, 10 is the goal reached",
                min_value=0,
                max_value=10,
                error_messages={"required": message, "invalid": message, "min_value": message, "max_value": message},
            )
            self.fields[f"note_{goal.pk}"] = forms.CharField(
                label=f"Note on goal {number} (optional)",
                widget=forms.Textarea,
                max_length=1000,
                required=False,
            )

    def rows(self) -> list[dict[str, Any]]:
        return [
            {"goal": goal, "number": number, "score": self[f"score_{goal.pk}"], "note": self[f"note_{goal.pk}"]}
            for number, goal in enumerate(self.goals, start=1)
        ]

    def ratings(self) -> dict[int, tuple[int | None, str]]:
        data = self.cleaned_data
        return {goal.pk: (data[f"score_{goal.pk}"], data.get(f"note_{goal.pk}") or "") for goal in self.goals}


SOMEONE_ELSE = "other"


class ReviewActionForm(ServiceErrorsMixin, forms.Form):
    """A new action: what, who (from the network and case team, or someone else), by when, and the
    lowest TRM stage it suits (with a justification when that is above the child's stage)."""

    text = forms.CharField(
        label="What is the action?",
        help_text="Write it so the owner knows what to do, for example: meet weekly at school to plan next steps",
        widget=forms.Textarea,
        max_length=2000,
        error_messages={"required": "Enter the action"},
    )
    owner = forms.ChoiceField(
        label="Who will do it?",
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose who will do this, or enter their name",
            "invalid_choice": "Choose who will do this from the list",
        },
    )
    other_name = forms.CharField(label="Full name", max_length=200, required=False)
    other_agency = forms.ModelChoiceField(
        label="Agency",
        queryset=Agency.objects.none(),
        required=False,
        empty_label="Not listed",
        error_messages={"invalid_choice": "Choose an agency from the list"},
    )
    other_agency_name = forms.CharField(label="Agency, if not listed", max_length=200, required=False)
    due_on = GovDateField(
        label="When is it due?",
        help_text="For example, 27 3 2026",
        error_messages={"required": "Enter the date the action is due"},
    )
    suits_from_stage = forms.TypedChoiceField(
        label="What is the lowest TRM stage this action suits?",
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose the lowest TRM stage this action suits",
            "invalid_choice": "Choose the lowest TRM stage this action suits",
        },
    )
    justification = forms.CharField(
        label="If it suits a later stage than the child's, why does it suit them now? (optional otherwise)",
        widget=forms.Textarea,
        max_length=2000,
        required=False,
    )

    service_fields = {"owner_agency": "other_agency"}

    def __init__(
        self,
        *args: Any,
        candidates: list[CasePerson],
        agencies: QuerySet[Agency],
        stages: list[Stage],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.candidates = {candidate.key: candidate for candidate in candidates}
        owner: Any = self.fields["owner"]
        owner.choices = [
            *((candidate.key, candidate.label) for candidate in candidates),
            (SOMEONE_ELSE, "Someone else"),
        ]
        other_agency: Any = self.fields["other_agency"]
        other_agency.queryset = agencies
        stage_field: Any = self.fields["suits_from_stage"]
        stage_field.choices = [(stage.number, f"Stage {stage.number}: {stage.name}") for stage in stages]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("owner") == SOMEONE_ELSE:
            if not (data.get("other_name") or "").strip():
                self.add_error("other_name", "Enter the full name of the person who will do this")
            if data.get("other_agency") is None and not (data.get("other_agency_name") or "").strip():
                self.add_error("other_agency", "Choose their agency, or enter its name")
        return data

    def owner_details(self) -> dict[str, Any]:
        """The owner as review_action_add takes it."""
        data = self.cleaned_data
        if data["owner"] == SOMEONE_ELSE:
            return {
                "owner": None,
                "owner_name": data["other_name"].strip(),
                "owner_agency": data.get("other_agency"),
                "owner_agency_name": (data.get("other_agency_name") or "").strip(),
            }
        candidate = self.candidates[data["owner"]]
        return {
            "owner": candidate.user,
            "owner_name": candidate.name,
            "owner_agency": candidate.agency,
            "owner_agency_name": candidate.agency_name,
        }


class ReviewOutcomeForm(ServiceErrorsMixin, forms.Form):
    childs_views = forms.CharField(
        label="The child's views",
        help_text="In the child's own words where you can: how things are, what has helped, what they want next. "
        "If they did not give their views, say why.",
        widget=forms.Textarea,
        max_length=20000,
        error_messages={"required": "Enter the child's views, or why they were not given"},
    )
    next_review_on = GovDateField(
        label="Date of the next review",
        help_text="For example, 27 3 2026",
        error_messages={"required": "Enter the date of the next review"},
    )


class ReviewSignOffForm(ServiceErrorsMixin, forms.Form):
    """No fields: carries the sign-off's problems to the error summary."""

    error_anchor = "steps"


class ActionProgressForm(ServiceErrorsMixin, forms.Form):
    status = forms.ChoiceField(
        label="What is the status of the action now?",
        choices=STATUS_CHOICES,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the status of the action"},
    )
    note = forms.CharField(
        label="What has happened?",
        help_text="What you have done since the last update, and what happens next",
        widget=forms.Textarea,
        max_length=5000,
        error_messages={"required": "Enter what has happened since the last update"},
    )
