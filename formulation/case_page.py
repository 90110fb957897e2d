"""What the meetings section gives the case overview (registered in FormulationConfig.ready() through
cases/sections.py): the next meeting, as a fact on the case's row."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.db.models import JSONField, OuterRef, Subquery
from django.db.models.functions import JSONObject
from django.urls import reverse
from django.utils import timezone

from cases.models import Case
from cases.sections import Glance, compiled_facts
from core.db import NOW
from core.reminders import long_date
from formulation.models import Meeting, MeetingPurpose, MeetingStatus


def meeting_facts(user: Any, case: Any, caps: Any) -> dict[str, Any]:
    """The next scheduled meeting of the case (for the full record: the network sees its own invitations)."""
    return compiled_facts(_meeting_facts) if caps.full_record else {}


def _meeting_facts() -> dict[str, Any]:
    upcoming = Meeting.objects.filter(case=OuterRef("pk"), status=MeetingStatus.SCHEDULED, ends_at__gt=NOW).order_by(
        "starts_at", "pk"
    )
    row = JSONObject(id="id", starts_at="starts_at", purpose="purpose")
    return {"next_meeting": Subquery(upcoming.values(row=row)[:1], output_field=JSONField())}


def meeting_glance(user: Any, case: Case, caps: Any, facts: Mapping[str, Any]) -> list[Glance]:
    """The overview's row: the next meeting, or the way to the meetings."""
    if not caps.full_record:
        return []
    meeting = facts.get("next_meeting")
    if meeting is None:
        return [Glance("Next meeting", "None scheduled", href=reverse("cases:meetings", kwargs={"case_id": case.pk}))]
    starts_at = timezone.localtime(dt.datetime.fromisoformat(meeting["starts_at"]))
    return [
        Glance(
            "Next meeting",
            f"{long_date(starts_at.date())} at {starts_at:%H:%M}",
            detail=MeetingPurpose(meeting["purpose"]).label,
            href=reverse("formulation:meeting_detail", args=[case.pk, meeting["id"]]),
        )
    ]
