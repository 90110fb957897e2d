""" "Who can see this case": every person with access and why, from the access module's own relations."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from accounts.models import Coverage
from accounts.services import coverage_remove, user_deactivate
from cases import access
from cases.access import Relation
from cases.services import case_share_summary
from tests.conftest import Cast
from tests.factories import person


def reasons_by_name(cast: Cast) -> dict[str, tuple[str, ...]]:
    return {viewer.person.get_full_name(): viewer.reasons for viewer in access.who_can_see(cast.case)}


def test_each_relation_appears_with_its_reason(cast: Cast) -> None:
    case_share_summary(case=cast.case, actor=cast.case_manager, agency=cast.social_care)

    assert reasons_by_name(cast) == {
        "Sam Okafor": ("Holds the case", "Case manager of Bristol YJS, the service that owns the case"),
        "Priya Nandra": ("Case manager of Bristol YJS, the service that owns the case",),
        "Alex Morgan": ("Covers Bristol YJS (clinical psychologist)",),
        "Jordan Reeve": ("Covers Bristol YJS (senior practitioner)",),
        "Helen Marsh": ("The shared summary is shared with them personally",),
        "Rob Ingram": ("The shared summary is shared with Avonvale Social Care, where they work",),
    }
    viewers = access.who_can_see(cast.case)
    assert viewers[0].person == cast.case_manager  # the holder first
    full = {viewer.person.username: viewer.full_record for viewer in viewers}
    assert full == {"sam": True, "priya": True, "alex": True, "jordan": True, "helen": False, "rob": False}


def test_the_list_agrees_with_the_access_module_for_everyone(cast: Cast) -> None:
    case_share_summary(case=cast.case, actor=cast.case_manager, agency=cast.social_care)
    listed = {viewer.person.pk: viewer.relations for viewer in access.who_can_see(cast.case)}
    for user in cast.everyone().values():
        relations = access.relations_to(user, cast.case)
        assert listed.get(user.pk, frozenset()) == relations, user.username
        assert (user.pk in listed) == (cast.case in access.visible_cases(user)), user.username


def test_a_leaver_disappears(cast: Cast) -> None:
    user_deactivate(user=cast.teacher, actor=cast.administrator)
    assert "Helen Marsh" not in reasons_by_name(cast)


def test_a_case_manager_who_leaves_is_gone_even_while_still_the_holder(cast: Cast) -> None:
    user_deactivate(user=cast.case_manager, actor=cast.administrator)
    names = reasons_by_name(cast)
    assert "Sam Okafor" not in names and "Priya Nandra" in names


def test_a_clinician_whose_coverage_ends_is_gone(cast: Cast) -> None:
    coverage_remove(coverage=Coverage.objects.get(clinician=cast.psychologist), actor=cast.administrator)
    assert "Alex Morgan" not in reasons_by_name(cast)


def test_the_list_takes_a_fixed_number_of_queries(cast: Cast, django_assert_max_num_queries: Any) -> None:
    case_share_summary(case=cast.case, actor=cast.case_manager, agency=cast.social_care)
    for number in range(8):
        person(f"cm{number}", "Extra", f"Manager{number}", agency=cast.bristol, role="case_manager")
    with django_assert_max_num_queries(4):
        viewers = access.who_can_see(cast.case)
    assert len(viewers) == 14


def test_the_case_access_page_shows_who_can_see_and_why(cast: Cast, client: Client) -> None:
    user_deactivate(user=cast.teacher, actor=cast.administrator)
    client.force_login(cast.colleague)
    body = client.get(f"/cases/{cast.case.pk}/access-log/").content.decode()
    assert "Who can see this case now" in body
    assert "Covers Bristol YJS (senior practitioner)" in body
    assert "Holds the case" in body
    assert "Helen Marsh" not in body.split("Every view, download and export")[0]


@pytest.mark.parametrize("who,status", [("teacher", 403), ("banes_case_manager", 404), ("administrator", 404)])
def test_the_case_access_page_is_for_the_full_record_only(cast: Cast, client: Client, who: str, status: int) -> None:
    client.force_login(cast.everyone()[who])
    assert client.get(f"/cases/{cast.case.pk}/access-log/").status_code == status


def test_relations_are_the_access_modules_own(cast: Cast) -> None:
    [holder] = [viewer for viewer in access.who_can_see(cast.case) if viewer.person == cast.case_manager]
    assert holder.relations == frozenset({Relation.HOLDER, Relation.OWNER})
