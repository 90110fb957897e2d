"""Input parsing and validation messages for referring a child and triaging the referral."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from accounts.models import Agency, Role, User
from cases.models import Ethnicity, Gender, LegalStatus, LookedAfter
from cases.services import CHILD_FIELDS
from core.forms import DateOfBirthField, PastDateField
from referrals.models import ComplexNeed, ConsentAnswer, Referral, TriageDecision, Urgency
from referrals.selectors import clinicians_covering


class FindChildForm(forms.Form):
    """Step one of referring: who is the child? Used to look for a record before a new one is made."""

    given_name = forms.CharField(
        label="First name", max_length=100, error_messages={"required": "Enter the child's first name"}
    )
    family_name = forms.CharField(
        label="Last name", max_length=100, error_messages={"required": "Enter the child's last name"}
    )
    date_of_birth = DateOfBirthField(help_text="For example, 27 3 2010")
    reference = forms.CharField(
        label="NHS number or local reference (optional)",
        max_length=40,
        required=False,
        help_text="If you have one. We use it to find a record the child may already have.",
    )
    referring_yjs = forms.ModelChoiceField(
        label="Which service are you referring from?",
        queryset=Agency.objects.none(),
        empty_label=None,
        error_messages={"required": "Choose the service you are referring from"},
    )

    def __init__(self, *args: Any, services: list[Agency], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["referring_yjs"]
        assert isinstance(field, forms.ModelChoiceField)  # noqa: S101 - narrows the type for mypy
        field.queryset = Agency.objects.filter(pk__in=[service.pk for service in services]).order_by("name")
        self.several_services = len(services) > 1
        self.only_service = services[0] if len(services) == 1 else None
        if self.only_service is not None:
            field.initial = self.only_service.pk
            field.required = False

    def clean_referring_yjs(self) -> Agency | None:
        return self.cleaned_data.get("referring_yjs") or self.only_service


class NewChildForm(FindChildForm):
    """Step two, for a child ECM does not know yet: the rest of the child's one record."""

    gender = forms.ChoiceField(
        label="Gender",
        choices=Gender.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the child's gender, or “Not known”"},
    )
    ethnicity = forms.ChoiceField(
        label="Ethnic group",
        choices=Ethnicity.choices,
        widget=forms.RadioSelect,
        help_text="The five groups of the 2021 census",
        error_messages={"required": "Choose the child's ethnic group, or “Not known or not given”"},
    )
    looked_after = forms.ChoiceField(
        label="Is the child looked after?",
        choices=LookedAfter.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose whether the child is looked after, or “Not known”"},
    )
    legal_status = forms.ChoiceField(
        label="Legal status or order",
        choices=LegalStatus.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the child's legal status or order"},
    )
    address_area = forms.CharField(
        label="Area the child lives in (optional)",
        max_length=100,
        required=False,
        help_text="The neighbourhood or town, not the full address",
    )
    school = forms.CharField(label="School, college or training (optional)", max_length=200, required=False)
    confirm_new = forms.BooleanField(required=False)

    def child_fields(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in CHILD_FIELDS}


class ConfirmNewChildForm(forms.Form):
    """After a possible match: the referrer says this is a different child before a new record is made."""

    confirm_new = forms.BooleanField(
        label="I have checked: this is a different child, or the ECM team has told me to go on",
        error_messages={"required": "Confirm you have checked before you make a new record"},
    )


@dataclass(frozen=True)
class Section:
    slug: str
    title: str
    fields: tuple[str, ...]


SECTIONS: tuple[Section, ...] = (
    Section("reasons", "Why you are referring", ("reasons",)),
    Section("needs", "Areas of complex need", ("complex_needs",)),
    Section("risks", "Current risks", ("current_risks",)),
    Section("support", "Agencies involved and what has been tried", ("agencies_involved", "tried_before")),
    Section("urgency", "Urgency", ("urgency",)),
    Section(
        "consent",
        "Consent",
        ("child_consent", "carer_consent", "consent_covers_sharing", "consent_given_by", "consent_date"),
    ),
)
SECTION_BY_SLUG = {section.slug: section for section in SECTIONS}
SECTION_OF_FIELD = {name: section for section in SECTIONS for name in section.fields}
# Choice fields with a model default: an unanswered radio leaves the stored answer as it is.
KEEP_WHEN_BLANK = frozenset({"urgency", "child_consent", "carer_consent"})


