"""Factories for the project's models. Every name, school and child here is invented."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, cast

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from accounts.history import acting_as
from accounts.models import Agency, AgencyKind, Role, User
from accounts.services import agency_create, coverage_add, membership_add
from cases.models import Case, Child
from cases.services import case_open
from formulation.models import FormulationReport, Recommendation, ReportStatus

if TYPE_CHECKING:
    from tests.conftest import Cast

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


def signed_off_report(
    cast: Cast,
    *,
    signed_off_at: dt.datetime | None = None,
    version: int = 1,
    recommendations: Sequence[Mapping[str, Any]] = (),
    **fields: Any,
) -> FormulationReport:
    """The cast's case's formulation report, written by the psychologist and signed off by the senior
    practitioner at `signed_off_at` (now by default). Made directly: the report editor has its own tests.

    `fields` are the report's own (sections, `trm_stage`, ...); each of `recommendations` becomes an agreed
    action, placed in order unless it gives its `position`."""
    signed_at = signed_off_at or timezone.now()
    with acting_as(cast.psychologist):
        report = FormulationReport.objects.create(
            case=cast.case,
            version=version,
            author=cast.psychologist,
            updated_by=cast.psychologist,
            status=ReportStatus.SIGNED_OFF,
            signed_off_at=signed_at,
            signed_off_by=cast.senior_practitioner,
            **fields,
        )
        for position, recommendation in enumerate(recommendations):
            Recommendation.objects.create(
                report=report,
                case=cast.case,
                became_action_at=signed_at,
                **{"position": position, **recommendation},
            )
    return report


__all__ = [
    "AgencyFactory",
    "ChildFactory",
    "Role",
    "UserFactory",
    "agency",
    "child",
    "make_case",
    "person",
    "signed_off_report",
]
