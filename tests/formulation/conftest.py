"""Fixtures for the meeting tests: a formulation meeting with the network's teacher and an outside GP invited."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core import mail

from formulation.models import Meeting, MeetingPurpose
from formulation.services import meeting_schedule
from tests.conftest import Cast
from tests.formulation.helpers import SUMMER_DAY, gp_invitee, teacher_invitee, uk_time


@pytest.fixture
def schedule(cast: Cast) -> Callable[..., Meeting]:
    """Schedule a formulation meeting as the senior practitioner; keyword arguments override the defaults."""

    def make(**overrides: Any) -> Meeting:
        fields: dict[str, Any] = {
            "case": cast.case,
            "actor": cast.senior_practitioner,
            "purpose": MeetingPurpose.FORMULATION,
            "starts_at": uk_time(SUMMER_DAY, 10),
            "ends_at": uk_time(SUMMER_DAY, 11, 30),
            "location": "Meeting room 2, Fernbrook Academy",
            "video_link": "",
            "invitees": [teacher_invitee(cast), gp_invitee()],
        }
        fields.update(overrides)
        return meeting_schedule(**fields)

    return make


@pytest.fixture
def meeting(schedule: Callable[..., Meeting], django_capture_on_commit_callbacks: Any) -> Meeting:
    """A scheduled meeting whose invitations have gone; the outbox starts empty for the test."""
    with django_capture_on_commit_callbacks(execute=True):
        scheduled = schedule()
    mail.outbox.clear()
    return scheduled