class ReferralSectionForm(forms.Form):
    """One section of a draft referral. Nothing is required until the referral is submitted."""

    reasons = forms.CharField(
        label="Why are you referring this child to ECM?",
        required=False,
        widget=forms.Textarea,
        help_text="What worries you most, what has changed recently, and what you hope ECM will add.",
    )
    complex_needs = forms.MultipleChoiceField(
        label="Which areas of complex need apply?",
        required=False,
        choices=ComplexNeed.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text="ECM is for needs that are multiple, persistent and severe. Select all that apply.",
    )
    current_risks = forms.CharField(
        label="What are the current risks, to the child and to others?",
        required=False,
        widget=forms.Textarea,
    )
    agencies_involved = forms.CharField(
        label="Which agencies are involved now?",
        required=False,
        widget=forms.Textarea,
        help_text="For example school, children's social care, CAMHS, police. Name the people if you know them.",
    )
    tried_before = forms.CharField(
        label="What has been tried so far, and what happened?",
        required=False,
        widget=forms.Textarea,
    )
    urgency = forms.ChoiceField(
        label="How urgent is this referral?", required=False, choices=Urgency.choices, widget=forms.RadioSelect
    )
    child_consent = forms.ChoiceField(
        label="Has the child consented to the referral?",
        required=False,
        choices=[(value, label) for value, label in ConsentAnswer.choices if value != ConsentAnswer.NOT_APPLICABLE],
        widget=forms.RadioSelect,
    )
    carer_consent = forms.ChoiceField(
        label="Has a parent or carer consented to the referral?",
        required=False,
        choices=ConsentAnswer.choices,
        widget=forms.RadioSelect,
    )
    consent_covers_sharing = forms.BooleanField(
        label="The consent covers sharing information with the professionals around the child", required=False
    )
    consent_given_by = forms.CharField(
        label="Who gave consent?",
        max_length=200,
        required=False,
        help_text="Their names and relationship to the child, for example “Kai and his foster carer, Ann Lowe”",
    )
    consent_date = PastDateField(
        label="When was consent given?", required=False, help_text="For example, 27 3 2026", min_year=1000
    )

    def __init__(self, *args: Any, section: Section, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.section = section
        for name in list(self.fields):
            if name not in section.fields:
                del self.fields[name]

    @classmethod
    def initial_from(cls, referral: Referral, section: Section) -> dict[str, Any]:
        return {name: getattr(referral, name) for name in section.fields}

    def draft_fields(self) -> dict[str, Any]:
        """What to hand to referral_save_draft: every field of the section, bar unanswered radios."""
        return {
            name: value for name, value in self.cleaned_data.items() if not (name in KEEP_WHEN_BLANK and value == "")
        }


class ConsentOverrideForm(forms.Form):
    reason = forms.CharField(
        label="Why can the referral go ahead without full consent?",
        widget=forms.Textarea,
        min_length=20,
        help_text="Write at least 20 characters. The referrer and the triage team will read this.",
        error_messages={
            "required": "Enter the reason for the override",
            "min_length": "Give the reason for the override in at least 20 characters",
        },
    )

    def clean_reason(self) -> str:
        reason = str(self.cleaned_data["reason"]).strip()
        if len(reason) < 20:
            raise ValidationError("Give the reason for the override in at least 20 characters")
        return reason


class TriageDecisionForm(forms.Form):
    """The triage decision. Which answers are needed depends on the decision (the service checks too)."""

    decision = forms.ChoiceField(
        label="What is your decision?",
        choices=TriageDecision.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose a decision", "invalid_choice": "Choose a decision"},
    )
    psychologist = forms.ModelChoiceField(
        label="Psychologist for the formulation",
        queryset=User.objects.none(),
        required=False,
        empty_label="Choose a psychologist",
    )
    senior_practitioner = forms.ModelChoiceField(
        label="Senior practitioner for the formulation",
        queryset=User.objects.none(),
        required=False,
        empty_label="Choose a senior practitioner",
    )
    decision_reason = forms.CharField(
        label="If not accepted: why is the referral not accepted?", required=False, widget=forms.Textarea
    )
    signposting = forms.CharField(
        label="If not accepted: where could the referrer turn instead?",
        required=False,
        widget=forms.Textarea,
        help_text="Services, people or resources that may help, so the child is not left without support.",
    )

    def __init__(self, *args: Any, referral: Referral, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, role in (("psychologist", Role.PSYCHOLOGIST), ("senior_practitioner", Role.SENIOR_PRACTITIONER)):
            field = self.fields[name]
            assert isinstance(field, forms.ModelChoiceField)  # noqa: S101 - narrows the type for mypy
            field.queryset = clinicians_covering(referral.referring_yjs, role)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        decision = cleaned.get("decision")
        if decision == TriageDecision.FORMULATION:
            if not cleaned.get("psychologist") and "psychologist" not in self.errors:
                self.add_error("psychologist", "Choose the psychologist for the formulation")
            if not cleaned.get("senior_practitioner") and "senior_practitioner" not in self.errors:
                self.add_error("senior_practitioner", "Choose the senior practitioner for the formulation")
        if decision == TriageDecision.NOT_ACCEPTED:
            if not str(cleaned.get("decision_reason", "")).strip():
                self.add_error("decision_reason", "Enter why the referral is not accepted")
            if not str(cleaned.get("signposting", "")).strip():
                self.add_error("signposting", "Enter where the referrer could turn instead")
        return cleaned

    def service_arguments(self) -> dict[str, Any]:
        decision = self.cleaned_data["decision"]
        formulation = decision == TriageDecision.FORMULATION
        not_accepted = decision == TriageDecision.NOT_ACCEPTED
        return {
            "decision": decision,
            "psychologist": self.cleaned_data["psychologist"] if formulation else None,
            "senior_practitioner": self.cleaned_data["senior_practitioner"] if formulation else None,
            "reason": self.cleaned_data["decision_reason"] if not_accepted else "",
            "signposting": self.cleaned_data["signposting"] if not_accepted else "",
        }
