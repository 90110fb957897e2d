"""Factories for the project's models. Every name, school and child here is invented."""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

import factory
from factory.django import DjangoModelFactory

from accounts.models import Agency, AgencyKind, Role, User
from accounts.services import agency_create, coverage_add, membership_add
from cases.models import Case, Child
from cases.services import case_open

TEST_PASSWORD = "correct-horse-battery-staple"  # noqa: S105


class AgencyFactory(DjangoModelFactory):
    class Meta:
        model = Agency

    name = factory.Sequence(lambda n: f"Test agency {n}")
    kind = AgencyKind.YOUTH_JUSTICE

    @classmethod
    def _create(cls, model_class: type[Agency], *args: Any, **kwargs: Any) -> Agency:
        return agency_create(name=kwargs["name"], kind=kwargs["kind"])


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"person{n}")
    first_name = "Test"
    last_name = factory.Sequence(lambda n: f"Person{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@test.ecm.invalid")
    password = factory.PostGenerationMethodCall("set_password", TEST_PASSWORD)

    @factory.post_generation
    def save_password(user: User, create: bool, extracted: Any, **kwargs: Any) -> None:  # noqa: N805
        if create:
            user.save(update_fields=["password"])


def agency(name: str, kind: str) -> Agency:
    return cast(Agency, AgencyFactory(name=name, kind=kind))


def child(**fields: Any) -> Child:
    return cast(Child, ChildFactory(**fields))


def person(username: str, first: str, last: str, *, agency: Agency, role: str, covers: tuple[Agency, ...] = ()) -> User:
    """A person with one role in one agency (and coverage, for clinicians)."""
    user = cast(User, UserFactory(username=username, first_name=first, last_name=last))
    membership_add(user=user, agency=agency, role=role)
    for yjs in covers:
        coverage_add(clinician=user, yjs=yjs)
    return user


class ChildFactory(DjangoModelFactory):
    class Meta:
        model = Child

    given_name = factory.Sequence(lambda n: f"Child{n}")
    family_name = "Testfamily"
    date_of_birth = dt.date(2010, 5, 17)
    reference = factory.Sequence(lambda n: f"TEST-{n:06d}")


def make_case(*, owning_yjs: Agency, case_holder: User, child_record: Child | None = None) -> Case:
    return case_open(
        child=child_record or cast(Child, ChildFactory()),
        owning_yjs=owning_yjs,
        case_holder=case_holder,
        actor=case_holder,
    )


__all__ = ["AgencyFactory", "ChildFactory", "Role", "UserFactory", "agency", "child", "make_case", "person"]
