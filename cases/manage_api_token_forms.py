"""The API token form of the administration area (/manage/api-tokens/). It never saves: the service does."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.db.models import Q, QuerySet

from accounts.api_tokens import DEFAULT_LIFETIME, ApiScope
from accounts.models import Agency, User
from core.forms import GovDateField, ServiceErrorsMixin


class ApiTokenForm(ServiceErrorsMixin, forms.Form):
    person = forms.CharField(
        label="Person or system account",
        help_text="Their username or e-mail address. For a system, invite a person to stand for it first "
        "(for example “Bristol YJS case system”)",
        max_length=254,
        error_messages={"required": "Enter the username or e-mail address of the person the token is for"},
    )
    agency = forms.ModelChoiceField(
        label="Agency",
        queryset=Agency.objects.none(),
        empty_label="Choose an agency",
        help_text="The token works while they are an active member of this agency",
        error_messages={"required": "Choose an agency", "invalid_choice": "Choose one of the agencies listed"},
    )
    name = forms.CharField(
        label="What the token is for",
        help_text="For example, the name of the system that will use it",
        max_length=100,
        error_messages={"required": "Enter what the token is for"},
    )
    scopes = forms.MultipleChoiceField(
        label="What the token may do",
        choices=[
            (ApiScope.READ, "Read: see what the person may see"),
            (ApiScope.WRITE, "Write: make changes as the person"),
        ],
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose what the token may do", "invalid_choice": "Choose read, write or both"},
    )
    expires_on = GovDateField(
        label="Expiry date",
        required=False,
        help_text=f"For example, 27 3 2027. Leave it empty for {DEFAULT_LIFETIME.days} days from today. A year at most",
    )

    service_fields = {"user": "person"}

    def __init__(self, *args: Any, agencies: QuerySet[Agency], people: QuerySet[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = agencies  # type: ignore[attr-defined]
        self.people = people

    def clean_person(self) -> User:
        text = self.cleaned_data["person"].strip()
        found = self.people.filter(Q(username__iexact=text) | Q(email__iexact=text)).first()
        if found is None:
            raise forms.ValidationError(
                "There is nobody with that username or e-mail address among the people you manage"
            )
        return found

    def clean_expires_on(self) -> dt.date | None:
        value: dt.date | None = self.cleaned_data.get("expires_on")
        return value
