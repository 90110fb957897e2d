"""Input parsing for the notification pages. Forms never save: services do."""

from __future__ import annotations

from django import forms

from reviews.models import EmailPreference

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
