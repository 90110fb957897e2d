"""What the TRM sections give the case overview (registered in TrmStagesConfig.ready() through cases/sections.py):
the child's current stage and since when, and the THRIVE grouping, as facts on the case's row."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.db.models import Exists, JSONField, Min, OuterRef, Q, Subquery
from django.db.models.functions import JSONObject
from django.urls import reverse
from django.utils import timezone

from cases.models import Case
from cases.sections import Glance, compiled_facts
from core.reminders import long_date
from trm_stages.models import StageAssessment, ThriveGroupingChoice


def stage_facts(user: Any, case: Any, caps: Any) -> dict[str, Any]:
    """The latest assessment's stage (number and name, from the version it was made against), and the day the
    child's run of assessments at that stage began: the first assessment no assessment at another stage follows
    (in the order of stage_journey: assessed on, recorded at, id)."""
    return compiled_facts(_stage_facts)


def _stage_facts() -> dict[str, Any]:
    latest = StageAssessment.objects.filter(case=OuterRef("pk")).order_by("-assessed_on", "-recorded_at", "-pk")
    row = JSONObject(number="stage__number", name="stage__name", assessed_on="assessed_on")
    later_other = (
        StageAssessment.objects.filter(case_id=OuterRef("case_id"))
        .exclude(stage__number=OuterRef("stage__number"))
        .filter(
            Q(assessed_on__gt=OuterRef("assessed_on"))
            | Q(assessed_on=OuterRef("assessed_on"), recorded_at__gt=OuterRef("recorded_at"))
            | Q(assessed_on=OuterRef("assessed_on"), recorded_at=OuterRef("recorded_at"), pk__gt=OuterRef("pk"))
        )
    )
    run = (
        StageAssessment.objects.filter(case=OuterRef("pk"))
        .filter(~Exists(later_other))
        .order_by()
        .values("case")
        .annotate(since=Min("assessed_on"))
        .values("since")
    )
    return {
        "stage": Subquery(latest.values(row=row)[:1], output_field=JSONField()),
        "stage_since": Subquery(run),
    }


def stage_glance(user: Any, case: Case, caps: Any, facts: Mapping[str, Any]) -> list[Glance]:
    """The overview's row: the current stage and how long the child has been in it."""
    href = reverse("cases:trm", kwargs={"case_id": case.pk})
    stage = facts.get("stage")
    if stage is None:
        return [Glance("TRM stage", "Not recorded yet", href=href)]
    since: dt.date = facts["stage_since"]
    end = case.closed_at.date() if case.closed_at else timezone.localdate()
    days = max((end - since).days, 0)
    length = f"{days} day{'' if days == 1 else 's'}" if days else "since today"
    return [
        Glance(
            "TRM stage",
            f"Stage {stage['number']}: {stage['name']}",
            detail=f"In this stage since {long_date(since)} ({length})",
            href=href,
        )
    ]


def thrive_glance(user: Any, case: Case, caps: Any, facts: Mapping[str, Any]) -> list[Glance]:
    """The overview's row: the current THRIVE grouping (trm_stages.selectors.outcome_facts)."""
    if not caps.full_record:
        return []
    thrive = facts.get("thrive")
    href = reverse("cases:trm", kwargs={"case_id": case.pk})
    if thrive is None:
        return [Glance("THRIVE grouping", "Not recorded", href=href)]
    label = ThriveGroupingChoice(thrive["grouping"]).label
    return [
        Glance(
            "THRIVE grouping",
            label,
            detail=f"From {long_date(dt.date.fromisoformat(thrive['applies_from']))}",
            href=href,
        )
    ]
