"""Input parsing for recording a TRM stage and for publishing new reference data. Services save."""

from __future__ import annotations

from typing import Any

from django import forms

from accounts.models import User
from core.forms import GovDateField, ServiceErrorsMixin
from trm_stages.models import AssessmentSource, Stage, Threshold


class StageAssessmentForm(ServiceErrorsMixin, forms.Form):
    """Stage, thresholds judged crossed, evidence (indicators and free text), source and, for a move back, why.

    At a review (`assessors` given) the assessment is dated the review's day and its source is the
    review, so the form asks instead which psychologist assessed the stage (the chair may enter it for them).
    """

    service_fields = {"stage_number": "stage"}

    assessed_on = GovDateField(
        label="Date of the assessment",
        help_text="For example, 27 3 2026",
        error_messages={"required": "Enter the date of the assessment"},
    )
    stage = forms.TypedChoiceField(
        label="Which stage is the child at?",
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the child's stage", "invalid_choice": "Choose a stage from 1 to 6"},
    )
    thresholds_crossed = forms.TypedMultipleChoiceField(
        label="Which thresholds has the child crossed? (optional)",
        help_text="Select all that you judge the child has crossed",
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "Choose thresholds from the list"},
    )
    indicators = forms.MultipleChoiceField(
        label="How the child presents (optional)",
        help_text="Choose from the list for the stage you selected",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "Choose indicators from the stage's list"},
    )
    evidence = forms.CharField(
        label="Evidence",
        help_text="What you saw and heard that places the child at this stage",
        widget=forms.Textarea,
        max_length=20000,
        error_messages={"required": "Enter the evidence for this stage"},
    )
    source = forms.ChoiceField(
        label="Where was the stage assessed?",
        choices=AssessmentSource.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose where the stage was assessed"},
    )
    move_back_note = forms.CharField(
        label="If the child has moved back, why? (optional otherwise)",
        help_text=(
            "Needed when the stage is lower than the last one. For example, the return to difficult "
            "behaviour that often follows a disclosure"
        ),
        widget=forms.Textarea,
        max_length=20000,
        required=False,
    )

    def __init__(
        self,
        *args: Any,
        stages: list[Stage],
        thresholds: list[Threshold],
        assessors: list[User] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        if assessors is not None:
            self._ask_for_the_assessor(assessors)
        self.stages = stages
        stage_field: Any = self.fields["stage"]
        stage_field.choices = [(stage.number, f"Stage {stage.number}: {stage.name}") for stage in stages]
        thresholds_field: Any = self.fields["thresholds_crossed"]
        thresholds_field.choices = [(threshold.pk, threshold.name) for threshold in thresholds]
        indicators_field: Any = self.fields["indicators"]
        indicators_field.choices = [(text, text) for stage in stages for text in stage.indicators]

    def _ask_for_the_assessor(self, assessors: list[User]) -> None:
        """At a review: the psychologist who assessed the stage first, no date and no source."""
        del self.fields["assessed_on"]
        del self.fields["source"]
        assessor: Any = forms.ModelChoiceField(
            label="Which psychologist assessed the stage?",
            queryset=User.objects.filter(pk__in=[person.pk for person in assessors]).order_by(
                "first_name", "last_name", "pk"
            ),
            empty_label="Choose the psychologist",
            error_messages={
                "required": "Choose the psychologist who assessed the child's stage",
                "invalid_choice": "Choose the psychologist who assessed the child's stage",
            },
        )
        assessor.label_from_instance = lambda person: person.get_full_name()
        self.fields = {"assessor": assessor, **self.fields}

    def assessment(self) -> dict[str, Any]:
        """The assessment as stage_assessment_record (and a review's review_stage_record) takes it."""
        data = self.cleaned_data
        return {
            "stage_number": data["stage"],
            "evidence": data["evidence"],
            "thresholds_crossed": list(Threshold.objects.filter(pk__in=data["thresholds_crossed"])),
            "indicators": data["indicators"],
            "move_back_note": data["move_back_note"],
        }

    def indicator_groups(self) -> list[dict[str, Any]]:
        """The indicators checkboxes grouped by stage, each with its field id, for the template."""
        chosen = set(self["indicators"].value() or [])
        groups = []
        for stage in self.stages:
            boxes = [
                {"id": f"id_indicators-{stage.number}-{index}", "value": text, "checked": text in chosen}
                for index, text in enumerate(stage.indicators, start=1)
            ]
            groups.append({"stage": stage, "boxes": boxes})
        return groups


class ReferenceStageForm(forms.Form):
    """One stage's text in a new reference version."""

    name = forms.CharField(label="Name", max_length=100, error_messages={"required": "Enter the stage's name"})
    needs = forms.CharField(
        label="What the child needs",
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
        error_messages={"required": "Enter what the child needs at this stage"},
    )
    description = forms.CharField(
        label="Description",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=5000,
        error_messages={"required": "Enter a description of the stage"},
    )
    indicators = forms.CharField(
        label="How a child at this stage often presents",
        help_text="One indicator on each line",
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=10000,
        error_messages={"required": "Enter at least one indicator"},
    )

    def clean_indicators(self) -> list[str]:
        lines = [line.strip() for line in self.cleaned_data["indicators"].splitlines() if line.strip()]
        if any(len(line) > 200 for line in lines):
            raise forms.ValidationError("Each indicator must be 200 characters or fewer")
        if len(set(lines)) != len(lines):
            raise forms.ValidationError("Each indicator must appear once")
        return lines


class ReferenceThresholdForm(forms.Form):
    name = forms.CharField(label="Name", max_length=100, error_messages={"required": "Enter the threshold's name"})
    description = forms.CharField(
        label="Description",
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=5000,
        error_messages={"required": "Enter a description of the threshold"},
    )


class ReferenceInterventionForm(forms.Form):
    """One row of the intervention catalogue. A row with no name is left out; tick remove to drop one."""

    name = forms.CharField(label="Intervention", max_length=200, required=False)
    lowest_stage = forms.TypedChoiceField(
        label="Lowest stage it suits",
        coerce=int,
        required=False,
        empty_value=None,
        choices=[("", "Choose"), *[(number, f"Stage {number}") for number in range(1, 7)]],
    )
    description = forms.CharField(label="Description", max_length=2000, required=False)
    remove = forms.BooleanField(label="Remove", required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("name") and not data.get("remove") and not data.get("lowest_stage"):
            self.add_error("lowest_stage", "Choose the lowest stage this intervention suits")
        return data


InterventionFormSet = forms.formset_factory(ReferenceInterventionForm, extra=3, max_num=200)


class PublishNoteForm(forms.Form):
    note = forms.CharField(
        label="What changed in this version",
        help_text="Shown beside the version number, for example: added Good Lives to stage 4",
        max_length=300,
        error_messages={"required": "Enter what changed in this version"},
    )
