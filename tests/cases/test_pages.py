"""The home page shows each role its work; case pages show what each person may see."""

from __future__ import annotations

import html
import re

import pytest
from django.test import Client

from accounts.audit import access_event_record
from accounts.models import AccessAction
from formulation.services import meeting_schedule
from tests.conftest import Cast
from tests.factories import make_case
from tests.formulation.helpers import WINTER_DAY, teacher_invitee, uk_time

SECTIONS = {
    "Cases you hold": {"case_manager", "colleague", "banes_case_manager"},
    "Your referrals": {"case_manager", "colleague", "banes_case_manager"},
    "Referrals waiting for triage": {"psychologist", "senior_practitioner"},
    "ECM cases in the services you cover": {"psychologist", "senior_practitioner"},
    "Cases shared with you": {"teacher", "social_worker"},
    "ECM activity": {"commissioner"},
    "Access audit": {"administrator"},
    "Your next meetings": {
        "case_manager",
        "colleague",
        "banes_case_manager",
        "psychologist",
        "senior_practitioner",
        "teacher",
        "social_worker",
    },
}


@pytest.mark.parametrize(
    "who", ["case_manager", "banes_case_manager", "psychologist", "teacher", "commissioner", "administrator"]
)
def test_home_shows_each_role_its_own_sections(cast: Cast, client: Client, who: str) -> None:
    user = cast.everyone()[who]
    client.force_login(user)
    body = client.get("/").content.decode()
    for heading, roles in SECTIONS.items():
        assert (heading in body) == (who in roles), f"{who}: {heading!r}"
    assert user.get_full_name() in body
    assert user.memberships.get().agency.name in body


def test_case_manager_home_lists_the_cases_they_hold(cast: Cast, client: Client) -> None:
    client.force_login(cast.case_manager)
    assert "Kai Brennan" in client.get("/").content.decode()
    client.force_login(cast.colleague)
    body = client.get("/").content.decode()
    assert "You do not hold any open ECM cases." in body


def test_home_lists_the_next_meetings_the_person_is_invited_to(cast: Cast, client: Client) -> None:
    meeting = meeting_schedule(
        case=cast.case,
        actor=cast.senior_practitioner,
        purpose="formulation",
        starts_at=uk_time(WINTER_DAY, 10),
        ends_at=uk_time(WINTER_DAY, 11),
        invitees=[teacher_invitee(cast)],
        location="Fernbrook Academy",
    )
    client.force_login(cast.teacher)
    assert meeting.get_absolute_url() in client.get("/").content.decode()
    client.force_login(cast.colleague)  # not invited, not the organiser
    body = client.get("/").content.decode()
    assert meeting.get_absolute_url() not in body and "You have no meetings coming up." in body


def test_commissioner_sees_suppressed_counts_and_no_child(cast: Cast, client: Client) -> None:
    client.force_login(cast.commissioner)
    body = client.get("/").content.decode()
    assert 'data-testid="open-cases">&lt;5<' in body
    assert "Kai" not in body
    assert "LOC-100231" not in body


def test_partner_case_page_is_the_shared_summary_without_identifiers(cast: Cast, client: Client) -> None:
    client.force_login(cast.teacher)
    body = client.get(f"/cases/{cast.case.pk}/").content.decode()
    assert "shared summary" in body
    assert "LOC-100231" not in body  # the reference is in the full record only
    assert "Date of birth" not in body
    assert "See who has looked at this case" not in body


def test_full_record_shows_identifiers_and_the_case_access_log_link(cast: Cast, client: Client) -> None:
    client.force_login(cast.psychologist)
    body = client.get(f"/cases/{cast.case.pk}/details/").content.decode()
    assert "LOC-100231" in body
    assert "See who has looked at this case" in body


def test_case_access_log_lists_who_looked(cast: Cast, client: Client) -> None:
    client.force_login(cast.psychologist)
    client.get(f"/cases/{cast.case.pk}/")
    client.force_login(cast.case_manager)
    body = client.get(f"/cases/{cast.case.pk}/access-log/").content.decode()
    # In plain words, not codes (issue 15): "Alex Morgan viewed the case record, 5 Dec 2026 02:10".
    assert "Alex Morgan viewed the case record, " in body


def test_case_list_is_scoped_and_filtered(cast: Cast, client: Client) -> None:
    banes_case = make_case(owning_yjs=cast.banes, case_holder=cast.banes_case_manager)
    client.force_login(cast.case_manager)
    body = client.get("/cases/").content.decode()
    assert "Kai Brennan" in body
    assert banes_case.child.full_name not in body
    client.force_login(cast.colleague)
    assert "Kai Brennan" not in client.get("/cases/?status=open&mine=on").content.decode()
    assert "Kai Brennan" in client.get("/cases/?status=open").content.decode()


def test_case_list_query_count_does_not_grow_with_rows(
    cast: Cast,
    client: Client,
    django_assert_max_num_queries,
) -> None:
    for _ in range(40):
        make_case(owning_yjs=cast.bristol, case_holder=cast.colleague)
    client.force_login(cast.psychologist)
    with django_assert_max_num_queries(10):
        response = client.get("/cases/")
    assert response.content.decode().count('class="govuk-link" href="/cases/') == 41


def test_access_log_page_filters_and_paginates(cast: Cast, client: Client) -> None:
    for number in range(60):
        access_event_record(
            user=cast.psychologist,
            action=AccessAction.VIEW,
            record_type="case",
            record_id=number,
            case_id=number,
        )
    access_event_record(user=cast.teacher, action=AccessAction.DOWNLOAD, record_type="pdf", case_id=7)
    client.force_login(cast.administrator)
    first = client.get("/cases/access-log/").content.decode()
    # Newer/older links, not page numbers: the log is never counted (2,000,000 rows at national scale).
    assert 'rel="next"' in first and ">Older<" in first and 'rel="prev"' not in first
    older = re.search(r'href="\?(older=[^"]+)" rel="next"', first)
    assert older is not None
    second = client.get("/cases/access-log/?" + html.unescape(older.group(1))).content.decode()
    assert ">Newer<" in second and ">Older<" not in second
    filtered = client.get("/cases/access-log/?person=helen&action=download").content.decode()
    assert "Helen Marsh" in filtered
    assert "Alex Morgan" not in filtered
    invalid = client.get("/cases/access-log/?case=abc").content.decode()
    assert "There is a problem" in invalid
    assert "Enter a case number" in invalid


def test_access_log_page_query_count_is_pinned(
    cast: Cast,
    client: Client,
    django_assert_max_num_queries,
) -> None:
    for number in range(50):
        access_event_record(user=cast.psychologist, action=AccessAction.VIEW, record_type="case", record_id=number)
    client.force_login(cast.administrator)
    with django_assert_max_num_queries(10):
        client.get("/cases/access-log/")


def test_error_pages_use_the_service_style(cast: Cast, client: Client) -> None:
    client.force_login(cast.banes_case_manager)
    not_found = client.get(f"/cases/{cast.case.pk}/")
    assert not_found.status_code == 404
    assert "Page not found" in not_found.content.decode()
    assert "govuk-header" in not_found.content.decode()
    forbidden = client.get("/cases/access-log/")
    assert forbidden.status_code == 403
    assert "You cannot do that" in forbidden.content.decode()


def test_the_server_error_page_renders_in_the_service_style(rf) -> None:
    from django.views.defaults import server_error

    response = server_error(rf.get("/"))
    body = response.content.decode()
    assert response.status_code == 500
    assert "Sorry, there is a problem with the service" in body
    assert "govuk-header" in body
