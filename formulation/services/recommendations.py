"""A formulation report's recommendations: add, change and remove them while the version is open.

Each is judged against the child's stage (trm_stages' sequencing rule): above it, the author must
justify it, and the warning shown is kept with it. Once the version is signed off they are actions.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.db.models import Max

from accounts.history import acting_as
from accounts.models import Agency, User
from cases.models import Case
from formulation.models import FormulationReport, Recommendation
from formulation.services.reports import _writable_row
from trm_stages.models import InterventionType
from trm_stages.selectors import sequencing_for_case


def _recommendation_errors(
    *,
    case: Case,
    text: str,
    suits_from_stage: int | None,
    intervention_type: InterventionType | None,
    justification: str,
    owner: User | None,
    owner_name: str,
    owner_agency: Agency | None,
    owner_agency_name: str,
    due_on: dt.date | None,
) -> tuple[dict[str, str], str]:
    """The rules for a recommendation, and the sequencing warning to store (blank when it suits)."""
    errors: dict[str, str] = {}
    if not text.strip():
        errors["text"] = "Enter the recommendation"
    if owner is None and not owner_name.strip():
        errors["owner"] = "Choose who will do it, or enter their name"
    elif owner is None and owner_agency is None and not owner_agency_name.strip():
        errors["owner_agency"] = "Choose their agency, or enter its name"
    if due_on is None:
        errors["due_on"] = "Enter the date it is due by"
    if intervention_type is not None:
        suits_from_stage = intervention_type.lowest_stage
    if suits_from_stage is None or not 1 <= suits_from_stage <= 6:
        errors["suits_from_stage"] = "Choose the lowest TRM stage it suits, or an intervention type"
        return errors, ""
    result = sequencing_for_case(case=case, suits_from_stage=suits_from_stage)
    if not result.suits and not justification.strip():
        errors["justification"] = f"{result.warning} Give a justification to recommend it now."
    return errors, "" if result.suits else result.warning


def _recommendation_fields(
    *,
    text: str,
    suits_from_stage: int | None,
    intervention_type: InterventionType | None,
    justification: str,
    owner: User | None,
    owner_name: str,
    owner_agency: Agency | None,
    owner_agency_name: str,
    due_on: dt.date | None,
    warning: str,
) -> dict[str, Any]:
    return {
        "text": text.strip(),
        "intervention_type": intervention_type,
        "suits_from_stage": intervention_type.lowest_stage if intervention_type else suits_from_stage,
        "justification": justification.strip(),
        "sequencing_warning": warning,
        "owner": owner,
        "owner_name": owner_name.strip(),
        "owner_agency": owner_agency,
        "owner_agency_name": "" if owner_agency else owner_agency_name.strip(),
        "due_on": due_on,
    }


@transaction.atomic
def recommendation_add(
    *,
    report: FormulationReport,
    actor: User,
    text: str,
    due_on: dt.date | None,
    suits_from_stage: int | None = None,
    intervention_type: InterventionType | None = None,
    justification: str = "",
    owner: User | None = None,
    owner_name: str = "",
    owner_agency: Agency | None = None,
    owner_agency_name: str = "",
) -> Recommendation:
    """Add a recommendation to an open version. Above the child's stage it needs a justification,
    and the warning shown is kept with it."""
    report = _writable_row(report)
    details: dict[str, Any] = {
        "text": text,
        "suits_from_stage": suits_from_stage,
        "intervention_type": intervention_type,
        "justification": justification,
        "owner": owner,
        "owner_name": owner_name,
        "owner_agency": owner_agency,
        "owner_agency_name": owner_agency_name,
        "due_on": due_on,
    }
    errors, warning = _recommendation_errors(case=report.case, **details)
    if errors:
        raise ValidationError(errors)
    position = (report.recommendations.aggregate(last=Max("position"))["last"] or 0) + 1
    with acting_as(actor):
        recommendation = Recommendation(
            report=report, case=report.case, position=position, **_recommendation_fields(**details, warning=warning)
        )
        recommendation.full_clean()
        recommendation.save()
    return recommendation


@transaction.atomic
def recommendation_change(
    *,
    recommendation: Recommendation,
    actor: User,
    text: str,
    due_on: dt.date | None,
    suits_from_stage: int | None = None,
    intervention_type: InterventionType | None = None,
    justification: str = "",
    owner: User | None = None,
    owner_name: str = "",
    owner_agency: Agency | None = None,
    owner_agency_name: str = "",
) -> Recommendation:
    """Change a recommendation of an open version (the sequencing rule is judged again)."""
    recommendation = (
        Recommendation.objects.select_for_update(of=("self",))
        .select_related("report", "case")
        .get(pk=recommendation.pk)
    )
    if recommendation.report is None:
        raise ValidationError({NON_FIELD_ERRORS: "This action was added at a review: change it there"})
    _writable_row(recommendation.report)
    details: dict[str, Any] = {
        "text": text,
        "suits_from_stage": suits_from_stage,
        "intervention_type": intervention_type,
        "justification": justification,
        "owner": owner,
        "owner_name": owner_name,
        "owner_agency": owner_agency,
        "owner_agency_name": owner_agency_name,
        "due_on": due_on,
    }
    errors, warning = _recommendation_errors(case=recommendation.case, **details)
    if errors:
        raise ValidationError(errors)
    with acting_as(actor):
        for name, value in _recommendation_fields(**details, warning=warning).items():
            setattr(recommendation, name, value)
        recommendation.full_clean()
        recommendation.save()
    return recommendation


@transaction.atomic
def recommendation_remove(*, recommendation: Recommendation, actor: User) -> None:
    """Take a recommendation out of an open version (its history keeps it)."""
    recommendation = (
        Recommendation.objects.select_for_update(of=("self",)).select_related("report").get(pk=recommendation.pk)
    )
    if recommendation.report is None:
        raise ValidationError({NON_FIELD_ERRORS: "This action was added at a review: change it there"})
    _writable_row(recommendation.report)
    with acting_as(actor):
        recommendation.delete()
