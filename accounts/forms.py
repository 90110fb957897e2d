"""Input parsing and validation messages for sign-in, the second factor, forgotten passwords and the
access log filters."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm, SetPasswordForm

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


class SecurityCodeForm(forms.Form):
    """The 6-digit code an authenticator app shows (spaces allowed, as some apps show "123 456")."""

    code = forms.CharField(
        label="Security code",
        help_text="The 6-digit code your authenticator app shows for ECM",
        max_length=20,
        error_messages={"required": "Enter the 6-digit security code from your authenticator app"},
    )

    def clean_code(self) -> str:
        code = re.sub(r"[\s-]", "", self.cleaned_data["code"])
        if not re.fullmatch(r"\d{6}", code):
            raise forms.ValidationError("Enter the security code as 6 digits, like 123456")
        return code


class RecoveryCodeForm(forms.Form):
    code = forms.CharField(
        label="Recovery code",
        help_text="One of the 10 recovery codes you were given when you set up two-factor sign-in",
        max_length=40,
        error_messages={"required": "Enter one of your recovery codes"},
    )


class ForgottenPasswordForm(PasswordResetForm):
    """Django's reset form, refusing people who may not sign in here (inactive ones already are)."""

    email = forms.EmailField(
        label="Email address",
        max_length=254,
        help_text="The address your ECM account uses",
        error_messages={
            "required": "Enter your email address",
            "invalid": "Enter an email address in the correct format, like name@example.org",
        },
    )

    def get_users(self, email: str) -> Iterator[Any]:
        for user in super().get_users(email):
            if user.is_demo and not settings.DEMO_LOGINS_ALLOWED:
                continue
            yield user


class NewPasswordForm(SetPasswordForm):
    """Setting a new password: the project's password validators, GOV.UK wording."""

    error_anchor = "id_new_password1"
    error_messages = {**SetPasswordForm.error_messages, "password_mismatch": "The two passwords do not match"}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["new_password1"].label = "New password"
        self.fields["new_password1"].help_text = "At least 12 characters. Avoid common words and your name."
        self.fields["new_password1"].error_messages["required"] = "Enter a new password"
        self.fields["new_password2"].label = "Confirm new password"
        self.fields["new_password2"].help_text = ""
        self.fields["new_password2"].error_messages["required"] = "Enter the new password again"


class InvitationPasswordForm(SetPasswordForm):
    """Django's set-password form (the password validators run), with GOV.UK labels and messages."""

    error_anchor = "id_new_password1"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        first: forms.Field = self.fields["new_password1"]
        second: forms.Field = self.fields["new_password2"]
        first.label = "Create a password"
        first.help_text = "At least 12 characters. A few unrelated words together make a strong password."
        first.error_messages["required"] = "Enter a password"
        second.label = "Type the password again"
        second.help_text = ""
        second.error_messages["required"] = "Type the password again"
        self.error_messages = {**self.error_messages, "password_mismatch": "The two passwords do not match"}
