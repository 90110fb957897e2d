"""The subject access request's forms: finding the child, and the request's details. Forms never save."""

from __future__ import annotations

from django import forms

from core.forms import GovDateField, PastDateField, ServiceErrorsMixin
from data_rights.models import Requester


class FindChildForm(forms.Form):
    """The child's full name and date of birth, exactly: the person handling the request must know both."""

    given_name = forms.CharField(
        label="First name", max_length=100, error_messages={"required": "Enter the child's first name"}
    )
    family_name = forms.CharField(
        label="Last name", max_length=100, error_messages={"required": "Enter the child's last name"}
    )
    # Not bounded to 25 like a referral's: a young adult may ask for what was held about them as a child.
    date_of_birth = PastDateField(
        label="Date of birth", min_year=1900, error_messages={"required": "Enter the child's date of birth"}
    )


class SubjectAccessRequestForm(ServiceErrorsMixin, forms.Form):
    reference = forms.CharField(
        label="Request reference",
        max_length=100,
        help_text="Your organisation's reference for the request, for example from the information governance log.",
        error_messages={"required": "Enter the request's reference"},
    )
    requester = forms.ChoiceField(
        label="Who made the request",
        choices=Requester.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select who made the request"},
    )
    requester_name = forms.CharField(
        label="Their name", max_length=200, error_messages={"required": "Enter the name of the person who asked"}
    )
    received_on = PastDateField(
        label="Date the request was received",
        min_year=2000,
        help_text="For example, 27 3 2026. The response is due one calendar month later.",
        error_messages={"required": "Enter the date the request was received"},
    )
    notes = forms.CharField(
        label="What was asked for, and how identity and authority were checked (optional)",
        required=False,
        max_length=5000,
        widget=forms.Textarea,
    )


class RetentionKeepForm(ServiceErrorsMixin, forms.Form):
    """Keep a record for now: why, and when it is reviewed again."""

    reason = forms.CharField(
        label="Why the record is kept",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Enter why the record is kept"},
    )
    next_review_on = GovDateField(
        label="Next review date",
        help_text="For example, 1 6 2028.",
        error_messages={"required": "Enter the next review date"},
    )


class ReasonForm(ServiceErrorsMixin, forms.Form):
    """A legal hold placed or lifted: the reason is required."""

    reason = forms.CharField(
        label="Reason",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Enter the reason"},
    )
