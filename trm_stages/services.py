"""Writes for TRM stage assessments."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from accounts.history import acting_as
from accounts.models import User
from cases.models import Case, CaseEventKind, Visibility
from cases.services import case_event_add
from trm_stages.models import Stage, StageAssessment, Threshold
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
    previous = latest_assessment(case)
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
