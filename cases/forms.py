"""Input parsing and validation messages for the case pages. Forms never save: services do."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils import timezone

from accounts.models import Agency, Role, User
from cases.models import (
    LONGEST_CONTACT_FREQUENCY_DAYS,
    CaseEventKind,
    CaseKind,
    CaseStatus,
    ClosureReason,
    ContactKind,
    Ethnicity,
    Gender,
    LegalStatus,
    LookedAfter,
)
from cases.selectors import ChronologyFilters
from cases.services import CHILD_FIELDS
from core.forms import DATE_PARTS, DateOfBirthField, GovDateField, ServiceErrorsMixin, not_in_future

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


class ContactForm(ServiceErrorsMixin, forms.Form):
    occurred_on = GovDateField(
        label="Date of the contact",
        help_text="For example, 27 3 2025",
        error_messages={"required": "Enter the date of the contact"},
    )
    occurred_time = forms.TimeField(
        label="Time",
        help_text="Use the 24-hour clock, for example 14:30",
        input_formats=["%H:%M", "%H.%M", "%H%M", "%I:%M%p", "%I:%M %p", "%I%p", "%I %p"],
        error_messages={"required": "Enter the time of the contact", "invalid": "Enter the time like 14:30"},
    )
    kind = forms.ChoiceField(
        label="Type of contact",
        choices=ContactKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the type of contact"},
    )
    with_whom = forms.CharField(
        label="With whom",
        help_text="For example, Kai and his mother",
        max_length=200,
        error_messages={"required": "Enter who the contact was with"},
    )
    duration_minutes = forms.IntegerField(
        label="Duration in minutes",
        required=False,
        min_value=0,
        max_value=24 * 60,
        error_messages={
            "invalid": "Enter the duration as a number of minutes, like 45",
            "min_value": "The duration must be 0 minutes or more",
            "max_value": "The duration must be 1440 minutes (a day) or less",
        },
    )
    note = forms.CharField(
        label="Note",
        widget=forms.Textarea,
        max_length=20000,
        error_messages={"required": "Enter a note of the contact"},
    )
    restricted = forms.BooleanField(
        label="This is a restricted note",
        help_text="For example, a safeguarding disclosure. Only the case holder and the ECM clinicians will see it.",
        required=False,
    )
    significant = forms.BooleanField(
        label="This is a significant event",
        help_text="It is tagged in the chronology, and kept when the chronology shows significant events only.",
        required=False,
    )

    service_fields = {"occurred_at": "occurred_on"}

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        day, time = data.get("occurred_on"), data.get("occurred_time")
        if day is not None and time is not None:
            occurred_at = timezone.make_aware(dt.datetime.combine(day, time))
            if occurred_at > timezone.now() + dt.timedelta(minutes=5):
                self.add_error("occurred_on", "The date and time of the contact must be in the past")
            data["occurred_at"] = occurred_at
        return data

    def contact_fields(self) -> dict[str, Any]:
        """The cleaned input as contact_log takes it."""
        data = self.cleaned_data
        names = ("occurred_at", "kind", "with_whom", "note", "duration_minutes", "restricted", "significant")
        return {name: data[name] for name in names}


class ContactCorrectionForm(ServiceErrorsMixin, forms.Form):
    text = forms.CharField(
        label="Correction or addition",
        help_text="The original note stays as it was. Your correction is shown beneath it with your name and the time.",
        widget=forms.Textarea,
        max_length=20000,
        error_messages={"required": "Enter the correction or addition"},
    )
    reason = forms.CharField(
        label="Why does the note need correcting?",
        help_text="For example, the age was misheard on the call. It is kept with the correction",
        widget=forms.Textarea,
        max_length=2000,
        error_messages={"required": "Enter why the note needed correcting"},
    )


class ConsultationForm(ServiceErrorsMixin, forms.Form):
    held_on = GovDateField(
        label="Date of the consultation",
        help_text="For example, 27 3 2025",
        error_messages={"required": "Enter the date of the consultation"},
    )
    attendees = forms.CharField(
        label="Who attended",
        help_text="Names and roles, for example Sam Okafor (case manager)",
        max_length=2000,
        error_messages={"required": "Enter who attended"},
    )
    question = forms.CharField(
        label="The question brought",
        widget=forms.Textarea,
        max_length=20000,
        error_messages={"required": "Enter the question the practitioners brought"},
    )
    advice = forms.CharField(
        label="Advice given", widget=forms.Textarea, max_length=20000, error_messages={"required": "Enter the advice"}
    )
    follow_up = forms.CharField(label="Follow-up (optional)", widget=forms.Textarea, max_length=20000, required=False)
    minutes_spent = forms.IntegerField(
        label="Minutes spent",
        min_value=1,
        max_value=24 * 60,
        error_messages={
            "required": "Enter the minutes spent",
            "invalid": "Enter the minutes spent as a number, like 60",
            "min_value": "The minutes spent must be 1 or more",
            "max_value": "The minutes spent must be 1440 (a day) or less",
        },
    )

    def clean_held_on(self) -> dt.date:
        held_on: dt.date = self.cleaned_data["held_on"]
        not_in_future(held_on, "The date of the consultation")
        return held_on


class ChronologyFilterForm(forms.Form):
    """The chronology's filters, read from the page's GET (every one optional; an unknown kind is ignored)."""

    q = forms.CharField(
        label="Search the entries",
        help_text="Words in what happened, for example school",
        max_length=200,
        required=False,
        error_messages={"max_length": "The search must be 200 characters or fewer"},
    )
    date_from = GovDateField(label="Date from", help_text="For example, 27 3 2025", required=False)
    date_to = GovDateField(label="Date to", help_text="For example, 30 6 2025", required=False)
    kind = forms.MultipleChoiceField(
        label="Show only",
        choices=CaseEventKind.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    significant = forms.BooleanField(label="Significant events only", required=False)

    # The GET parameters that mean the page was filtered (the date boxes come as <name>_day, _month, _year).
    PARAMETERS = frozenset(
        {"q", "kind", "significant"} | {f"{name}_{part}" for name in ("date_from", "date_to") for part in DATE_PARTS}
    )

    def __init__(self, data: Any = None, **kwargs: Any) -> None:
        if data is not None:
            data = data.copy()
            known = set(CaseEventKind.values)
            data.setlist("kind", [kind for kind in data.getlist("kind") if kind in known])
        super().__init__(data, **kwargs)

    @classmethod
    def from_query(cls, query: Any) -> ChronologyFilterForm:
        """Bound when the query holds any filter, unbound (nothing filtered) otherwise."""
        return cls(query if cls.PARAMETERS & set(query.keys()) else None)

    def clean_q(self) -> str:
        return re.sub(r"\s+", " ", self.cleaned_data["q"]).strip()

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", "Date to must be the same as or after date from")
        return data

    def filters(self) -> ChronologyFilters:
        """What the valid filters narrow the chronology to (an invalid one is left out, and explained)."""
        if not self.is_bound:
            return ChronologyFilters()
        self.is_valid()
        data = self.cleaned_data
        dates_wrong = "date_from" in self.errors or "date_to" in self.errors  # a half-right range is no range
        return ChronologyFilters(
            kinds=tuple(data.get("kind") or ()),
            date_from=None if dates_wrong else data.get("date_from"),
            date_to=None if dates_wrong else data.get("date_to"),
            search=data.get("q") or "",
            significant_only=bool(data.get("significant")),
        )


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
