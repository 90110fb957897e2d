"""The access log is append-only; every change to case data keeps who changed it and the before values."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.apps import apps
from django.db import DatabaseError, transaction
from pghistory.models import Events

from accounts.audit import access_event_record
from accounts.history import acting_as
from accounts.models import AccessAction, AccessEvent
from accounts.request_context import RequestOrigin, current_origin
from cases.models import Case
from tests.conftest import Cast


def test_access_events_cannot_be_changed_or_deleted(cast: Cast) -> None:
    event = access_event_record(user=cast.case_manager, action=AccessAction.VIEW, record_type="case", record_id=1)
    with pytest.raises(DatabaseError), transaction.atomic():
        AccessEvent.objects.filter(pk=event.pk).update(description="tampered")
    with pytest.raises(DatabaseError), transaction.atomic():
        AccessEvent.objects.filter(pk=event.pk).delete()
    assert AccessEvent.objects.get(pk=event.pk).description == ""


def test_access_event_records_where_the_request_came_from(cast: Cast) -> None:
    token = current_origin.set(RequestOrigin(ip_address="10.0.0.7", user_agent="Test browser", path="/cases/1/"))
    try:
        event = access_event_record(user=cast.teacher, action=AccessAction.DOWNLOAD, record_type="pdf", case_id=1)
    finally:
        current_origin.reset(token)
    assert (event.ip_address, event.user_agent, event.path, event.case_id) == (
        "10.0.0.7",
        "Test browser",
        "/cases/1/",
        1,
    )


def test_a_case_page_view_writes_an_access_event_with_origin(cast: Cast, client) -> None:
    client.force_login(cast.psychologist)
    client.get(f"/cases/{cast.case.pk}/", HTTP_USER_AGENT="Firefox test", REMOTE_ADDR="192.0.2.10")
    event = AccessEvent.objects.get(case_id=cast.case.pk, user=cast.psychologist)
    assert event.action == AccessAction.VIEW
    assert event.ip_address == "192.0.2.10"
    assert event.user_agent == "Firefox test"
    assert event.description == "view"  # the full record, not the network's summary


def test_the_network_opening_the_case_page_is_logged_as_the_summary(cast: Cast, client) -> None:
    client.force_login(cast.teacher)
    client.get(f"/cases/{cast.case.pk}/")
    assert AccessEvent.objects.get(case_id=cast.case.pk, user=cast.teacher).description == "view_summary"


def test_change_history_keeps_who_changed_what_and_the_before_values(cast: Cast) -> None:
    with acting_as(cast.administrator):
        # A bulk update bypasses save() and signals; the database trigger still keeps it.
        Case.objects.filter(pk=cast.case.pk).update(case_holder=cast.colleague)
    latest = Events.objects.tracks(cast.case).order_by("-pgh_created_at", "-pgh_id").first()
    assert latest is not None
    assert latest.pgh_label == "update"
    assert latest.pgh_diff["case_holder_id"] == [cast.case_manager.pk, cast.colleague.pk]
    assert latest.pgh_context["user"] == cast.administrator.pk


def test_history_rows_are_append_only(cast: Cast) -> None:
    history_model = apps.get_model("cases", "CaseHistory")
    history = history_model.objects.filter(pgh_obj_id=cast.case.pk).first()
    assert history is not None
    with pytest.raises(DatabaseError), transaction.atomic():
        history_model.objects.filter(pk=history.pk).delete()


def test_a_share_is_attributed_to_the_person_who_made_it(cast: Cast) -> None:
    """Sharing changes who can see a case: its history carries the case manager who shared it."""
    share_history = apps.get_model("cases", "CaseUserObjectPermissionHistory").objects.filter(user=cast.teacher).first()
    assert share_history is not None
    assert share_history.pgh_label == "insert"
    assert share_history.pgh_context is not None
    assert share_history.pgh_context.metadata["user"] == cast.case_manager.pk


CASE_DATA_APPS = ("cases", "referrals", "formulation", "trm_stages", "reviews", "data_rights")
# Delivery bookkeeping, not case data: reminders and in-app notifications name no child, and the
# reminder sweep writes them in bulk (a history row per insert would double its cost at 100,000 rows).
# Reminders and notifications; and the case tallies, counts PostgreSQL keeps from the rows (each row's history
# is kept where the row is).
NOT_CASE_DATA = frozenset({"reviews.Reminder", "reviews.Notification", "cases.CaseTally"})


def test_every_model_holding_case_data_keeps_change_history() -> None:
    """A new model in a case-data app fails here until it is decorated with history_tracked()."""
    from pghistory.models import Event

    untracked = []
    for app_label in CASE_DATA_APPS:
        for model in apps.get_app_config(app_label).get_models():
            if issubclass(model, Event) or model._meta.proxy or model._meta.label in NOT_CASE_DATA:
                continue
            has_history = any(
                issubclass(other, Event) and getattr(other, "pgh_tracked_model", None) is model
                for other in apps.get_models()
            )
            if not has_history:
                untracked.append(model._meta.label)
    assert untracked == []


def test_an_access_event_is_stored_as_returned_at_the_apps_time(cast: Cast) -> None:
    """The event is written by one plain INSERT (accounts.audit, issue 14): what is stored is what the ORM would
    have stored, every field prepared by its field, at the app's time (which the tests' clock holds)."""
    moment = dt.datetime(2026, 3, 29, 1, 30, tzinfo=dt.UTC)  # the hour the clocks go forward
    token = current_origin.set(
        RequestOrigin(ip_address="2001:db8::7", user_agent="Test browser", path="/search/?q=Kai")
    )
    try:
        with time_machine.travel(moment, tick=False):
            event = access_event_record(
                user=cast.psychologist,
                action=AccessAction.SEARCH,
                record_type="search results",
                description="x" * 400,
                case_ids=[cast.case.pk, None, cast.case.pk],
                referral_ids=[],
            )
    finally:
        current_origin.reset(token)
    stored = AccessEvent.objects.get(pk=event.pk)
    assert stored.at == moment and stored.user == cast.psychologist and stored.action == AccessAction.SEARCH
    assert (stored.path, stored.ip_address, len(stored.description)) == ("/search/", "2001:db8::7", 300)
    assert (stored.case_ids, stored.referral_ids) == ([cast.case.pk], [])
    assert [getattr(stored, field.attname) for field in AccessEvent._meta.concrete_fields] == [
        getattr(event, field.attname) for field in AccessEvent._meta.concrete_fields
    ]
