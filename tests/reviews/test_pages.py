"""The notification list, marking read, the unread count in the navigation, and e-mail preferences."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from accounts.models import User
from reviews.models import EmailPreference, Notification
from reviews.notifications import email_preference_of
from tests.conftest import Cast

LIST = "/notifications/"
PREFERENCES = "/notifications/preferences/"


def notify(person: User, title: str, *, minutes_ago: int = 0, read: bool = False) -> Notification:
    moment = timezone.now() - dt.timedelta(minutes=minutes_ago)
    return Notification.objects.create(
        recipient=person,
        title=title,
        body="Referral 7 from Bristol YJS is still waiting for a triage decision.",
        link="/referrals/triage/",
        created_at=moment,
        read_at=moment if read else None,
    )


@pytest.fixture
def alex(cast: Cast, client: Client) -> Client:
    client.force_login(cast.psychologist)
    return client


def test_the_list_shows_my_notifications_newest_first_with_the_unread_marked(cast: Cast, alex: Client) -> None:
    notify(cast.psychologist, "Older and read", minutes_ago=60, read=True)
    notify(cast.psychologist, "Newest and unread")
    notify(cast.senior_practitioner, "Jordan's own")
    body = alex.get(LIST).content.decode()
    assert body.index("Newest and unread") < body.index("Older and read")
    assert "Jordan&#x27;s own" not in body and "Jordan's own" not in body
    assert "You have 1 unread notification." in body
    assert body.count('<strong class="govuk-tag">Unread</strong>') == 1
    assert body.count('<strong class="govuk-tag govuk-tag--grey">Read</strong>') == 1
    assert body.count(">Mark as read<") == 1
    assert "Mark all as read" in body
    assert 'href="/referrals/triage/"' in body


def test_an_empty_list_says_so(cast: Cast, alex: Client) -> None:
    body = alex.get(LIST).content.decode()
    assert 'data-testid="notifications-empty"' in body
    assert "Mark all as read" not in body


def test_the_navigation_shows_the_unread_count_with_one_query(
    cast: Cast, alex: Client, django_assert_max_num_queries: Any
) -> None:
    for number in range(3):
        notify(cast.psychologist, f"Notification {number}")
    notify(cast.psychologist, "Read already", read=True)
    body = alex.get("/").content.decode()
    assert 'Notifications (3<span class="govuk-visually-hidden"> unread</span>)' in body
    from reviews.context_processors import notifications

    request = alex.get("/").wsgi_request
    with django_assert_max_num_queries(1):
        assert notifications(request)["notifications_nav"]["unread"] == 3


def test_with_nothing_unread_the_link_shows_no_count(cast: Cast, client: Client) -> None:
    client.force_login(cast.teacher)
    body = client.get("/").content.decode()
    assert 'data-testid="notifications-link"' in body
    assert "Notifications (" not in body


def test_the_list_is_paginated_with_a_pinned_query_count(
    cast: Cast, alex: Client, django_assert_max_num_queries: Any
) -> None:
    Notification.objects.bulk_create(
        Notification(recipient=cast.psychologist, title=f"Reminder {number:02d}", link="/referrals/triage/")
        for number in range(60)
    )
    with django_assert_max_num_queries(8):
        first = alex.get(LIST).content.decode()
    assert first.count('data-testid="notification"') == 50
    assert "Page 1 of 2" in first
    second = alex.get(LIST + "?page=2").content.decode()
    assert second.count('data-testid="notification"') == 10


def test_marking_one_read_changes_only_that_one_and_returns_to_the_page(cast: Cast, alex: Client) -> None:
    chosen = notify(cast.psychologist, "Chosen")
    other = notify(cast.psychologist, "Other")
    response = alex.post(f"/notifications/{chosen.pk}/read/", {"page": "2"})
    assert response.status_code == 302
    assert response["Location"] == "/notifications/?page=2"
    chosen.refresh_from_db()
    other.refresh_from_db()
    assert chosen.read_at is not None and other.read_at is None
    assert alex.post(f"/notifications/{chosen.pk}/read/").status_code == 302  # again: no harm


def test_another_persons_notification_answers_404_and_stays_unread(cast: Cast, alex: Client) -> None:
    jordans = notify(cast.senior_practitioner, "Jordan's own")
    assert alex.post(f"/notifications/{jordans.pk}/read/").status_code == 404
    assert alex.post("/notifications/999999/read/").status_code == 404
    jordans.refresh_from_db()
    assert jordans.read_at is None


def test_marking_read_needs_a_post(cast: Cast, alex: Client) -> None:
    mine = notify(cast.psychologist, "Mine")
    assert alex.get(f"/notifications/{mine.pk}/read/").status_code == 405
    assert alex.get("/notifications/read-all/").status_code == 405
    mine.refresh_from_db()
    assert mine.read_at is None


def test_mark_all_as_read_marks_only_mine(cast: Cast, alex: Client) -> None:
    for number in range(3):
        notify(cast.psychologist, f"Mine {number}")
    jordans = notify(cast.senior_practitioner, "Jordan's own")
    response = alex.post("/notifications/read-all/", follow=True)
    assert "All your notifications are marked as read." in response.content.decode()
    assert not Notification.objects.filter(recipient=cast.psychologist, read_at__isnull=True).exists()
    jordans.refresh_from_db()
    assert jordans.read_at is None


def test_preferences_start_with_every_email_and_can_be_changed(cast: Cast, alex: Client) -> None:
    body = alex.get(PREFERENCES).content.decode()
    assert "alex@test.ecm.invalid" in body
    assert body.count(" checked") == 2
    response = alex.post(PREFERENCES, {"emails": ["weekly_digest"]}, follow=True)
    assert "Your e-mail preferences have been saved." in response.content.decode()
    preference = EmailPreference.objects.get(user=cast.psychologist)
    assert (preference.send_email, preference.weekly_digest) == (False, True)
    body = alex.get(PREFERENCES).content.decode()
    assert body.count(" checked") == 1
    assert 'value="weekly_digest" checked' in body

    alex.post(PREFERENCES, {})  # nothing ticked: no e-mails at all
    preference.refresh_from_db()
    assert (preference.send_email, preference.weekly_digest) == (False, False)


def test_a_preference_change_is_kept_in_the_history_with_who_made_it(cast: Cast, alex: Client) -> None:
    alex.post(PREFERENCES, {"emails": ["send_email"]})
    alex.post(PREFERENCES, {"emails": ["send_email", "weekly_digest"]})
    preference = email_preference_of(cast.psychologist)
    history = list(preference.history.order_by("pgh_id").values_list("pgh_label", "weekly_digest"))  # type: ignore[attr-defined]
    assert history == [("insert", False), ("update", True)]
    assert preference.history.last().pgh_context.metadata["user"] == cast.psychologist.pk  # type: ignore[attr-defined]


def test_an_unknown_choice_is_refused_with_the_error_summary(cast: Cast, alex: Client) -> None:
    response = alex.post(PREFERENCES, {"emails": ["sms"]})
    body = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in body
    assert not EmailPreference.objects.filter(user=cast.psychologist).exists()


def test_preferences_are_each_persons_own(cast: Cast, alex: Client, client: Client) -> None:
    alex.post(PREFERENCES, {})
    other = Client()
    other.force_login(cast.senior_practitioner)
    assert other.get(PREFERENCES).content.decode().count(" checked") == 2
    assert not EmailPreference.objects.filter(user=cast.senior_practitioner).exists()
