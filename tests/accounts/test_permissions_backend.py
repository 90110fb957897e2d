"""The role layer reads a person's permissions (their own and their groups') in one query."""

from __future__ import annotations

from django.contrib.auth.models import Permission

from accounts.models import User
from tests.conftest import Cast


def test_permissions_are_read_in_one_query_and_kept_on_the_person(cast: Cast, django_assert_num_queries) -> None:
    user = User.objects.get(pk=cast.psychologist.pk)
    with django_assert_num_queries(1):
        assert user.has_perm("formulation.write_formulation_report")
        assert user.has_perm("cases.read_case_record")
        assert not user.has_perm("accounts.read_access_log")


def test_own_and_group_permissions_both_count(cast: Cast) -> None:
    user = User.objects.get(pk=cast.case_manager.pk)
    assert not user.has_perm("accounts.read_access_log")
    user.user_permissions.add(Permission.objects.get(codename="read_access_log"))
    user = User.objects.get(pk=cast.case_manager.pk)
    # The personal permission, and the case manager role's group permissions beside it.
    assert user.has_perm("accounts.read_access_log")
    assert user.has_perm("cases.write_case_record")


def test_inactive_people_have_no_permissions(cast: Cast) -> None:
    user = User.objects.get(pk=cast.psychologist.pk)
    user.is_active = False
    assert not user.has_perm("cases.read_case_record")
    assert user.get_all_permissions() == set()
