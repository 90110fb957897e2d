"""The signed-in person's facts (permissions, memberships, standing, unread count): one read per request."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.facts import memberships_of, permissions_of
from accounts.models import Membership, Role, User
from cases.access.standing import standing_of
from core import person_facts
from core.memo import request_memo
from core.person_facts import PersonFact, person_fact, register_person_fact
from reviews.models import Notification
from reviews.notifications import unread_count_for_navigation
from tests.conftest import Cast


def test_in_a_request_every_fact_comes_from_one_query(cast: Cast, django_assert_num_queries) -> None:
    user = User.objects.get(pk=cast.case_manager.pk)
    Notification.objects.create(recipient=user, title="A report waits for your sign-off")
    with request_memo(), django_assert_num_queries(1):
        assert "cases.write_case_record" in permissions_of(user)
        assert [str(m.agency.name) for m in memberships_of(user)] == ["Bristol YJS"]
        assert standing_of(user).owned_yjs == {cast.bristol.pk}
        assert unread_count_for_navigation(user) == 1
        # Asked again in the same request: kept.
        assert standing_of(user).owned_yjs == {cast.bristol.pk}


def test_outside_a_request_each_fact_is_read_alone_and_afresh(cast: Cast, django_assert_num_queries) -> None:
    user = User.objects.get(pk=cast.colleague.pk)
    with django_assert_num_queries(1):
        before = standing_of(user)
    Membership.objects.create(user=user, agency=cast.banes, role=Role.CASE_MANAGER)
    after = standing_of(user)
    assert cast.banes.pk not in before.owned_yjs
    assert cast.banes.pk in after.owned_yjs


def test_memberships_come_with_their_agencies_and_load_other_fields_on_use(
    cast: Cast, django_assert_num_queries
) -> None:
    user = User.objects.get(pk=cast.case_manager.pk)
    with request_memo():
        (membership,) = memberships_of(user)
        with django_assert_num_queries(0):
            assert membership.get_role_display() == "Case manager"
            assert membership.agency.name == "Bristol YJS"
            assert membership.agency_id == cast.bristol.pk
        # A field the header does not need is still there, read when asked for.
        with django_assert_num_queries(1):
            assert membership.created_at is not None


def test_a_fact_with_parameters_outside_its_own_names_is_refused(cast: Cast, monkeypatch) -> None:
    # Registered for this test only: the registry and its statements are put back afterwards.
    monkeypatch.setattr(person_facts, "_FACTS", dict(person_facts._FACTS))
    monkeypatch.setattr(person_facts, "_STATEMENTS", {})
    register_person_fact(
        PersonFact("test_stray", lambda: "SELECT %(other)s", parse=lambda v: v, params=lambda u: {"other": 1})
    )
    with pytest.raises(ValueError, match="must start with 'test_stray__'"):
        person_fact(cast.case_manager, "test_stray")


def test_an_unregistered_fact_is_a_clear_error(cast: Cast) -> None:
    with pytest.raises(KeyError, match="no person fact 'nothing'"):
        person_fact(cast.case_manager, "nothing")


def test_a_page_reads_the_persons_facts_once(cast: Cast, client) -> None:
    client.force_login(cast.case_manager)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(f"/cases/{cast.case.pk}/")
    assert response.status_code == 200
    statements = [query["sql"] for query in captured.captured_queries]
    assert sum("jsonb_build_object('access_standing'" in sql for sql in statements) == 1
    # Nothing else reads permissions, memberships or the unread count on its own.
    assert not [sql for sql in statements if '"auth_permission"' in sql]
    assert not [sql for sql in statements if 'FROM "accounts_membership"' in sql]
    assert not [sql for sql in statements if 'FROM "reviews_notification"' in sql]
