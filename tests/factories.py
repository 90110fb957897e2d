"""Factories for the project's models. Every name, school and child here is invented."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, cast

import factory
from django.core.files.base import ContentFile
from django.utils import timezone
from factory.django import DjangoModelFactory

from accounts.history import acting_as
from accounts.models import Agency, AgencyKind, Role, User
from accounts.services import agency_create, coverage_add, membership_add
from cases.models import Case, Child, Contact, ContactKind
from cases.services import case_open, contact_log
from core.documents.models import DocumentState
from formulation.models import (
    ActionStatus,
    DocumentKind,
    FormulationReport,
    Meeting,
    MeetingPurpose,
    Recommendation,
    ReportDocument,
    ReportStatus,
)
from formulation.services import meeting_schedule
from tests.formulation.helpers import SUMMER_DAY, gp_invitee, teacher_invitee, uk_time
from trm_stages.services import stage_assessment_record

if TYPE_CHECKING:
    from tests.cast import Cast

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


def log_contact(
    case: Case,
    actor: User,
    *,
    restricted: bool = False,
    days_ago: float = 1,
    occurred_at: dt.datetime | None = None,
    **fields: Any,
) -> Contact:
    """A contact logged on `case` by `actor`, `days_ago` days ago (or at `occurred_at`): a face-to-face talk
    with Kai about football unless `fields` (kind, with_whom, note, ...) say otherwise."""
    values: dict[str, Any] = {
        "kind": ContactKind.FACE_TO_FACE,
        "with_whom": "Kai",
        "note": "We talked about football and his week at school.",
        **fields,
    }
    return contact_log(
        case=case,
        actor=actor,
        occurred_at=occurred_at or timezone.now() - dt.timedelta(days=days_ago),
        restricted=restricted,
        **values,
    )


def formulation_meeting(cast: Cast, *, day: dt.date = SUMMER_DAY, **overrides: Any) -> Meeting:
    """A formulation meeting about the cast's case, scheduled by the senior practitioner for 10:00 to 11:30 on
    `day` (a summer day by default) in Fernbrook's meeting room 2, with the network's teacher and an outside
    GP invited. `overrides` are `meeting_schedule`'s own arguments."""
    fields: dict[str, Any] = {
        "case": cast.case,
        "actor": cast.senior_practitioner,
        "purpose": MeetingPurpose.FORMULATION,
        "starts_at": uk_time(day, 10),
        "ends_at": uk_time(day, 11, 30),
        "location": "Meeting room 2, Fernbrook Academy",
        "video_link": "",
        "invitees": [teacher_invitee(cast), gp_invitee()],
        **overrides,
    }
    return meeting_schedule(**fields)


def recommendation(
    cast: Cast,
    report: FormulationReport | None,
    text: str,
    *,
    owner: User | None = None,
    suits_from_stage: int = 1,
    due_on: dt.date | None = None,
    position: int = 0,
    status: str = ActionStatus.NOT_STARTED,
    **fields: Any,
) -> Recommendation:
    """An agreed action on the cast's case (of `report`, an action since its sign-off, when given), owned by
    `owner` for their first agency, due `due_on` (today by default). One that suits a stage above 2 carries a
    justification; `fields` are the recommendation's others (`owner_name`, ...)."""
    membership = owner.memberships.select_related("agency").first() if owner else None
    with acting_as(cast.psychologist):
        return Recommendation.objects.create(
            report=report,
            case=cast.case,
            position=position,
            text=text,
            suits_from_stage=suits_from_stage,
            justification="Kai asked for it himself." if suits_from_stage > 2 else "",
            owner=owner,
            owner_agency=membership.agency if membership else None,
            due_on=due_on or timezone.localdate(),
            status=status,
            became_action_at=report.signed_off_at if report else None,
            **fields,
        )


