"""Forms for the case's records: contacts and their corrections, consultations, the chronology's filters."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django import forms
from django.utils import timezone

from cases.models import (
    CaseEventKind,
    ContactKind,
)
from cases.selectors import ChronologyFilters
from core.forms import DATE_PARTS, GovDateField, ServiceErrorsMixin, not_in_future


class ContactForm(ServiceErrorsMixin, forms.Form):
    occurred_on = GovDateField(
        label="Date of the contact",
        help_text="For example, 27 3 2025",
        error_messages={"required": "Enter the date of the contact"},
    )
    occurred_time = forms.TimeField(
        label="Time",
        help_text="Use the 24-hour clock, for example 14:30",
        input_formats=["%H:%M", "%H.%M", "%H%M", "%I:%M%p", "%I:%M %p", "%I%p", "%I %p"],
        error_messages={"required": "Enter the time of the contact", "invalid": "Enter the time like 14:30"},
    )
    kind = forms.ChoiceField(
        label="Type of contact",
        choices=ContactKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the type of contact"},
    )
    with_whom = forms.CharField(
        label="With whom",
        help_text="For example, Kai and his mother",
        max_length=200,
        error_messages={"required": "Enter who the contact was with"},
    )
    duration_minutes = forms.IntegerField(
        label="Duration in minutes",
        required=False,
        min_value=0,
        max_value=24 * 60,
        error_messages={
            "invalid": "Enter the duration as a number of minutes, like 45",
            "min_value": "The duration must be 0 minutes or more",
            "max_value": "The duration must be 1440 minutes (a day) or less",
        },
    )
    note = forms.CharField(
        label="Note",
        widget=forms.Textarea,
        max_length=20000,
        error_messages={"required": "Enter a note of the contact"},
    )
    restricted = forms.BooleanField(
        label="This is a restricted note",
        help_text="For example, a safeguarding disclosure. Only the case holder and the ECM clinicians will see it.",
        required=False,
    )
    significant = forms.BooleanField(
        label="This is a significant event",
        help_text="It is tagged in the chronology, and kept when the chronology shows significant events only.",
        required=False,
    )

    service_fields = {"occurred_at": "occurred_on"}

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        day, time = data.get("occurred_on"), data.get("occurred_time")
        if day is not None and time is not None:
            occurred_at = timezone.make_aware(dt.datetime.combine(day, time))
            if occurred_at > timezone.now() + dt.timedelta(minutes=5):
                self.add_error("occurred_on", "The date and time of the contact must be in the past")
            data["occurred_at"] = occurred_at
        return data

    def contact_fields(self) -> dict[str, Any]:
        """The cleaned input as contact_log takes it."""
        data = self.cleaned_data
        names = ("occurred_at", "kind", "with_whom", "note", "duration_minutes", "restricted", "significant")
        return {name: data[name] for name in names}


class ContactCorrectionForm(ServiceErrorsMixin, forms.Form):
    text = forms.CharField(
        label="Correction or addition",
        help_text="The original note stays as it was. Your correction is shown beneath it with your name and the time.",
        widget=forms.Textarea,
        max_length=20000,
        error_messages={"required": "Enter the correction or addition"},
    )
    reason = forms.CharField(
        label="Why does the note need correcting?",
        help_text="For example, the age was misheard on the call. It is kept with the correction",
        widget=forms.Textarea,
        max_length=2000,
        error_messages={"required": "Enter why the note needed correcting"},
    )


class ConsultationForm(ServiceErrorsMixin, forms.Form):
    held_on = GovDateField(
        label="Date of the consultation",
        help_text="For example, 27 3 2025",
        error_messages={"required": "Enter the date of the consultation"},
    )
    attendees = forms.CharField(
        label="Who attended",
        help_text="Names and roles, for example Sam Okafor (case manager)",
        max_length=2000,
        error_messages={"required": "Enter who attended"},
    )
    question = forms.CharField(
        label="The question brought",
        widget=forms.Textarea,
        max_length=20000,
        error_messages={"required": "Enter the question the practitioners brought"},
    )
    advice = forms.CharField(
        label="Advice given", widget=forms.Textarea, max_length=20000, error_messages={"required": "Enter the advice"}
    )
    follow_up = forms.CharField(label="Follow-up (optional)", widget=forms.Textarea, max_length=20000, required=False)
    minutes_spent = forms.IntegerField(
        label="Minutes spent",
        min_value=1,
        max_value=24 * 60,
        error_messages={
            "required": "Enter the minutes spent",
            "invalid": "Enter the minutes spent as a number, like 60",
            "min_value": "The minutes spent must be 1 or more",
            "max_value": "The minutes spent must be 1440 (a day) or less",
        },
    )

    def clean_held_on(self) -> dt.date:
        held_on: dt.date = self.cleaned_data["held_on"]
        not_in_future(held_on, "The date of the consultation")
        return held_on


class ChronologyFilterForm(forms.Form):
    """The chronology's filters, read from the page's GET (every one optional; an unknown kind is ignored)."""

    q = forms.CharField(
        label="Search the entries",
        help_text="Words in what happened, for example school",
        max_length=200,
        required=False,
        error_messages={"max_length": "The search must be 200 characters or fewer"},
    )
    date_from = GovDateField(label="Date from", help_text="For example, 27 3 2025", required=False)
    date_to = GovDateField(label="Date to", help_text="For example, 30 6 2025", required=False)
    kind = forms.MultipleChoiceField(
        label="Show only",
        choices=CaseEventKind.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    significant = forms.BooleanField(label="Significant events only", required=False)

    # The GET parameters that mean the page was filtered (the date boxes come as <name>_day, _month, _year).
    PARAMETERS = frozenset(
        {"q", "kind", "significant"} | {f"{name}_{part}" for name in ("date_from", "date_to") for part in DATE_PARTS}
    )

    def __init__(self, data: Any = None, **kwargs: Any) -> None:
        if data is not None:
            data = data.copy()
            known = set(CaseEventKind.values)
            data.setlist("kind", [kind for kind in data.getlist("kind") if kind in known])
        super().__init__(data, **kwargs)

    @classmethod
    def filtered(cls, query: Any) -> bool:
        """Does the query hold any filter?"""
        return any(name in cls.PARAMETERS for name in query)

    @classmethod
    def from_query(cls, query: Any) -> ChronologyFilterForm:
        """Bound when the query holds any filter, unbound (nothing filtered) otherwise."""
        return cls(query if cls.filtered(query) else None)

    def clean_q(self) -> str:
        return re.sub(r"\s+", " ", self.cleaned_data["q"]).strip()

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", "Date to must be the same as or after date from")
        return data

    def filters(self) -> ChronologyFilters:
        """What the valid filters narrow the chronology to (an invalid one is left out, and explained)."""
        if not self.is_bound:
            return ChronologyFilters()
        self.is_valid()
        data = self.cleaned_data
        dates_wrong = "date_from" in self.errors or "date_to" in self.errors  # a half-right range is no range
        return ChronologyFilters(
            kinds=tuple(data.get("kind") or ()),
            date_from=None if dates_wrong else data.get("date_from"),
            date_to=None if dates_wrong else data.get("date_to"),
            search=data.get("q") or "",
            significant_only=bool(data.get("significant")),
        )
