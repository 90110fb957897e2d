"""Fixtures for the meeting tests: a formulation meeting with the network's teacher and an outside GP invited."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import pytest
from django.core import mail

from formulation.models import Meeting
from tests.conftest import Cast
from tests.factories import formulation_meeting


@pytest.fixture
def schedule(cast: Cast) -> Callable[..., Meeting]:
    """Schedule a formulation meeting (tests.factories' `formulation_meeting`); keyword arguments override its
    defaults."""
    return functools.partial(formulation_meeting, cast)


@pytest.fixture
def meeting(schedule: Callable[..., Meeting], django_capture_on_commit_callbacks: Any) -> Meeting:
    """A scheduled meeting whose invitations have gone; the outbox starts empty for the test."""
    with django_capture_on_commit_callbacks(execute=True):
        scheduled = schedule()
    mail.outbox.clear()
    return scheduled