# Kai's report as the PDFs print it. Each section says what it is, so a test can tell which ones a PDF printed.
SECTION_TEXT = {
    "reason_for_referral": "Referred after three arrests in two months and a school exclusion.",
    "childs_story": "STORY: Kai lived with his father until the age of seven, then moved between relatives.",
    "presenting_behaviour": "BEHAVIOUR: walks out of lessons when a supply teacher arrives unannounced.",
    "underlying_needs": "NEEDS: a predictable adult who keeps coming back, and safety at home.",
    "presenting_factors": "FIVE-P-PRESENTING: aggression when shamed in front of others.",
    "predisposing_factors": "FIVE-P-PREDISPOSING: early loss of his mother and several moves.",
    "precipitating_factors": "FIVE-P-PRECIPITATING: his grandfather's death last winter.",
    "perpetuating_factors": "FIVE-P-PERPETUATING: exclusions that confirm he is not wanted.",
    "protective_factors": "FIVE-P-PROTECTIVE: his aunt, football and a youth worker he trusts.",
    "childs_voice": "VOICE: Kai says he wants to get back into college and play for the under-18s.",
    "strengths": "STRENGTHS: loyal to his friends, funny, a gifted goalkeeper.",
    "trm_rationale": "RATIONALE: he now seeks out his case manager but cannot yet talk about the past.",
}
CHILD_SUMMARY = "CHILD-FRIENDLY: Kai, we met to think about how to help you feel safe and get back to college."
RECOMMENDATION_TEXT = [
    "Keep one named adult at the Fernbrook Academy gate every morning this term.",
    "Life-story work with the psychologist when Kai is ready to talk about the past.",
]


def stage_journey_for(cast: Cast) -> None:
    """Three assessments, the last at stage 2, so the report's stage chart has a line to draw."""
    today = timezone.localdate()
    for days_ago, stage in ((90, 1), (50, 2), (10, 2)):
        stage_assessment_record(
            case=cast.case,
            actor=cast.psychologist,
            assessed_on=today - dt.timedelta(days=days_ago),
            stage_number=stage,
            evidence="Seen at home and at school",
            source="formulation" if days_ago == 90 else "review",
        )


def report_fields(cast: Cast, *, child_friendly: str = CHILD_SUMMARY) -> dict[str, Any]:
    """What `signed_off_report` needs to make Kai's report as the PDFs print it: every section, the
    child-friendly summary, stage 2, submitted and signed off now, and two recommendations."""
    now = timezone.now()
    today = timezone.localdate()
    return {
        **SECTION_TEXT,
        "trm_stage": 2,
        "child_friendly_summary": child_friendly,
        "submitted_for_review_at": now,
        "signed_off_at": now,
        "recommendations": [
            {
                "text": RECOMMENDATION_TEXT[0],
                "suits_from_stage": 1,
                "owner": cast.teacher,
                "owner_agency": cast.school,
                "due_on": today + dt.timedelta(weeks=6),
            },
            {
                "text": RECOMMENDATION_TEXT[1],
                "suits_from_stage": 3,
                "justification": "He has asked for it himself; the work goes at his pace.",
                "owner_name": "Dr Imogen Vale",
                "owner_agency_name": "Avon Vale Surgery",
                "due_on": today + dt.timedelta(weeks=12),
            },
        ],
    }


def kais_report(cast: Cast, *, stage_journey: bool = False, child_friendly: str = CHILD_SUMMARY) -> FormulationReport:
    """Kai's signed-off report with every section written (`report_fields`), after his stage journey when
    `stage_journey` (for the stage chart); `child_friendly` blank leaves it without a child's PDF."""
    if stage_journey:
        stage_journey_for(cast)
    return signed_off_report(cast, **report_fields(cast, child_friendly=child_friendly))


def ready_document(report: FormulationReport, kind: str, content: bytes = b"%PDF-1.7 sample") -> ReportDocument:
    """A PDF of `report` already made (its file a few bytes in the test's storage)."""
    document, _ = ReportDocument.objects.get_or_create(report=report, kind=kind)
    document.file.save(f"ecm-case-{report.case_id}-{kind}.pdf", ContentFile(content), save=False)
    document.status = DocumentState.READY
    document.pages = 1
    document.render_seconds = 0.1
    document.attempts = 1
    document.finished_at = timezone.now()
    document.save()
    return document


def all_ready(report: FormulationReport) -> dict[str, ReportDocument]:
    return {kind: ready_document(report, kind) for kind in DocumentKind.values}


__all__ = [
    "CHILD_SUMMARY",
    "RECOMMENDATION_TEXT",
    "SECTION_TEXT",
    "AgencyFactory",
    "ChildFactory",
    "Role",
    "UserFactory",
    "agency",
    "all_ready",
    "child",
    "formulation_meeting",
    "kais_report",
    "log_contact",
    "make_case",
    "person",
    "ready_document",
    "recommendation",
    "report_fields",
    "signed_off_report",
    "stage_journey_for",
]
