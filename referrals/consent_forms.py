"""The consent forms of the case's Consent panel: record consent, record a withdrawal, record a lawful basis to
continue sharing (referrals/consent_views.py). The services check everything again (referrals/consent.py)."""

from __future__ import annotations

from typing import Any

from django import forms

from core.forms import PastDateField, ServiceErrorsMixin
from referrals.consent import METHODS, MIN_EXPLANATION
from referrals.consent_models import ConsentFrom, ConsentKind, ConsentPurpose, LawfulBasis


class _WhoHowWhat(ServiceErrorsMixin, forms.Form):
    given_by = forms.ChoiceField(
        label="Who gave it?",
        choices=ConsentFrom.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose who gave it: the child, or a parent or carer"},
    )
    given_by_name = forms.CharField(
        label="Their name and relationship to the child (needed for a parent or carer)",
        max_length=200,
        required=False,
        help_text="For example “Dee Marlow, mother”",
    )
    method = forms.ChoiceField(
        label="How was it given?",
        choices=METHODS,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose how it was given: verbally, in writing or on a signed form"},
    )
    purposes = forms.MultipleChoiceField(
        label="What is it for?",
        choices=ConsentPurpose.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text="Select all that apply.",
        error_messages={"required": "Choose what it is for"},
    )
    on = PastDateField(
        label="When was it given?",
        help_text="For example, 27 3 2026",
        min_year=2000,
    )
    explanation = forms.CharField(label="Notes (optional)", required=False, widget=forms.Textarea)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("given_by") == ConsentFrom.PARENT_CARER and not str(data.get("given_by_name", "")).strip():
            self.add_error("given_by_name", "Enter the parent's or carer's name and their relationship to the child")
        return data


class ConsentRecordForm(_WhoHowWhat):
    field_order = ["kind", "given_by", "given_by_name", "method", "purposes", "on", "explanation"]
    kind = forms.ChoiceField(
        label="Was consent given or refused?",
        choices=[(ConsentKind.GIVEN, "Given"), (ConsentKind.REFUSED, "Refused")],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose whether consent was given or refused"},
    )


class ConsentWithdrawForm(_WhoHowWhat):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["given_by"].label = "Who withdrew it?"
        self.fields["given_by"].error_messages["required"] = "Choose who withdrew it: the child, or a parent or carer"
        self.fields["method"].label = "How was it withdrawn?"
        self.fields["purposes"].label = "What is consent withdrawn for?"
        self.fields["on"].label = "When was it withdrawn?"


class LawfulBasisForm(ServiceErrorsMixin, forms.Form):
    basis = forms.ChoiceField(
        label="What is the lawful basis for sharing without consent?",
        choices=LawfulBasis.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the lawful basis for sharing without consent"},
    )
    explanation = forms.CharField(
        label="Why must sharing continue without consent?",
        widget=forms.Textarea,
        help_text=f"Write at least {MIN_EXPLANATION} characters. It is kept with the case and shown on it.",
        error_messages={"required": "Explain why sharing must continue without consent"},
    )

    def clean_explanation(self) -> str:
        text = str(self.cleaned_data["explanation"]).strip()
        if len(text) < MIN_EXPLANATION:
            raise forms.ValidationError(
                f"Explain why sharing must continue without consent, in at least {MIN_EXPLANATION} characters"
            )
        return text
