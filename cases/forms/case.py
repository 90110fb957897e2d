"""The case's own forms: finding and listing cases, its holder, closing and reopening, the child's details,
handing on a leaver's work, the contact frequency. Forms never save: services do."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet

from accounts.models import Role, User
from cases.models import (
    LONGEST_CONTACT_FREQUENCY_DAYS,
    CaseKind,
    CaseStatus,
    ClosureReason,
    Ethnicity,
    Gender,
    LegalStatus,
    LookedAfter,
)
from cases.services import CHILD_FIELDS
from core.forms import DateOfBirthField, ServiceErrorsMixin

YES_NO = [("yes", "Yes"), ("no", "No")]


class CaseListFilterForm(forms.Form):
    status = forms.ChoiceField(
        label="Status",
        required=False,
        choices=[(CaseStatus.OPEN, "Open"), (CaseStatus.CLOSED, "Closed"), ("", "All")],
    )
    kind = forms.ChoiceField(label="Kind of case", required=False, choices=[("", "Any"), *CaseKind.choices])
    mine = forms.BooleanField(label="Only my cases", required=False)


class CaseSearchForm(forms.Form):
    q = forms.CharField(
        label="Search for a child",
        help_text="Enter a name, a date of birth (like 17/05/2010) or an NHS or local reference",
        max_length=100,
        error_messages={"required": "Enter a name, a date of birth or a reference"},
    )

    DATE_FORMATS = ("%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%d %m %Y", "%Y-%m-%d", "%d %B %Y", "%d %b %Y")

    def clean_q(self) -> str:
        return re.sub(r"\s+", " ", self.cleaned_data["q"]).strip()

    @property
    def date_of_birth(self) -> dt.date | None:
        """The query read as a date of birth, when the whole of it is one."""
        text = self.cleaned_data.get("q", "")
        for date_format in self.DATE_FORMATS:
            try:
                return dt.datetime.strptime(text, date_format).date()  # noqa: DTZ007 - a calendar date, no time
            except ValueError:
                continue
        return None


class CaseHolderForm(ServiceErrorsMixin, forms.Form):
    new_holder = forms.ModelChoiceField(
        label="New case holder",
        help_text="Only case managers of the service that owns the case can hold it",
        queryset=User.objects.none(),
        empty_label="Choose a case manager",
        error_messages={"required": "Choose the new case holder", "invalid_choice": "Choose a case manager"},
    )
    reason = forms.CharField(
        label="Reason for the change",
        help_text="The reason is kept in the case holder history",
        widget=forms.Textarea,
        max_length=2000,
        error_messages={"required": "Enter the reason for the change"},
    )

    def __init__(self, *args: Any, case_managers: QuerySet[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: Any = self.fields["new_holder"]
        field.queryset = case_managers
        field.label_from_instance = lambda person: person.get_full_name() or person.username


class CaseCloseForm(ServiceErrorsMixin, forms.Form):
    reason = forms.ChoiceField(
        label="Why is the case closing?",
        choices=ClosureReason.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the reason for closing the case"},
    )
    outcome_summary = forms.CharField(
        label="Outcome summary",
        help_text="What changed for the child, in a few sentences",
        widget=forms.Textarea,
        max_length=20000,
        error_messages={"required": "Enter a summary of the outcome"},
    )
    ending_plan = forms.CharField(
        label="Ending plan (safety net)",
        help_text="Who the child and family can turn to after ECM, and how",
        widget=forms.Textarea,
        max_length=20000,
        error_messages={"required": "Enter the ending plan (the safety net after ECM)"},
    )


class CaseReopenForm(ServiceErrorsMixin, forms.Form):
    reason = forms.CharField(
        label="Why is the case reopening?",
        widget=forms.Textarea,
        max_length=2000,
        error_messages={"required": "Enter the reason for reopening the case"},
    )


class ChildDetailsForm(ServiceErrorsMixin, forms.Form):
    """The child's details, kept once for every case the child has."""

    given_name = forms.CharField(
        label="First name", max_length=100, error_messages={"required": "Enter the child's first name"}
    )
    family_name = forms.CharField(
        label="Last name", max_length=100, error_messages={"required": "Enter the child's last name"}
    )
    date_of_birth = DateOfBirthField(help_text="For example, 17 5 2010")
    reference = forms.CharField(label="NHS or local reference (optional)", max_length=40, required=False)
    gender = forms.ChoiceField(label="Gender", choices=Gender.choices, widget=forms.RadioSelect)
    ethnicity = forms.ChoiceField(label="Ethnic group", choices=Ethnicity.choices, widget=forms.RadioSelect)
    looked_after = forms.ChoiceField(
        label="Is the child looked after?", choices=LookedAfter.choices, widget=forms.RadioSelect
    )
    legal_status = forms.ChoiceField(
        label="Legal status or order", choices=LegalStatus.choices, widget=forms.RadioSelect
    )
    address_area = forms.CharField(label="Area the child lives in (optional)", max_length=100, required=False)
    school = forms.CharField(label="School, college or training (optional)", max_length=200, required=False)

    FIELDS = CHILD_FIELDS

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        date_of_birth = self.fields["date_of_birth"]
        assert isinstance(date_of_birth, DateOfBirthField)  # noqa: S101 - narrows the type for mypy
        date_of_birth.on_record = self.initial.get("date_of_birth")


