"""The access module, branch by branch: relations, role permissions, 404 versus 403, one query."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.db.models import BooleanField, Q
from django.db.models.expressions import RawSQL
from django.http import Http404

from accounts.models import AccessAction, AccessEvent, Role
from accounts.roles import ROLE_PERMISSIONS
from accounts.services import coverage_add, coverage_remove, membership_end
from cases import access
from cases.access import Action, Relation, core
from cases.models import Case, Child
from cases.services import case_share_summary, case_unshare_summary
from core.memo import request_memo
from tests.conftest import Cast
from tests.factories import make_case, person


def test_owner_and_covering_clinicians_see_the_case_and_others_do_not(cast: Cast) -> None:
    seers = {name for name, user in cast.everyone().items() if cast.case in access.visible_cases(user)}
    assert seers == {"case_manager", "colleague", "psychologist", "senior_practitioner", "teacher"}


def test_relations_are_computed_per_person(cast: Cast) -> None:
    assert access.relations_to(cast.case_manager, cast.case) == {Relation.OWNER, Relation.HOLDER}
    assert access.relations_to(cast.colleague, cast.case) == {Relation.OWNER}
    assert access.relations_to(cast.psychologist, cast.case) == {Relation.COVERING}
    assert access.relations_to(cast.teacher, cast.case) == {Relation.SHARED}
    assert access.relations_to(cast.banes_case_manager, cast.case) == frozenset()


def test_restricted_notes_are_for_the_case_holder_and_clinicians_only(cast: Cast) -> None:
    assert access.may(cast.case_manager, Action.VIEW_RESTRICTED, cast.case)
    assert access.may(cast.psychologist, Action.VIEW_RESTRICTED, cast.case)
    assert access.may(cast.senior_practitioner, Action.VIEW_RESTRICTED, cast.case)
    assert not access.may(cast.colleague, Action.VIEW_RESTRICTED, cast.case)
    assert not access.may(cast.teacher, Action.VIEW_RESTRICTED, cast.case)


def test_partner_in_the_network_sees_only_the_shared_summary(cast: Cast) -> None:
    assert access.may(cast.teacher, Action.VIEW_SUMMARY, cast.case)
    assert not access.may(cast.teacher, Action.VIEW, cast.case)
    with pytest.raises(PermissionDenied):
        access.get_case_for(cast.teacher, cast.case.pk, Action.VIEW)


def test_another_yjs_gets_404_not_403(cast: Cast) -> None:
    with pytest.raises(Http404):
        access.get_case_for(cast.banes_case_manager, cast.case.pk, Action.VIEW)


def test_a_missing_case_and_an_invisible_case_answer_alike(cast: Cast) -> None:
    with pytest.raises(Http404):
        access.get_case_for(cast.case_manager, 999_999, Action.VIEW)
    with pytest.raises(Http404):
        access.get_case_for(cast.case_manager, "not-a-number", Action.VIEW)


def test_administrator_cannot_read_case_content(cast: Cast) -> None:
    assert cast.case not in access.visible_cases(cast.administrator)
    assert access.may_read_whole_access_log(cast.administrator)
    assert not access.may_read_whole_access_log(cast.case_manager)


def test_agency_wide_share_reaches_every_member_of_that_agency(cast: Cast) -> None:
    assert cast.case not in access.visible_cases(cast.social_worker)
    case_share_summary(case=cast.case, actor=cast.case_manager, agency=cast.social_care)
    assert cast.case in access.visible_cases(cast.social_worker)
    assert access.may(cast.social_worker, Action.VIEW_SUMMARY, cast.case)
    case_unshare_summary(case=cast.case, actor=cast.case_manager, agency=cast.social_care)
    assert cast.case not in access.visible_cases(cast.social_worker)


def test_unsharing_removes_the_partners_access(cast: Cast) -> None:
    case_unshare_summary(case=cast.case, actor=cast.case_manager, user=cast.teacher)
    with pytest.raises(Http404):
        access.get_case_for(cast.teacher, cast.case.pk, Action.VIEW_SUMMARY)


def test_access_ends_at_once_after_it_was_used(cast: Cast) -> None:
    """The relation flags' SQL, and the fetch with them, are compiled once per person and standing
    (cases.access.core._relation_flags, _flagged_record): a person who has just read the case loses it on their
    next request once the share or the membership ends."""
    access.get_case_for(cast.teacher, cast.case.pk, Action.VIEW_SUMMARY)
    access.get_case_for(cast.colleague, cast.case.pk, Action.VIEW)
    case_unshare_summary(case=cast.case, actor=cast.case_manager, user=cast.teacher)
    membership_end(membership=cast.colleague.memberships.get(), actor=cast.administrator)
    with pytest.raises(Http404):
        access.get_case_for(cast.teacher, cast.case.pk, Action.VIEW_SUMMARY)
    with pytest.raises(Http404):
        access.get_case_for(cast.colleague, cast.case.pk, Action.VIEW)
    # Others' access, compiled for their own standing, is unchanged.
    assert access.get_case_for(cast.case_manager, cast.case.pk, Action.VIEW) == cast.case


def test_one_compiled_fetch_answers_for_each_record_the_person_asks_for(cast: Cast) -> None:
    core._flagged_record.cache_clear()
    other = make_case(owning_yjs=cast.case.owning_yjs, case_holder=cast.case_manager)
    banes_case = make_case(owning_yjs=cast.banes, case_holder=cast.banes_case_manager)
    assert access.get_case_for(cast.case_manager, cast.case.pk, Action.VIEW) == cast.case
    fetched = access.get_case_for(cast.case_manager, other.pk, Action.VIEW)
    assert fetched == other
    assert fetched.child == other.child  # select_related as before
    with pytest.raises(Http404):
        access.get_case_for(cast.case_manager, banes_case.pk, Action.VIEW)
    assert core._flagged_record.cache_info().misses == 1  # compiled once for the three
    assert access.get_case_for(cast.banes_case_manager, banes_case.pk, Action.VIEW) == banes_case
    assert core._flagged_record.cache_info().misses == 2  # and once for another person


def test_row_condition_sql_is_compiled_once_per_standing_and_follows_a_change_of_it(cast: Cast) -> None:
    """The caseload marks which rows show the full record with `row_condition_sql`, kept per person and standing:
    coverage added or removed is a new standing, so a new condition at once."""
    core._row_condition_sql.cache_clear()
    banes_case = make_case(owning_yjs=cast.banes, case_holder=cast.banes_case_manager)

    def full_record(user: object) -> set[int]:
        sql, params = access.row_condition_sql(user, Action.VIEW)
        marked = Case.objects.annotate(full=RawSQL(sql, params, BooleanField()))  # noqa: S611 (compiled by the ORM)
        return set(marked.filter(full=True).values_list("pk", flat=True))

    assert full_record(cast.psychologist) == {cast.case.pk}
    assert full_record(cast.psychologist) == {cast.case.pk}
    assert core._row_condition_sql.cache_info().misses == 1
    coverage = coverage_add(clinician=cast.psychologist, yjs=cast.banes, actor=cast.administrator)
    assert full_record(cast.psychologist) == {cast.case.pk, banes_case.pk}
    coverage_remove(coverage=coverage, actor=cast.administrator)
    assert full_record(cast.psychologist) == {cast.case.pk}
    # A person whose roles do not allow the action gets no rows, whatever they stand to.
    assert full_record(cast.teacher) == set()


def test_the_scope_key_changes_with_every_rule_it_stands_for(cast: Cast, monkeypatch: pytest.MonkeyPatch) -> None:
    """SQL compiled from a person's access is kept under `scope_key`: a change of the rules themselves (as the
    mutation check of the generated matrix makes) must be a new key, never an answer compiled before it."""
    before = access.scope_key(cast.psychologist)
    assert access.scope_key(cast.psychologist) == before
    monkeypatch.setitem(core._CONDITIONS, Relation.SHARED, lambda user, standing, scope: Q(pk__in=[]))
    changed_condition = access.scope_key(cast.psychologist)
    monkeypatch.setattr(core, "VISIBLE_RELATIONS", core.VISIBLE_RELATIONS - {Relation.SHARED})
    changed_visible = access.scope_key(cast.psychologist)
    rules = dict(core.RULES)
    rules[Action.VIEW] = core.Rule(None, frozenset())
    monkeypatch.setattr(core, "RULES", rules)
    changed_rules = access.scope_key(cast.psychologist)
    assert len({before, changed_condition, changed_visible, changed_rules}) == 4
    assert access.scope_key(cast.case_manager) != changed_rules  # and each person's own


def test_ending_a_membership_ends_access(cast: Cast) -> None:
    membership = cast.colleague.memberships.get()
    membership_end(membership=membership, actor=cast.administrator)
    assert cast.case not in access.visible_cases(cast.colleague)


def test_a_clinician_who_stops_being_one_loses_coverage(cast: Cast) -> None:
    membership_end(membership=cast.psychologist.memberships.get(), actor=cast.administrator)
    assert cast.case not in access.visible_cases(cast.psychologist)


def test_coverage_of_another_service_does_not_open_bristol(cast: Cast) -> None:
    banes_psychologist = person(
        "claire", "Claire", "Stone", agency=cast.ecm_team, role=Role.PSYCHOLOGIST, covers=(cast.banes,)
    )
    assert cast.case not in access.visible_cases(banes_psychologist)
    banes_case = make_case(owning_yjs=cast.banes, case_holder=cast.banes_case_manager)
    assert list(access.visible_cases(banes_psychologist)) == [banes_case]


def test_role_permission_is_needed_as_well_as_the_relation(cast: Cast) -> None:
    """A partner role placed in a YJS is not an owner: the owner relation needs the case manager role."""
    yjs_partner = person("pat", "Pat", "Quinn", agency=cast.bristol, role=Role.PARTNER)
    assert cast.case not in access.visible_cases(yjs_partner)
    assert not access.cases_for(yjs_partner, Action.VIEW).exists()


def test_no_role_group_holds_the_object_only_summary_permission() -> None:
    for permissions in ROLE_PERMISSIONS.values():
        assert "cases.view_case_summary" not in permissions


def test_visible_cases_is_one_query_after_the_persons_standing(cast: Cast, django_assert_num_queries) -> None:
    for _ in range(30):
        make_case(owning_yjs=cast.bristol, case_holder=cast.colleague)
    # Outside a request: the person's standing (one query), then the cases (one query).
    with django_assert_num_queries(2):
        rows = list(access.visible_cases(cast.psychologist).select_related("child", "owning_yjs", "case_holder"))
    assert len(rows) == 31
    # In a request the standing is read once, however many lists the page shows.
    with request_memo(), django_assert_num_queries(3):
        for _ in range(2):
            assert len(list(access.visible_cases(cast.psychologist))) == 31


def test_the_scoping_query_has_no_subquery_per_case(cast: Cast) -> None:
    """The ids the person stands on are values in the query: no correlated EXISTS for the planner to price per row."""
    sql = str(access.visible_cases(cast.teacher).query).upper()
    assert "EXISTS" not in sql
    assert "SELECT" not in sql.split(" WHERE ", 1)[1]


def test_standing_is_read_afresh_in_each_request(cast: Cast) -> None:
    """A share granted between two requests (or outside one) is seen by the next."""
    other = make_case(owning_yjs=cast.bristol, case_holder=cast.colleague)
    with request_memo():
        assert other not in access.visible_cases(cast.teacher)
    case_share_summary(case=other, actor=cast.case_manager, agency=cast.school)
    with request_memo():
        assert other in access.visible_cases(cast.teacher)


def test_cases_for_scopes_by_action(cast: Cast) -> None:
    assert list(access.cases_for(cast.teacher, Action.VIEW_SUMMARY)) == [cast.case]
    assert not access.cases_for(cast.teacher, Action.VIEW).exists()
    assert list(access.cases_for(cast.case_manager, Action.VIEW_RESTRICTED)) == [cast.case]
    assert not access.cases_for(cast.colleague, Action.VIEW_RESTRICTED).exists()


def test_get_case_for_logs_a_view_and_refusals(cast: Cast) -> None:
    access.get_case_for(cast.psychologist, cast.case.pk, Action.VIEW)
    with pytest.raises(Http404):
        access.get_case_for(cast.banes_case_manager, cast.case.pk, Action.VIEW)
    with pytest.raises(PermissionDenied):
        access.get_case_for(cast.teacher, cast.case.pk, Action.VIEW)
    events = AccessEvent.objects.filter(case_id=cast.case.pk).order_by("id")
    assert [(event.user, event.action) for event in events] == [
        (cast.psychologist, AccessAction.VIEW),
        (cast.banes_case_manager, AccessAction.DENIED),
        (cast.teacher, AccessAction.DENIED),
    ]


def test_anonymous_sees_nothing(cast: Cast) -> None:
    from django.contrib.auth.models import AnonymousUser

    assert not access.visible_cases(AnonymousUser()).exists()
    with pytest.raises(Http404):
        access.get_case_for(AnonymousUser(), cast.case.pk, Action.VIEW)


def test_a_case_holder_moved_out_of_the_yjs_loses_holder_rights(cast: Cast) -> None:
    membership_end(membership=cast.case_manager.memberships.get(), actor=cast.administrator)
    case = Case.objects.get(pk=cast.case.pk)
    assert access.relations_to(cast.case_manager, case) == frozenset()


def test_the_child_is_one_record_across_cases(cast: Cast) -> None:
    second = make_case(owning_yjs=cast.bristol, case_holder=cast.colleague, child_record=cast.case.child)
    assert second.child_id == cast.case.child_id
    assert Child.objects.filter(pk=cast.case.child_id).count() == 1
