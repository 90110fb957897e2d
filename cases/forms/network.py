"""The professional network's forms: searching for a person, adding someone, sharing the summary."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet

from accounts.models import Agency
from cases.forms.case import YES_NO
from core.forms import ServiceErrorsMixin


class NetworkSearchForm(forms.Form):
    """Find someone with an ECM account by name or e-mail: never a list of everyone."""

    q = forms.CharField(
        label="Search by name or e-mail address",
        help_text="Enter at least 2 characters. People of the agencies that already work with the child come first.",
        max_length=100,
        min_length=2,
        error_messages={
            "required": "Enter their name or e-mail address",
            "min_length": "Enter at least 2 characters of their name or e-mail address",
        },
    )

    def clean_q(self) -> str:
        text = " ".join(self.cleaned_data["q"].split())
        if len(text) < 2:
            raise ValidationError("Enter at least 2 characters of their name or e-mail address")
        return text


class NetworkPersonForm(forms.Form):
    """Someone with an ECM account, chosen from the search: their network role and whether they see the summary."""

    role = forms.CharField(
        label="Role in the child's network",
        help_text="For example, designated teacher, social worker or school nurse. Leave it blank for their job title",
        max_length=200,
        required=False,
    )
    may_see_summary = forms.BooleanField(
        label="They may see the shared summary of this case",
        help_text="They will see the child's name, the service, the case holder and the network, and nothing from "
        "contacts.",
        required=False,
    )
    # Set by the confirmation page for someone of another youth justice service.
    confirmed = forms.BooleanField(required=False, widget=forms.HiddenInput)


class NetworkMemberForm(ServiceErrorsMixin, forms.Form):
    """A professional without an ECM account: their details, typed in. They cannot see the shared summary."""

    name = forms.CharField(label="Full name", max_length=200, required=False)
    agency = forms.ModelChoiceField(
        label="Agency",
        queryset=Agency.objects.none(),
        required=False,
        empty_label="Not listed",
        error_messages={"invalid_choice": "Choose an agency from the list"},
    )
    agency_name = forms.CharField(label="Agency, if not listed", max_length=200, required=False)
    email = forms.EmailField(
        label="E-mail", required=False, error_messages={"invalid": "Enter an e-mail address like name@example.org"}
    )
    phone = forms.CharField(label="Phone", max_length=40, required=False)
    role = forms.CharField(
        label="Role in the child's network",
        help_text="For example, designated teacher, social worker or school nurse",
        max_length=200,
        required=False,
    )

    def __init__(self, *args: Any, agencies: QuerySet[Agency], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        agency_field: Any = self.fields["agency"]
        agency_field.queryset = agencies

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if not data.get("name"):
            self.add_error("name", "Enter the full name of someone not on ECM (or search for their ECM account above)")
        if not data.get("role"):
            self.add_error("role", "Enter their role in the child's network")
        if not data.get("agency") and not data.get("agency_name"):
            self.add_error("agency", "Choose their agency, or enter its name if it is not listed")
        return data

    def member_fields(self) -> dict[str, Any]:
        """The cleaned input as network_member_add takes it."""
        data = self.cleaned_data
        return {
            "user": None,
            "name": data.get("name") or "",
            "agency": data.get("agency"),
            "agency_name": data.get("agency_name") or "",
            "role": data.get("role") or "",
            "email": data.get("email") or "",
            "phone": data.get("phone") or "",
            "may_see_summary": False,
        }


class NetworkSharingForm(forms.Form):
    may_see_summary = forms.TypedChoiceField(
        label="May they see the shared summary of this case?",
        choices=YES_NO,
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        error_messages={"required": "Choose yes or no"},
    )
