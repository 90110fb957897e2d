"""Writes for TRM stage assessments."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts.history import acting_as
from accounts.models import User
from cases.models import Case, CaseEventKind, CaseStatus, Visibility
from cases.services import case_event_add
from trm_stages.models import InterventionType, Stage, StageAssessment, Threshold, TrmVersion
from trm_stages.selectors import current_version, latest_assessment


@transaction.atomic
def stage_assessment_record(
    *,
    case: Case,
    actor: User,
    assessed_on: dt.date,
    stage_number: int,
    evidence: str,
    source: str,
    thresholds_crossed: list[Threshold] | None = None,
    indicators: list[str] | None = None,
    move_back_note: str = "",
) -> StageAssessment:
    """Record the child's stage on a date. A move back needs a note, and the case's clinicians are told."""
    version = current_version()
    stage = Stage.objects.filter(version=version, number=stage_number).first()
    errors: dict[str, str] = {}
    if case.status == CaseStatus.CLOSED:
        raise ValidationError("This case is closed. Reopen it to record the child's stage.")
    if stage is None:
        errors["stage_number"] = "Choose a stage from 1 to 6"
    if assessed_on > timezone.localdate():
        errors["assessed_on"] = "The date of an assessment must not be in the future"
    if not evidence.strip():
        errors["evidence"] = "Enter the evidence for this stage"
    unknown = set(indicators or []) - set(stage.indicators if stage else [])
    if unknown:
        errors["indicators"] = "Choose indicators from the stage's list"
    if any(threshold.version_id != version.pk for threshold in thresholds_crossed or []):
        errors["thresholds_crossed"] = "Choose thresholds of the current TRM version"
    # Lock the case so two assessments recorded at once compare against the same previous stage.
    Case.objects.select_for_update().filter(pk=case.pk).first()
    # The assessment this one follows in time (a late entry for an earlier date compares with its own predecessor).
    previous = latest_assessment(case, on_or_before=assessed_on)
    moved_back = bool(stage and previous and stage.number < previous.stage.number)
    if moved_back and not move_back_note.strip():
        errors["move_back_note"] = (
            "Say why the child has moved back (for example the return to difficult behaviour after disclosure)"
        )
    if errors:
        raise ValidationError(errors)
    assert stage is not None  # noqa: S101 - errors above cover a missing stage
    with acting_as(actor):
        assessment = StageAssessment(
            case=case,
            assessed_on=assessed_on,
            stage=stage,
            indicators=list(indicators or []),
            evidence=evidence.strip(),
            source=source,
            assessor=actor,
            move_back_note=move_back_note.strip(),
        )
        assessment.full_clean()
        assessment.save()
        assessment.thresholds_crossed.set(thresholds_crossed or [])
        current = latest_assessment(case)
        Case.objects.filter(pk=case.pk).update(trm_stage=current.stage.number if current else None)
        movement = ""
        if previous and moved_back:
            movement = f", moved back from stage {previous.stage.number}"
        elif previous and stage.number > previous.stage.number:
            movement = f", moved on from stage {previous.stage.number}"
        case_event_add(
            case=case,
            kind=CaseEventKind.STAGE,
            summary=f"TRM {stage}{movement}",
            actor=actor,
            visibility=Visibility.FULL,
            link=reverse("trm_stages:assessment_detail", args=[case.pk, assessment.pk]),
            occurred_at=timezone.make_aware(dt.datetime.combine(assessed_on, dt.time(12, 0))),
        )
    if moved_back:
        transaction.on_commit(lambda: _tell_the_clinicians_of_a_move_back(assessment.pk))
    return assessment


def _tell_the_clinicians_of_a_move_back(assessment_id: int) -> None:
    """E-mail the case's allocated clinicians. It names no child: the detail is behind sign-in."""
    assessment = StageAssessment.objects.select_related("case__psychologist", "case__senior_practitioner", "stage").get(
        pk=assessment_id
    )
    case = assessment.case
    recipients = [person.email for person in (case.psychologist, case.senior_practitioner) if person and person.email]
    if recipients:
        send_mail(
            subject=f"ECM case {case.pk}: TRM stage moved back",
            message=f"A TRM assessment on case {case.pk} records a move back to stage {assessment.stage.number}.\n",
            from_email=None,
            recipient_list=recipients,
            fail_silently=True,
        )


@transaction.atomic
def trm_version_publish(
    *,
    actor: User,
    note: str,
    stages: list[dict[str, Any]],
    thresholds: list[dict[str, Any]],
    interventions: list[dict[str, Any]],
) -> TrmVersion:
    """Publish edited reference data as a new version. Old versions stay, so old assessments keep their meaning.

    `stages`: six dicts (number, name, needs, description, indicators); `thresholds`: three dicts
    (below_stage, name, description); `interventions`: dicts (name, lowest_stage, description).
    """
    errors: dict[str, str] = {}
    if not note.strip():
        errors["note"] = "Enter what changed in this version"
    if sorted(stage["number"] for stage in stages) != [1, 2, 3, 4, 5, 6]:
        errors["stages"] = "The model has six stages, numbered 1 to 6"
    if sorted(threshold["below_stage"] for threshold in thresholds) != [1, 2, 3]:
        errors["thresholds"] = "The model has three thresholds, after stages 1, 2 and 3"
    names = [intervention["name"].strip().lower() for intervention in interventions]
    if not names:
        errors["interventions"] = "Keep at least one intervention in the catalogue"
    elif len(set(names)) != len(names):
        errors["interventions"] = "Each intervention must appear once in the catalogue"
    if errors:
        raise ValidationError(errors)
    # Serialise publishers so two never take the same number.
    TrmVersion.objects.select_for_update().order_by("-number").first()
    with acting_as(actor):
        version = TrmVersion.objects.create(
            number=(current_version().number + 1), note=note.strip(), published_by=actor
        )
        for row in stages:
            Stage(version=version, **row).full_clean(exclude=["version"])
        Stage.objects.bulk_create(Stage(version=version, **row) for row in stages)
        Threshold.objects.bulk_create(Threshold(version=version, **row) for row in thresholds)
        InterventionType.objects.bulk_create(
            InterventionType(version=version, **{**row, "name": row["name"].strip()}) for row in interventions
        )
    return version
