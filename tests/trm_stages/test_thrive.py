"""THRIVE grouping on a case: dated, with a reason, every grouping kept, the latest is current."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from cases.models import CaseEvent, CaseEventKind, Visibility
from tests.clock import hold_today
from tests.conftest import Cast
from trm_stages.models import THRIVE_CREDIT, ThriveGrouping, ThriveGroupingChoice
from trm_stages.selectors import current_thrive_grouping, thrive_history
from trm_stages.services import thrive_grouping_set

TODAY = timezone.localdate()
_held = hold_today(TODAY)


def set_grouping(cast: Cast, grouping: str, days_ago: int = 0, reason: str = "Seen weekly by Sam") -> ThriveGrouping:
    return thrive_grouping_set(
        case=cast.case,
        actor=cast.case_manager,
        grouping=grouping,
        applies_from=TODAY - dt.timedelta(days=days_ago),
        reason=reason,
    )


def signed_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def form(grouping: str = "getting_more_help", day: dt.date = TODAY, reason: str = "Two agencies now involved") -> dict:
    return {
        "grouping": grouping,
        "applies_from_day": str(day.day),
        "applies_from_month": str(day.month),
        "applies_from_year": str(day.year),
        "reason": reason,
    }


def test_a_new_grouping_becomes_current_and_the_old_one_stays_as_history(cast: Cast) -> None:
    assert current_thrive_grouping(case=cast.case) is None
    first = set_grouping(cast, ThriveGroupingChoice.GETTING_HELP, days_ago=40)
    second = set_grouping(cast, ThriveGroupingChoice.GETTING_MORE_HELP, days_ago=5, reason="Exclusion from school")
    current = current_thrive_grouping(case=cast.case)
    assert current == second and current.recorded_by == cast.case_manager
    assert list(thrive_history(case=cast.case)) == [second, first]
    first.refresh_from_db()
    assert first.grouping == ThriveGroupingChoice.GETTING_HELP  # untouched
    history = apps.get_model("trm_stages", "ThriveGroupingHistory").objects.filter(pgh_obj_id=second.pk).get()
    assert history.pgh_label == "insert" and history.pgh_context.metadata["user"] == cast.case_manager.pk


def test_each_change_writes_a_chronology_line_for_the_full_record(cast: Cast) -> None:
    set_grouping(cast, ThriveGroupingChoice.GETTING_ADVICE, days_ago=10)
    set_grouping(cast, ThriveGroupingChoice.GETTING_RISK_SUPPORT, days_ago=2)
    lines = list(CaseEvent.objects.filter(case=cast.case, kind=CaseEventKind.OUTCOMES).order_by("occurred_at"))
    assert [line.summary for line in lines] == [
        "THRIVE grouping: getting advice",
        "THRIVE grouping: getting risk support (was getting advice)",
    ]
    assert {line.visibility for line in lines} == {Visibility.FULL}
    assert lines[1].occurred_at.date() == TODAY - dt.timedelta(days=2)
    assert lines[1].link == f"/cases/{cast.case.pk}/thrive/"
    assert lines[1].actor == cast.case_manager


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"grouping": "thriving"}, "grouping", "Choose the THRIVE grouping"),
        ({"applies_from": TODAY + dt.timedelta(days=1)}, "applies_from", "must be today or in the past"),
        ({"reason": "   "}, "reason", "Enter the reason for the grouping"),
    ],
)
def test_a_grouping_needs_a_known_grouping_a_past_date_and_a_reason(
    cast: Cast, changes: dict, field: str, message: str
) -> None:
    fields: dict[str, Any] = {"grouping": "getting_help", "applies_from": TODAY, "reason": "Weekly sessions"}
    fields.update(changes)
    with pytest.raises(ValidationError) as error:
        thrive_grouping_set(case=cast.case, actor=cast.case_manager, **fields)
    assert message in error.value.message_dict[field][0]
    assert not ThriveGrouping.objects.exists()
    assert not CaseEvent.objects.filter(kind=CaseEventKind.OUTCOMES).exists()


def test_a_new_grouping_cannot_start_before_the_current_one_nor_repeat_it(cast: Cast) -> None:
    set_grouping(cast, ThriveGroupingChoice.GETTING_HELP, days_ago=10)
    with pytest.raises(ValidationError) as error:
        set_grouping(cast, ThriveGroupingChoice.GETTING_MORE_HELP, days_ago=11)
    assert "on or after" in error.value.message_dict["applies_from"][0]
    with pytest.raises(ValidationError) as error:
        set_grouping(cast, ThriveGroupingChoice.GETTING_HELP, days_ago=1)
    assert error.value.message_dict["grouping"] == ["Kai is already in getting help: choose a different grouping"]
    # The same day as the current one is allowed (a same-day correction); the later record wins.
    same_day = set_grouping(cast, ThriveGroupingChoice.GETTING_MORE_HELP, days_ago=10)
    assert current_thrive_grouping(case=cast.case) == same_day


def test_the_case_manager_sets_the_grouping_through_the_page(cast: Cast) -> None:
    client = signed_in(cast.case_manager)
    page = client.get(f"/cases/{cast.case.pk}/thrive/set/").content.decode()
    for label in ("Getting advice", "Getting help", "Getting more help", "Getting risk support"):
        assert label in page
    assert THRIVE_CREDIT in page
    assert 'aria-describedby="id_grouping-item-hint"' in page  # each radio has its hint
    response = client.post(f"/cases/{cast.case.pk}/thrive/set/", form())
    assert response.status_code == 302 and response["Location"] == f"/cases/{cast.case.pk}/thrive/"
    history = client.get(response["Location"]).content.decode()
    assert "THRIVE grouping set to getting more help" in history
    assert "Two agencies now involved" in history and "Sam Okafor" in history


def test_the_form_shows_gov_uk_errors(cast: Cast) -> None:
    client = signed_in(cast.colleague)
    tomorrow = TODAY + dt.timedelta(days=1)
    page = client.post(f"/cases/{cast.case.pk}/thrive/set/", form(grouping="", day=tomorrow, reason="")).content
    text = page.decode()
    assert "There is a problem" in text
    assert "Choose the THRIVE grouping" in text
    assert "The date the grouping applies from must be today or in the past" in text
    assert "Enter the reason for the grouping" in text
    assert text.startswith("<!DOCTYPE html>") and "<title>Error: " in text
    assert not ThriveGrouping.objects.exists()


def test_the_service_refusal_comes_back_on_the_form(cast: Cast) -> None:
    set_grouping(cast, ThriveGroupingChoice.GETTING_MORE_HELP, days_ago=3)
    text = signed_in(cast.psychologist).post(f"/cases/{cast.case.pk}/thrive/set/", form()).content.decode()
    assert "Kai is already in getting more help: choose a different grouping" in text
    assert ThriveGrouping.objects.count() == 1


def test_the_history_page_lists_every_grouping_and_offers_the_change_only_to_those_who_may(cast: Cast) -> None:
    set_grouping(cast, ThriveGroupingChoice.GETTING_HELP, days_ago=30, reason="First reason")
    set_grouping(cast, ThriveGroupingChoice.GETTING_ADVICE, days_ago=1, reason="Second reason")
    text = signed_in(cast.senior_practitioner).get(f"/cases/{cast.case.pk}/thrive/").content.decode()
    assert text.index("Second reason") < text.index("First reason")
    assert "Change the THRIVE grouping" in text
    assert signed_in(cast.teacher).get(f"/cases/{cast.case.pk}/thrive/").status_code == 403
    assert signed_in(cast.banes_case_manager).get(f"/cases/{cast.case.pk}/thrive/").status_code == 404


def test_the_history_page_says_so_when_there_is_nothing_yet(cast: Cast) -> None:
    text = signed_in(cast.case_manager).get(f"/cases/{cast.case.pk}/thrive/").content.decode()
    assert "No THRIVE grouping has been recorded for Kai yet." in text
    assert "There is no history yet." in text
    assert "Set the THRIVE grouping" in text
