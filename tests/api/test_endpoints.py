"""The foundation's endpoints with a token each: cases, children, referrals, notifications.

Each has the access triad (allowed / visible but forbidden 403 / invisible 404) and each list a pinned
query count with enough rows to show an N+1.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from rest_framework import serializers

from accounts.models import AccessEvent
from cases.api import CaseSummarySerializer
from referrals.models import Referral, ReferralStatus
from reviews.models import Notification
from tests.api.helpers import token_client
from tests.conftest import Cast
from tests.factories import child, make_case
from tests.referrals.helpers import COMPLETE_ANSWERS, CONSENT, draft_referral, submitted_referral

# --- Cases ---------------------------------------------------------------------------------------------


def test_case_detail_triad(cast: Cast) -> None:
    path = f"/api/v1/cases/{cast.case.pk}/"
    assert token_client(cast.teacher, cast=cast).get(path).status_code == 200  # the shared summary
    assert token_client(cast.banes_case_manager, cast=cast).get(path).status_code == 404
    # Visible but forbidden: a read-only token may not change anything, even on a case it sees.
    assert token_client(cast.case_manager, cast=cast, scopes=("read",)).patch(path).status_code == 403


def test_case_list_filters(cast: Cast) -> None:
    mine = make_case(owning_yjs=cast.bristol, case_holder=cast.colleague)
    client = token_client(cast.colleague, cast=cast)
    assert [c["id"] for c in client.get("/api/v1/cases/?held_by_me=true").json()["results"]] == [mine.pk]
    assert client.get("/api/v1/cases/?status=closed").json()["results"] == []


def test_a_case_is_written_as_its_declared_fields_would_write_it(cast: Cast) -> None:
    """CaseSummarySerializer writes its rows by hand (issue 14): the same keys and values as DRF's walk through the
    declared fields, which the schema documents."""
    serializer = CaseSummarySerializer()
    by_hand = serializer.to_representation(cast.case)
    assert by_hand == serializers.ModelSerializer.to_representation(serializer, cast.case)
    assert by_hand["case_holder"] == cast.case_manager.get_full_name()
    client = token_client(cast.case_manager, cast=cast)
    assert client.get(f"/api/v1/cases/{cast.case.pk}/").json() == by_hand
    # The list writes the same from its rows of values (CaseSummaryRowSerializer), on its first page (compiled SQL)
    # and on the pages after it (the queryset), one case a page.
    pages, url = [], "/api/v1/cases/?page_size=1&ordering=-id&status="
    while url:
        page = client.get(url).json()
        pages.append(page["results"])
        url = page["next"]
    assert [by_hand] in pages and all(len(rows) == 1 for rows in pages)


def test_case_list_query_count_is_pinned(cast: Cast, django_assert_max_num_queries) -> None:
    for _ in range(30):
        make_case(owning_yjs=cast.bristol, case_holder=cast.colleague)
    client = token_client(cast.psychologist, cast=cast)
    client.get("/api/v1/cases/")  # the token's last use is noted once a minute: not in the count below
    with django_assert_max_num_queries(8):
        assert len(client.get("/api/v1/cases/").json()["results"]) == 31


# --- Children ------------------------------------------------------------------------------------------


def test_child_search_has_the_find_a_child_hint_rules(cast: Cast) -> None:
    born = cast.case.child.date_of_birth.strftime("%d/%m/%Y")
    # A near-miss name finds Kai Brennan for the full record's readers and the network alike.
    assert [m["case"] for m in token_client(cast.teacher, cast=cast).get("/api/v1/children/?q=Kai Brenan").json()] == [
        cast.case.pk
    ]
    # A date of birth matches only where the caller reads the full record: the teacher learns nothing from it.
    assert token_client(cast.teacher, cast=cast).get(f"/api/v1/children/?q={born}").json() == []
    found = token_client(cast.case_manager, cast=cast).get(f"/api/v1/children/?q={born}").json()
    assert [m["case"] for m in found] == [cast.case.pk] and found[0]["exact"] is True
    assert token_client(cast.banes_case_manager, cast=cast).get("/api/v1/children/?q=Kai Brennan").json() == []


def test_an_empty_child_search_finds_nothing_and_logs_nothing(cast: Cast) -> None:
    client = token_client(cast.case_manager, cast=cast)
    assert client.get("/api/v1/children/?q=").json() == []
    assert client.get("/api/v1/children/").json() == []
    assert not AccessEvent.objects.filter(user=cast.case_manager).exists()
    assert client.get("/api/v1/children/?q=" + "x" * 101).status_code == 400  # too long: the field says so


def test_child_search_is_logged_without_its_terms(cast: Cast) -> None:
    token_client(cast.case_manager, cast=cast).get("/api/v1/children/?q=Brennan")
    event = AccessEvent.objects.get(user=cast.case_manager, action="search")
    assert event.case_ids == [cast.case.pk] and event.path == "/api/v1/children/"


def test_child_detail_triad_and_identifiers(cast: Cast) -> None:
    path = f"/api/v1/children/{cast.case.child_id}/"
    full = token_client(cast.case_manager, cast=cast).get(path).json()
    assert full["date_of_birth"] == cast.case.child.date_of_birth.isoformat() and full["cases"] == [cast.case.pk]
    summary = token_client(cast.teacher, cast=cast).get(path).json()
    assert summary["name"] == "Kai Brennan" and summary["date_of_birth"] is None and summary["reference"] is None
    assert token_client(cast.social_worker, cast=cast).get(path).status_code == 404
    assert token_client(cast.teacher, cast=cast, scopes=("write",)).get(path).status_code == 403


def test_child_search_query_count_is_pinned(cast: Cast, django_assert_max_num_queries) -> None:
    for number in range(30):
        make_case(
            owning_yjs=cast.bristol, case_holder=cast.colleague, child_record=child(family_name=f"Brennan{number}")
        )
    client = token_client(cast.case_manager, cast=cast)
    client.get("/api/v1/children/?q=Brennan")
    with django_assert_max_num_queries(8):
        assert len(client.get("/api/v1/children/?q=Brennan").json()) >= 30


# --- Referrals -----------------------------------------------------------------------------------------


def test_start_a_draft_for_a_new_child_fill_it_in_and_submit_it(cast: Cast) -> None:
    client = token_client(cast.case_manager, cast=cast)
    born = (timezone.localdate() - dt.timedelta(days=15 * 365)).isoformat()
    created = client.post(
        "/api/v1/referrals/",
        {"new_child": {"given_name": "Ravi", "family_name": "Okonjo", "date_of_birth": born}, "urgency": "soon"},
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    referral = created.json()
    assert referral["status"] == "draft" and referral["urgency"] == "soon" and referral["child_name"] == "Ravi Okonjo"
    path = f"/api/v1/referrals/{referral['id']}/"
    # Submitting an incomplete draft: 400 with the check page's messages.
    etag = client.get(path)["ETag"]
    refused = client.post(f"{path}submit/", headers={"If-Match": etag})
    assert refused.status_code == 400 and "reasons" in refused.json()
    # Fill it in with If-Match: a stale ETag is 412, a missing one 428.
    answers = {**COMPLETE_ANSWERS, **CONSENT, "consent_date": (timezone.localdate() - dt.timedelta(days=2)).isoformat()}
    assert client.patch(path, answers, content_type="application/json").status_code == 428
    saved = client.patch(path, answers, content_type="application/json", headers={"If-Match": etag})
    assert saved.status_code == 200, saved.content
    assert client.patch(path, answers, content_type="application/json", headers={"If-Match": etag}).status_code == 412
    submitted = client.post(f"{path}submit/", headers={"If-Match": saved["ETag"]})
    assert submitted.status_code == 200 and submitted.json()["status"] == "submitted"
    assert Referral.objects.get(pk=referral["id"]).status == ReferralStatus.SUBMITTED


def test_a_possible_match_must_be_confirmed(cast: Cast) -> None:
    kai = cast.case.child
    client = token_client(cast.colleague, cast=cast)
    details = {"given_name": "Kai", "family_name": "Brennan", "date_of_birth": kai.date_of_birth.isoformat()}
    response = client.post("/api/v1/referrals/", {"new_child": details}, content_type="application/json")
    assert response.status_code == 400 and "confirm_new_child" in response.json()
    assert not Referral.objects.exists()


def test_start_for_a_child_one_does_not_see_is_400_without_saying_more(cast: Cast) -> None:
    other = make_case(owning_yjs=cast.banes, case_holder=cast.banes_case_manager)
    client = token_client(cast.case_manager, cast=cast)
    response = client.post("/api/v1/referrals/", {"child": other.child_id}, content_type="application/json")
    assert response.status_code == 400 and "child" in response.json()


def test_referral_triad(cast: Cast) -> None:
    draft = draft_referral(cast)
    path = f"/api/v1/referrals/{draft.pk}/"
    assert token_client(cast.colleague, cast=cast).get(path).status_code == 200
    assert token_client(cast.psychologist, cast=cast).get(path).status_code == 404  # a draft is Bristol's own
    submitted = submitted_referral(cast)
    psychologist = token_client(cast.psychologist, cast=cast)
    assert psychologist.get(f"/api/v1/referrals/{submitted.pk}/").status_code == 200
    # Visible but forbidden: the covering psychologist may not change the referring service's referral.
    assert (
        psychologist.patch(f"/api/v1/referrals/{submitted.pk}/", {}, content_type="application/json").status_code == 403
    )


def test_referral_list_query_count_is_pinned(cast: Cast, django_assert_max_num_queries) -> None:
    for _ in range(30):
        draft_referral(cast)
    client = token_client(cast.case_manager, cast=cast)
    client.get("/api/v1/referrals/")
    with django_assert_max_num_queries(8):
        assert len(client.get("/api/v1/referrals/").json()["results"]) == 30
    event = AccessEvent.objects.filter(user=cast.case_manager, description="referral list API").last()
    assert event is not None and len(event.referral_ids) == 30


# --- Notifications -------------------------------------------------------------------------------------


def test_notifications_are_ones_own_and_marked_read(cast: Cast) -> None:
    mine = Notification.objects.create(recipient=cast.case_manager, title="A review is due")
    client = token_client(cast.case_manager, cast=cast)
    assert [n["id"] for n in client.get("/api/v1/notifications/?unread=true").json()["results"]] == [mine.pk]
    read = client.post(f"/api/v1/notifications/{mine.pk}/read/")
    assert read.status_code == 200 and read.json()["is_unread"] is False
    assert client.get("/api/v1/notifications/?unread=true").json()["results"] == []
    other = token_client(cast.colleague, cast=cast)
    assert other.get(f"/api/v1/notifications/{mine.pk}/").status_code == 404
    assert (
        token_client(cast.case_manager, cast=cast, scopes=("read",))
        .post(f"/api/v1/notifications/{mine.pk}/read/")
        .status_code
        == 403
    )


def test_notification_list_query_count_is_pinned(cast: Cast, django_assert_max_num_queries) -> None:
    for number in range(30):
        Notification.objects.create(recipient=cast.case_manager, title=f"Reminder {number}")
    client = token_client(cast.case_manager, cast=cast)
    client.get("/api/v1/notifications/")
    with django_assert_max_num_queries(6):
        assert len(client.get("/api/v1/notifications/").json()["results"]) == 30
