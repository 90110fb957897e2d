"""The report filters: a period and the services to include (only ever those the person may see)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.db.models import QuerySet

from accounts.models import Agency, AgencyKind
from core.forms import GovDateField, ServiceErrorsMixin
from reporting import comparison
from reporting.scope import LONGEST_PERIOD_YEARS


class _ChosenFromEvaluated(forms.models.ModelChoiceIterator):
    """The services' checkboxes from the services already read for the page, not from a second query."""

    def __iter__(self) -> Any:
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for agency in self.queryset:  # the queryset's own rows, once read
            yield self.choice(agency)


class ReportFilterForm(forms.Form):
    start = GovDateField(
        label="Start of the period",
        help_text="For example, 1 4 2025",
        required=False,
        error_messages={"required": "Enter the first day of the period"},
    )
    end = GovDateField(
        label="End of the period",
        help_text="For example, 31 3 2026",
        required=False,
        error_messages={"required": "Enter the last day of the period"},
    )
    agencies = forms.ModelMultipleChoiceField(
        label="Services",
        help_text="Leave every box clear to include every service you may see",
        queryset=Agency.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        error_messages={"invalid_choice": "Choose services from the list", "invalid_pk_value": "Choose services"},
    )
    compare = forms.ChoiceField(
        label="Compare with",
        choices=comparison.CHOICES,
        initial=comparison.DEFAULT,
        required=False,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": "Choose what to compare the figures with"},
    )

    def __init__(self, *args: Any, allowed: QuerySet[Agency], default_period: tuple[dt.date, dt.date], **kwargs: Any):
        super().__init__(*args, **kwargs)
        field: Any = self.fields["agencies"]
        field.iterator = _ChosenFromEvaluated  # before the queryset, which hands the widget its choices
        field.queryset = allowed
        self.default_period = default_period
        # The services chosen (none: every service the person may see), set by the view once valid.
        self.chosen_ids: list[int] = []

    @property
    def allowed(self) -> list[Agency]:
        """Every service the person may see, read once for the checkboxes and the scope."""
        return list(self.fields["agencies"].queryset)  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if "start" in self.errors or "end" in self.errors:
            return data
        data["compare"] = data.get("compare") or comparison.DEFAULT
        start = data.get("start") or self.default_period[0]
        end = data.get("end") or self.default_period[1]
        if end < start:
            self.add_error("end", "The end of the period must be the same as or after its start")
        elif end.year - start.year > LONGEST_PERIOD_YEARS or (
            end.year - start.year == LONGEST_PERIOD_YEARS and (end.month, end.day) >= (start.month, start.day)
        ):
            self.add_error("start", f"The period must be shorter than {LONGEST_PERIOD_YEARS} years")
        data["start"], data["end"] = start, end
        return data


class CommissioningForm(ServiceErrorsMixin, forms.Form):
    """A commissioning body and a youth justice service whose figures it will see."""

    commissioner_agency = forms.ModelChoiceField(
        label="Commissioning body",
        queryset=Agency.objects.filter(kind=AgencyKind.COMMISSIONER, is_active=True),
        empty_label="Choose a commissioning body",
        error_messages={"required": "Choose a commissioning body", "invalid_choice": "Choose one of the bodies listed"},
    )
    yjs = forms.ModelChoiceField(
        label="Youth justice service",
        queryset=Agency.objects.filter(kind=AgencyKind.YOUTH_JUSTICE, is_active=True),
        empty_label="Choose a youth justice service",
        error_messages={
            "required": "Choose a youth justice service",
            "invalid_choice": "Choose one of the services listed",
        },
    )
