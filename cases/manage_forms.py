"""Input parsing and validation messages for the administration area (/manage/). Forms never save: services do."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet

from accounts.models import CLINICIAN_ROLES, Agency, AgencyKind, Role, User
from core.forms import ServiceErrorsMixin

STATUS_CHOICES = [("", "Active and inactive"), ("active", "Active"), ("inactive", "Inactive")]


def _agency_field(label: str, **kwargs: Any) -> forms.ModelChoiceField:
    return forms.ModelChoiceField(
        label=label,
        queryset=Agency.objects.none(),
        error_messages={"required": "Choose an agency", "invalid_choice": "Choose one of the agencies listed"},
        **kwargs,
    )


def role_choices(*, may_grant_service_administrator: bool) -> list[tuple[str, str]]:
    """Every role, less the service administrator for someone who may not grant it."""
    return [
        (value, label)
        for value, label in Role.choices
        if may_grant_service_administrator or value != Role.ADMINISTRATOR
    ]


class PeopleFilterForm(forms.Form):
    q = forms.CharField(label="Name, username or e-mail", required=False, max_length=100)
    agency = _agency_field("Agency", required=False, empty_label="Any agency")
    role = forms.ChoiceField(label="Role", required=False, choices=[("", "Any role"), *Role.choices])
    status = forms.ChoiceField(label="Status", required=False, choices=STATUS_CHOICES)

    def __init__(self, *args: Any, agencies: QuerySet[Agency], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = agencies  # type: ignore[attr-defined]


class _RoleInAgencyForm(ServiceErrorsMixin, forms.Form):
    agency = _agency_field("Agency")
    role = forms.ChoiceField(
        label="Role",
        help_text="The role must fit the kind of agency: a case manager belongs to a youth justice service, "
        "a psychologist or senior practitioner to the ECM team",
        error_messages={"required": "Choose a role", "invalid_choice": "Choose one of the roles listed"},
    )

    def __init__(self, *args: Any, agencies: QuerySet[Agency], may_grant_service_administrator: bool, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = agencies  # type: ignore[attr-defined]
        role: Any = self.fields["role"]
        role.choices = [
            ("", "Choose a role"),
            *role_choices(may_grant_service_administrator=may_grant_service_administrator),
        ]


class InviteForm(_RoleInAgencyForm):
    first_name = forms.CharField(label="First name", max_length=150, error_messages={"required": "Enter a first name"})
    last_name = forms.CharField(label="Last name", max_length=150, error_messages={"required": "Enter a last name"})
    email = forms.EmailField(
        label="E-mail address",
        help_text="The invitation goes to this address. Use their work address",
        error_messages={
            "required": "Enter an e-mail address",
            "invalid": "Enter an e-mail address in the correct format, like name@example.org",
        },
    )
    job_title = forms.CharField(label="Job title (optional)", max_length=200, required=False)

    field_order = ["first_name", "last_name", "email", "job_title", "agency", "role"]


class MembershipAddForm(_RoleInAgencyForm):
    pass


class MembershipRoleForm(ServiceErrorsMixin, forms.Form):
    role = forms.ChoiceField(
        label="New role",
        error_messages={"required": "Choose the new role", "invalid_choice": "Choose one of the roles listed"},
    )

    def __init__(self, *args: Any, may_grant_service_administrator: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        role: Any = self.fields["role"]
        role.choices = [
            ("", "Choose a role"),
            *role_choices(may_grant_service_administrator=may_grant_service_administrator),
        ]


class AgencyForm(ServiceErrorsMixin, forms.Form):
    name = forms.CharField(label="Name", max_length=200, error_messages={"required": "Enter the agency's name"})
    kind = forms.ChoiceField(
        label="Kind of agency",
        help_text="The kind decides which roles its people can have",
        choices=[("", "Choose a kind"), *AgencyKind.choices],
        error_messages={"required": "Choose the kind of agency"},
    )


class AgencyChangeForm(ServiceErrorsMixin, forms.Form):
    name = forms.CharField(label="Name", max_length=200, error_messages={"required": "Enter the agency's name"})
    partner_mfa_required = forms.BooleanField(
        label="Partner professionals must sign in with a second factor",
        help_text="Staff roles always need a second factor. Leave this on unless the agency signs its "
        "partners in through its own identity provider, which checks a second factor itself",
        required=False,
    )


class CoverageForm(ServiceErrorsMixin, forms.Form):
    clinician = forms.ModelChoiceField(
        label="Clinician",
        queryset=User.objects.none(),
        empty_label="Choose a psychologist or senior practitioner",
        error_messages={"required": "Choose a clinician", "invalid_choice": "Choose one of the clinicians listed"},
    )
    yjs = _agency_field("Youth justice service", empty_label="Choose a youth justice service")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        clinician: Any = self.fields["clinician"]
        clinician.queryset = User.objects.filter(
            is_active=True, memberships__role__in=CLINICIAN_ROLES, memberships__is_active=True
        ).distinct()
        clinician.label_from_instance = lambda person: person.get_full_name() or person.username
        yjs: Any = self.fields["yjs"]
        yjs.queryset = Agency.objects.filter(kind=AgencyKind.YOUTH_JUSTICE, is_active=True)
        yjs.error_messages["required"] = "Choose a youth justice service"
