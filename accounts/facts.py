"""The person's permissions and active memberships, as facts read with the others once per request
(core.person_facts): every page's header, navigation and permission checks need them."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.db import models

from accounts.models import Agency, Membership, User
from core.person_facts import PersonFact, person_fact, register_person_fact

PERMISSIONS = "permissions"
MEMBERSHIPS = "memberships"

_MEMBERSHIP_FIELDS = ("id", "user_id", "agency_id", "role", "is_active")
_AGENCY_FIELDS = ("id", "name", "kind", "is_active")


def _permissions_sql() -> str:
    permission, content_type = Permission._meta.db_table, ContentType._meta.db_table
    own, in_groups = User.user_permissions.through._meta.db_table, Group.permissions.through._meta.db_table
    user_groups = User.groups.through._meta.db_table
    return f"""
        SELECT coalesce(jsonb_agg(DISTINCT ct.app_label || '.' || p.codename), '[]'::jsonb)
          FROM {permission} p JOIN {content_type} ct ON ct.id = p.content_type_id
         WHERE %({PERMISSIONS}__superuser)s
            OR p.id IN (SELECT o.permission_id FROM {own} o WHERE o.user_id = %(user)s)
            OR p.id IN (SELECT gp.permission_id FROM {in_groups} gp
                          JOIN {user_groups} ug ON ug.group_id = gp.group_id WHERE ug.user_id = %(user)s)
    """  # noqa: S608 - table names from the models' metadata, values are parameters


def _memberships_sql() -> str:
    membership, agency = Membership._meta.db_table, Agency._meta.db_table
    columns = ", ".join([*(f"m.{name}" for name in _MEMBERSHIP_FIELDS), *(f"a.{name}" for name in _AGENCY_FIELDS)])
    return f"""
        SELECT coalesce(jsonb_agg(jsonb_build_array({columns}) ORDER BY m.created_at, m.id), '[]'::jsonb)
          FROM {membership} m JOIN {agency} a ON a.id = m.agency_id
         WHERE m.user_id = %(user)s AND m.is_active AND a.is_active
    """  # noqa: S608 - table names from the models' metadata, values are parameters


def _loaded(model: type[models.Model], names: tuple[str, ...], values: list[Any]) -> Any:
    """An instance as if read with .only(names): the other fields load on first use."""
    given = dict(zip(names, values, strict=True))
    attnames = [field.attname for field in model._meta.concrete_fields if field.attname in given]
    return model.from_db("default", attnames, [given[name] for name in attnames])


def _memberships(rows: list[list[Any]] | None) -> list[Membership]:
    found = []
    for row in rows or []:
        membership = _loaded(Membership, _MEMBERSHIP_FIELDS, row[: len(_MEMBERSHIP_FIELDS)])
        membership.agency = _loaded(Agency, _AGENCY_FIELDS, row[len(_MEMBERSHIP_FIELDS) :])
        found.append(membership)
    return found


def permissions_of(user: Any) -> set[str]:
    """ "app_label.codename" of every permission the person has, their own and their groups'."""
    return set(person_fact(user, PERMISSIONS))


def memberships_of(user: Any) -> list[Membership]:
    """The person's active memberships in active agencies, oldest first, each with its agency."""
    memberships: list[Membership] = person_fact(user, MEMBERSHIPS)
    return memberships


def register() -> None:
    register_person_fact(
        PersonFact(
            PERMISSIONS,
            _permissions_sql,
            parse=lambda names: names or [],
            params=lambda user: {f"{PERMISSIONS}__superuser": bool(user.is_superuser)},
        )
    )
    register_person_fact(PersonFact(MEMBERSHIPS, _memberships_sql, parse=_memberships))
