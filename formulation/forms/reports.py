"""Input parsing and validation messages for the formulation report pages. Forms never save: services do."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone

from accounts.models import Agency
from cases.selectors import CasePerson
from core.forms import GovDateField, ServiceErrorsMixin
from formulation.models import COMMENT_PLACES, REPORT_SECTIONS, Recommendation
from formulation.selectors.reports import AFTER_FIVE_PS, BEFORE_FIVE_PS, FIVE_PS
from trm_stages.models import InterventionType

SECTION_MAX = 20000
# The editor's parts, each merged on its own when two people save (see report_save).
EDITOR_FIELDS = [*(name for name, _, _ in REPORT_SECTIONS), "trm_stage", "child_friendly_summary"]
OTHER_OWNER = "other"


def _plain(text: str) -> str:
    """Textareas post Windows line endings; keep one kind so versions compare word by word."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


@dataclass(frozen=True)
class EditorRow:
    """One field of the editor, with the saved text of whoever saved first when the save collided."""

    field: forms.BoundField
    theirs: str | None = None


STALE_PAGE = {
    "required": "This page did not say which version it was opened on: open it again, then save",
    "invalid": "This page did not say which version it was opened on: open it again, then save",
    "min_value": "This page did not say which version it was opened on: open it again, then save",
}


