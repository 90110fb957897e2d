"""Input parsing and validation messages for sign-in and the access log filters."""

from __future__ import annotations

from django import forms
from django.contrib.auth.forms import AuthenticationForm

from accounts.models import AccessAction


class SignInForm(AuthenticationForm):
    error_anchor = "id_username"
    error_messages = {
        "invalid_login": "Enter a correct username and password. Both are case-sensitive.",
        "inactive": "This account is not active. Ask your service administrator.",
    }

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["username"].error_messages["required"] = "Enter your username"
        self.fields["password"].error_messages["required"] = "Enter your password"


class AccessLogFilterForm(forms.Form):
    person = forms.CharField(label="Person (username or surname)", required=False, max_length=150)
    case = forms.IntegerField(
        label="Case number", required=False, min_value=1, error_messages={"invalid": "Enter a case number"}
    )
    action = forms.ChoiceField(label="Action", required=False, choices=[("", "Any"), *AccessAction.choices])