class ChildCorrectionForm(ChildDetailsForm):
    """The child's details with a mistake corrected, and the statement of why they were wrong."""

    statement = forms.CharField(
        label="Why were the details wrong?",
        help_text="For example, the date of birth was typed wrongly at referral. It is kept with the correction",
        widget=forms.Textarea,
        max_length=2000,
        error_messages={"required": "Enter why the details were wrong"},
    )


class WorkReassignForm(forms.Form):
    """A leaver's or mover's work to hand on: which items (all by default), to whom, and one reason."""

    items = forms.MultipleChoiceField(
        label="Work to hand on",
        error_messages={
            "required": "Choose at least one case or action to hand on",
            "invalid_choice": "Choose cases and actions from the list (the list changed: check it again)",
        },
    )
    to_person = forms.ModelChoiceField(
        label="Colleague who will take it on",
        help_text="For cases, a case manager of the service that owns them; for actions, someone who sees the case",
        queryset=User.objects.none(),
        empty_label="Choose a colleague",
        error_messages={
            "required": "Choose the colleague who will take the work on",
            "invalid_choice": "Choose a colleague from the list",
        },
    )
    reason = forms.CharField(
        label="Reason",
        help_text="For example, Sam has left the service. It is kept in each case's holder history",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Enter the reason for handing the work on"},
    )
    error_anchor = "id_to_person"

    def __init__(self, *args: Any, item_keys: list[str], colleagues: QuerySet[User], **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"items": item_keys})
        super().__init__(*args, **kwargs)
        items_field: Any = self.fields["items"]
        items_field.choices = [(key, key) for key in item_keys]
        person_field: Any = self.fields["to_person"]
        person_field.queryset = colleagues
        person_field.label_from_instance = _colleague_label

    def clean_reason(self) -> str:
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise ValidationError("Enter the reason for handing the work on")
        return reason


def _colleague_label(person: Any) -> str:
    role = Role(person.role_label).label if getattr(person, "role_label", None) else ""
    details = ", ".join(part for part in (role, getattr(person, "agency_label", "") or "") if part)
    name = person.get_full_name() or person.username
    return f"{name} ({details})" if details else name


class ContactFrequencyForm(ServiceErrorsMixin, forms.Form):
    days = forms.IntegerField(
        label="Days between contacts",
        help_text="A contact is overdue when this many days have passed since the last one. Fourteen is usual.",
        min_value=1,
        max_value=LONGEST_CONTACT_FREQUENCY_DAYS,
        error_messages={
            "required": "Enter how many days may pass between contacts",
            "invalid": "Enter the number of days as a whole number, like 14",
            "min_value": "Enter 1 day or more",
            "max_value": f"Enter {LONGEST_CONTACT_FREQUENCY_DAYS} days or fewer",
        },
    )