class ReportForm(ServiceErrorsMixin, forms.Form):
    """The structured editor: every section, the TRM stage and rationale, and the child-friendly summary."""

    revision = forms.IntegerField(widget=forms.HiddenInput, min_value=1, error_messages=STALE_PAGE)
    trm_stage = forms.TypedChoiceField(
        label="Which TRM stage is the child at?",
        coerce=int,
        empty_value=None,
        required=False,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": "Choose a stage from 1 to 6"},
    )
    child_friendly_summary = forms.CharField(
        label="Child-friendly summary (optional)",
        help_text="Written for the child and their family in plain, kind words: what we understand, what "
        "will help and who will do it. It is shown and printed on its own page.",
        widget=forms.Textarea,
        max_length=SECTION_MAX,
        required=False,
    )

    def __init__(self, *args: Any, stage_names: dict[int, str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, heading, guidance in REPORT_SECTIONS:
            self.fields[name] = forms.CharField(
                label=heading,
                help_text=_sentence(guidance.removeprefix("The five Ps: ")),
                widget=forms.Textarea,
                max_length=SECTION_MAX,
                required=False,
            )
        self.fields["trm_rationale"].label = "Rationale for the stage"
        stage: Any = self.fields["trm_stage"]
        stage.choices = [(number, f"Stage {number}: {stage_names.get(number, '')}") for number in range(1, 7)]
        # Per part, the text its box started from: the save merges three-way per part with it.
        for name in EDITOR_FIELDS:
            self.fields[f"base_{name}"] = forms.CharField(
                required=False, strip=False, widget=forms.HiddenInput(attrs={"data-autosave-base": name})
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for name in [*(name for name, _, _ in REPORT_SECTIONS), "child_friendly_summary"]:
            if name in data:
                data[name] = _plain(data[name])
        return data

    def report_fields(self) -> dict[str, Any]:
        """The cleaned input as report_save takes it."""
        data = self.cleaned_data
        fields = {name: data.get(name, "") for name, _, _ in REPORT_SECTIONS}
        fields["child_friendly_summary"] = data.get("child_friendly_summary", "")
        fields["trm_stage"] = data.get("trm_stage")
        return fields

    def started_from(self) -> dict[str, Any] | None:
        """What each part's box started from, as report_save takes it; None from a page without them."""
        if not all(f"base_{name}" in self.data for name in EDITOR_FIELDS):
            return None
        data = self.cleaned_data
        base: dict[str, Any] = {name: _plain(data.get(f"base_{name}") or "") for name in EDITOR_FIELDS}
        stage = base["trm_stage"].strip()
        base["trm_stage"] = int(stage) if stage.isdigit() else None
        return base

    def base_inputs(self) -> list[forms.BoundField]:
        return [self[f"base_{name}"] for name in EDITOR_FIELDS]

    def layout(self, theirs: dict[str, Any] | None = None) -> dict[str, list[EditorRow]]:
        """The editor's groups, each field with the other person's saved text when the save collided."""
        theirs = theirs or {}

        def rows(names: list[str]) -> list[EditorRow]:
            return [EditorRow(field=self[name], theirs=theirs.get(name)) for name in names]

        return {
            "before": rows(BEFORE_FIVE_PS),
            "five_ps": rows(FIVE_PS),
            "after": rows(AFTER_FIVE_PS),
            "trm": rows(["trm_stage", "trm_rationale"]),
            "summary": rows(["child_friendly_summary"]),
        }

    @staticmethod
    def initial_for(report: Any) -> dict[str, Any]:
        initial = {name: getattr(report, name) for name, _, _ in REPORT_SECTIONS}
        initial.update(
            revision=report.revision, trm_stage=report.trm_stage, child_friendly_summary=report.child_friendly_summary
        )
        initial.update(ReportForm.bases_for(report))
        return initial

    @staticmethod
    def bases_for(report: Any) -> dict[str, str]:
        """The hidden base_* inputs for a page showing `report` as saved."""
        return {
            f"base_{name}": ("" if getattr(report, name) is None else str(getattr(report, name)))
            for name in EDITOR_FIELDS
        }


class CommentForm(ServiceErrorsMixin, forms.Form):
    section = forms.ChoiceField(
        label="Which part of the report is it about?",
        required=False,
        error_messages={"invalid_choice": "Choose a section of the report, or the report as a whole"},
    )
    text = forms.CharField(
        label="Your comment",
        widget=forms.Textarea,
        max_length=5000,
        error_messages={"required": "Enter your comment"},
    )

    def __init__(self, *args: Any, answering: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        section: Any = self.fields["section"]
        section.choices = [("", "The report as a whole"), *COMMENT_PLACES.items()]
        if answering:
            self.fields["text"].label = "Your answer"
            self.fields["text"].error_messages["required"] = "Enter your answer"


class SignOffForm(ServiceErrorsMixin, forms.Form):
    """The revision the reviewer read: a version changed since is not signed off unseen. With comments
    not resolved or no formulation meeting held, the reviewer confirms they sign off all the same."""

    revision = forms.IntegerField(widget=forms.HiddenInput, min_value=1, error_messages=STALE_PAGE)
    confirmed = forms.BooleanField(label="I have weighed this and sign this version off all the same", required=False)
    error_anchor = "sign-off"


class SendBackForm(ServiceErrorsMixin, forms.Form):
    """A reviewer sends the version back to its author, saying what to change."""

    reason = forms.CharField(
        label="What does the author need to change?",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=5000,
        error_messages={"required": "Enter what the author needs to change"},
    )


class RecommendationForm(ServiceErrorsMixin, forms.Form):
    text = forms.CharField(
        label="What is recommended?",
        help_text="What will be done, with whom and how often",
        widget=forms.Textarea,
        max_length=2000,
        error_messages={"required": "Enter the recommendation"},
    )
    owner = forms.ChoiceField(
        label="Who will do it?",
        help_text="Someone in the child's network or the case team, or someone else",
        error_messages={"required": "Choose who will do it", "invalid_choice": "Choose someone from the list"},
    )
    owner_name = forms.CharField(label="Their name", max_length=200, required=False)
    owner_agency = forms.ModelChoiceField(
        label="Their agency",
        queryset=Agency.objects.none(),
        required=False,
        empty_label="Not listed",
        error_messages={"invalid_choice": "Choose an agency from the list"},
    )
    owner_agency_name = forms.CharField(label="Agency, if not listed", max_length=200, required=False)
    due_on = GovDateField(
        label="Due by", help_text="For example, 27 3 2026", error_messages={"required": "Enter the date it is due by"}
    )
    intervention_type = forms.ModelChoiceField(
        label="Intervention type (optional)",
        help_text="From the Trauma Recovery Model's catalogue: it sets the lowest stage the recommendation suits",
        queryset=InterventionType.objects.none(),
        required=False,
        empty_label="None of these",
        error_messages={"invalid_choice": "Choose an intervention type from the list"},
    )
    suits_from_stage = forms.TypedChoiceField(
        label="Lowest TRM stage it suits",
        help_text="Leave this empty when you choose an intervention type",
        coerce=int,
        empty_value=None,
        required=False,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": "Choose a stage from 1 to 6"},
    )
    justification = forms.CharField(
        label="Justification (when it suits a stage above the child's)",
        help_text="Why it is right to recommend it now, although the child has not reached the stage it suits",
        widget=forms.Textarea,
        max_length=2000,
        required=False,
    )

    def __init__(
        self,
        *args: Any,
        candidates: list[CasePerson],
        agencies: QuerySet[Agency],
        interventions: QuerySet[InterventionType],
        stage_names: dict[int, str],
        editing: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.candidates = {candidate.key: candidate for candidate in candidates}
        self.editing = editing
        owner: Any = self.fields["owner"]
        owner.choices = [
            ("", "Choose a person"),
            *((candidate.key, candidate.label) for candidate in candidates),
            (OTHER_OWNER, "Someone else (enter their name and agency below)"),
        ]
        agency: Any = self.fields["owner_agency"]
        agency.queryset = agencies
        intervention: Any = self.fields["intervention_type"]
        intervention.queryset = interventions
        intervention.label_from_instance = lambda item: f"{item.name} (from stage {item.lowest_stage})"
        stage: Any = self.fields["suits_from_stage"]
        stage.choices = [(number, f"Stage {number}: {stage_names.get(number, '')}") for number in range(1, 7)]

    def clean_text(self) -> str:
        return _plain(self.cleaned_data["text"])

    def clean_justification(self) -> str:
        return _plain(self.cleaned_data.get("justification") or "")

    def clean_due_on(self) -> dt.date | None:
        due_on = self.cleaned_data.get("due_on")
        changed = "due_on" in self.changed_data
        if due_on is not None and due_on < timezone.localdate() and (changed or not self.editing):
            raise forms.ValidationError("The due date must be today or in the future")
        return due_on

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("owner") == OTHER_OWNER:
            if not (data.get("owner_name") or "").strip():
                self.add_error("owner_name", "Enter the name of the person who will do it")
            if data.get("owner_agency") is None and not (data.get("owner_agency_name") or "").strip():
                self.add_error("owner_agency", "Choose their agency, or enter its name")
        intervention = data.get("intervention_type")
        stage = data.get("suits_from_stage")
        if intervention is not None and stage is not None and stage != intervention.lowest_stage:
            self.add_error(
                "suits_from_stage",
                f"{intervention.name} suits children from stage {intervention.lowest_stage}: "
                f"choose stage {intervention.lowest_stage}, or leave the stage empty",
            )
        if intervention is None and stage is None and not self.has_error("suits_from_stage"):
            self.add_error("suits_from_stage", "Choose the lowest TRM stage it suits, or an intervention type")
        return data

    def recommendation_fields(self) -> dict[str, Any]:
        """The cleaned input as recommendation_add and recommendation_change take it."""
        data = self.cleaned_data
        fields: dict[str, Any] = {
            "text": data["text"],
            "due_on": data["due_on"],
            "intervention_type": data.get("intervention_type"),
            "suits_from_stage": data.get("suits_from_stage"),
            "justification": data.get("justification", ""),
        }
        candidate = self.candidates.get(data["owner"])
        if candidate is not None:
            fields.update(
                owner=candidate.user,
                owner_name=candidate.name,
                owner_agency=candidate.agency,
                owner_agency_name=candidate.agency_name,
            )
        else:
            fields.update(
                owner=None,
                owner_name=data.get("owner_name", ""),
                owner_agency=data.get("owner_agency"),
                owner_agency_name=data.get("owner_agency_name", ""),
            )
        return fields

    @staticmethod
    def initial_for(recommendation: Recommendation, candidates: list[CasePerson]) -> dict[str, Any]:
        """The saved recommendation as the form shows it (its owner matched to the list when they are on it)."""
        owner = OTHER_OWNER
        for candidate in candidates:
            same_user = recommendation.owner_id is not None and candidate.user is not None
            if (same_user and candidate.user.pk == recommendation.owner_id) or (  # type: ignore[union-attr]
                recommendation.owner_id is None
                and candidate.user is None
                and candidate.name == recommendation.owner_name
            ):
                owner = candidate.key
                break
        return {
            "text": recommendation.text,
            "owner": owner,
            "owner_name": recommendation.owner_name if owner == OTHER_OWNER else "",
            "owner_agency": recommendation.owner_agency if owner == OTHER_OWNER else None,
            "owner_agency_name": recommendation.owner_agency_name if owner == OTHER_OWNER else "",
            "due_on": recommendation.due_on,
            "intervention_type": recommendation.intervention_type,
            "suits_from_stage": None if recommendation.intervention_type_id else recommendation.suits_from_stage,
            "justification": recommendation.justification,
        }


class CompareForm(forms.Form):
    """Which two versions to compare (their version numbers)."""

    older = forms.TypedChoiceField(label="Compare version", coerce=int)
    newer = forms.TypedChoiceField(label="with version", coerce=int)

    def __init__(self, *args: Any, versions: list[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [(number, f"Version {number}") for number in versions]
        older: Any = self.fields["older"]
        newer: Any = self.fields["newer"]
        older.choices = choices
        newer.choices = choices
