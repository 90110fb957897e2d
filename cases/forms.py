"""Input parsing for case pages."""

from __future__ import annotations

from django import forms

from cases.models import CaseStatus


class CaseListFilterForm(forms.Form):
    status = forms.ChoiceField(
        label="Status",
        required=False,
        choices=[(CaseStatus.OPEN, "Open"), (CaseStatus.CLOSED, "Closed"), ("", "All")],
    )
    mine = forms.BooleanField(label="Only cases I hold", required=False)
