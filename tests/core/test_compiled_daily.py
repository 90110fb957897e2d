"""core.db.compiled_daily: expressions the ORM compiles once a day per their arguments, for the facts read on
every page (the caseload's work columns, the case page's sections)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.db.models import OuterRef
from django.utils import timezone

from cases.models import Contact
from cases.sections import compiled_facts, count_of, facts_of
from core import db
from tests.conftest import Cast
from tests.factories import log_contact

pytestmark = pytest.mark.django_db

BUILT: list[tuple[Any, ...]] = []


def _contacts(restricted_shown: bool) -> dict[str, Any]:
    BUILT.append((restricted_shown,))
    contacts = Contact.objects.filter(case=OuterRef("pk"))
    if not restricted_shown:
        contacts = contacts.filter(restricted=False)
    return {"contact_total": count_of(contacts), "after_now": count_of(contacts.filter(occurred_at__gt=db.NOW))}


def test_each_argument_is_compiled_once_a_day_and_answers_for_itself(cast: Cast) -> None:
    BUILT.clear()
    log_contact(cast.case, cast.case_manager)
    log_contact(cast.case, cast.case_manager, restricted=True)
    everything = facts_of(cast.case, compiled_facts(_contacts, True))
    unrestricted = facts_of(cast.case, compiled_facts(_contacts, False))
    assert everything["contact_total"] == 2
    assert unrestricted["contact_total"] == 1  # the restricted note is not counted for those who may not read it
    assert facts_of(cast.case, compiled_facts(_contacts, True))["contact_total"] == 2
    assert BUILT == [(True,), (False,)]  # asked for three times, built twice
    # The next day, compiled again.
    with time_machine.travel(timezone.now() + dt.timedelta(days=1), tick=False):
        assert facts_of(cast.case, compiled_facts(_contacts, True))["contact_total"] == 2
    assert BUILT == [(True,), (False,), (True,)]


def test_now_is_the_time_of_each_use(cast: Cast) -> None:
    log_contact(cast.case, cast.case_manager, days_ago=0.5)  # twelve hours ago
    assert facts_of(cast.case, compiled_facts(_contacts, True))["after_now"] == 0
    with time_machine.travel(timezone.now() - dt.timedelta(hours=13), tick=False):
        assert facts_of(cast.case, compiled_facts(_contacts, True))["after_now"] == 1
