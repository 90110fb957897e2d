"""Attendance by someone whose agency was entered as "Not listed" counts under "Other" (issue 18)."""

from __future__ import annotations

import pytest

from accounts.history import acting_as
from formulation.models import Attendance, Invitation, Meeting, MeetingStatus
from reporting.figures import build_report
from tests.reporting.conftest import World

pytestmark = pytest.mark.django_db


def texts(world: World) -> dict[str, list[str]]:
    figure = build_report(world.scope()).figure("attendance")
    return {row.label: [cell.text for cell in row.cells] for row in figure.rows}


def test_not_listed_agencies_are_counted_under_other(world: World) -> None:
    # The world has one: the GP surgery at Ollie's meeting, entered as not listed. Add six more, at the held
    # meetings of six of the period's cases: 7 invitations, 6 attended, about 6 or 7 children.
    held = (
        Meeting.objects.filter(status=MeetingStatus.HELD, case__owning_yjs__in=world.scope().agencies)
        .filter(starts_at__year=2025)
        .order_by("case_id", "starts_at")
        .distinct("case_id")
    )
    meetings = list(held)[:6]
    assert len(meetings) == 6
    with acting_as(world.cast.senior_practitioner):
        for number, meeting in enumerate(meetings):
            Invitation.objects.create(
                meeting=meeting,
                name=f"Not listed {number}",
                email=f"not-listed-{number}@example.org",
                agency=None,  # the forms' "Not listed"
                agency_name="Harbourside Youth Project",
                attendance=Attendance.ATTENDED if number else Attendance.APOLOGIES,
                invited_by=world.cast.senior_practitioner,
            )
    rows = texts(world)
    assert rows["Other"] == ["5–9", "5–9", "55–100%"]  # 7 invited, 6 attended: both "5–9"
    # The partner types are as they were.
    assert rows["Education"] == ["5–9", "5–9", "55–100%"]
    assert list(rows) == ["Education", "Social care", "Health", "Police", "Voluntary sector", "Other"]
