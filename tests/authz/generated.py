"""The generated authorization matrix: every URL pattern of the project (the HTML pages and the API under
/api/v1/), for everyone in the cast and nobody signed in, against in-scope and out-of-scope objects, with
GET and, where the view takes it, POST.

This module knows how to *ask*, never what the answer should be: it builds a world of objects around the
cast (`build_world`), walks `get_resolver()` and fills every path argument from that world (`targets_for`),
and sends each request in a savepoint that is rolled back (`run_matrix`), noting which tables the request
wrote to. The expected answers come from the independent oracle in tests/test_generated_authorization_matrix.py,
which never asks the access module.

The world, around the cast's case:

| case     | owning service  | holder             | state  | the teacher            | others                         |
| -------- | --------------- | ------------------ | ------ | ---------------------- | ------------------------------ |
| own      | Bristol YJS     | Sam (case manager) | open   | in network, shared     |                                |
| closed   | Bristol YJS     | Priya (colleague)  | closed | in network, shared     |                                |
| other    | BANES YJS       | Tom (BANES)        | open   | in network, NOT shared |                                |
| shared   | North Somerset  | a North Somerset CM| open   | in network, shared     | shared with social care's group|

The shared case moved to North Somerset from BANES ten days ago, so Tom (BANES) reads it as its former service
(issue 17), and the own case is offered to BANES, waiting for its decision (`World.transfers`).

Every case has the same records hanging off it (two contacts, one restricted; the holder's chronology PDF; an
outside network member; a consultation; a stage assessment; a goal; a meeting the teacher is invited to and one
she is not; a signed-off report with its PDFs and an action the teacher owns; a second version in review with a
recommendation and a comment; a review under way and a signed-off one with its record PDF). A "crossed"
target asks the own case's URL with the closed case's record ids (a record must not be reachable through a
case it does not belong to, even by someone who may see both).
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection, transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from accounts.api_tokens import ApiToken, api_token_create
from accounts.history import acting_as
from accounts.models import Agency, AgencyKind, Commissioning, Coverage, Role, User
from cases.models import (
    Case,
    CaseHolding,
    CaseMerge,
    CaseTransfer,
    ChronologyDocument,
    Consultation,
    Contact,
    ContactKind,
    NetworkMember,
)
from cases.services import case_close, case_share_summary, consultation_log, contact_log, network_member_add
from cases.services.transfers import transfer_offer
from core.documents.models import DocumentState
from data_rights.models import RetentionReview, SubjectAccessRequest
from formulation.models import (
    DocumentKind,
    FormulationReport,
    Invitation,
    Meeting,
    MeetingPurpose,
    Recommendation,
    ReportComment,
    ReportDocument,
    ReportStatus,
)
from formulation.services import (
    Invitee,
    meeting_schedule,
    recommendation_add,
    report_comment_add,
    report_start,
    report_submit,
)
from referrals.models import Referral
from reporting.models import SummaryDocument
from reporting.services import commissioning_add
from reviews.models import Notification, Review, ReviewDocument, ReviewStatus
from reviews.services import review_schedule
from tests.authz.case_documents import document_records, version_records, world_case_documents
from tests.authz.core import ANON
from tests.authz.core import PEOPLE as WRITTEN_PEOPLE
from tests.authz.data_rights import retention_review_of, sar_of
from tests.conftest import Cast
from tests.factories import agency, child, make_case, person
from tests.referrals.helpers import draft_referral, submitted_referral
from trm_stages.models import Goal, StageAssessment
from trm_stages.services import goal_set, stage_assessment_record

PEOPLE = tuple(WRITTEN_PEOPLE)  # the cast, as the written matrix names them
EVERYONE = (ANON, *PEOPLE)

CASE_KEYS = ("own", "closed", "other", "shared")
SAMPLE_PDF = "authz/generated-matrix-sample.pdf"
OUTSIDER_EMAIL = "imogen.vale@avon-gp.example.org"

# Tables a refused request may write to: the access log records the refusal, the session its last use.
# Anything else written by a refused request is a change that must not have happened.
BOOKKEEPING_TABLES = ("accounts_accessevent", "django_session")


# --- The world ---------------------------------------------------------------------------------------


@dataclass
class CaseWorld:
    """One case and one of each record that hangs off it."""

    key: str
    case: Case
    child_name: str
    restricted_note: str
    contacts: dict[str, Contact]  # "plain", "restricted"
    member: NetworkMember  # an outside professional (no ECM account)
    consultation: Consultation
    assessment: StageAssessment
    goal: Goal
    meetings: dict[str, Meeting]  # "invited" (the teacher is), "uninvited"
    invitations: dict[str, Invitation]  # the outside GP's invitation to each meeting
    reports: dict[str, FormulationReport]  # "signed_off" (v1, PDFs made), "in_review" (v2)
    recommendation: Recommendation  # on v2, being written
    comment: ReportComment  # on v2
    action: Recommendation  # v1's agreed action, owned by the teacher
    reviews: dict[str, Review]  # "under_way", "signed_off"
    merges: dict[str, CaseMerge] = field(default_factory=dict)  # "earlier": a record merged into this case


@dataclass
class World:
    cast: Cast
    cases: dict[str, CaseWorld]
    referrals: dict[str, Referral]
    people: dict[str, User]  # people the administration pages are asked about
    agencies: dict[str, Agency]
    coverage: dict[str, Coverage]
    commissioning: dict[str, Commissioning]
    notifications: dict[str, Notification]
    summaries: dict[str, SummaryDocument]
    network_candidate: User  # someone to add to a network (the network picker's choose step)
    subject_access: SubjectAccessRequest  # a subject access request about Kai, its PDF pack ready
    retention_review: RetentionReview  # a closed Bristol case due for retention review
    # Offers of a case to another service: "to_banes", the own case offered to BANES, waiting (issue 17).
    transfers: dict[str, CaseTransfer] = field(default_factory=dict)
    # An API token of each person the administration pages are asked about (issue 19), keyed like `people`.
    api_tokens: dict[str, ApiToken] = field(default_factory=dict)

    def everyone(self) -> dict[str, User]:
        return self.cast.everyone()


_numbers = itertools.count(1)


def _sample_pdf() -> str:
    if not default_storage.exists(SAMPLE_PDF):
        default_storage.save(SAMPLE_PDF, ContentFile(b"%PDF-1.7 sample"))
    return SAMPLE_PDF


def _meeting(case: Case, *, organiser: User, invitees: list[Invitee], days: int) -> Meeting:
    starts_at = (timezone.now() + dt.timedelta(days=days)).replace(hour=10, minute=0, second=0, microsecond=0)
    return meeting_schedule(
        case=case,
        actor=organiser,
        purpose=MeetingPurpose.FORMULATION,
        starts_at=starts_at,
        ends_at=starts_at + dt.timedelta(minutes=90),
        location="Meeting room 2",
        invitees=invitees,
    )


def _case_world(
    key: str,
    case: Case,
    *,
    holder: User,
    psychologist: User,
    senior: User,
    teacher: User,
    school: Agency,
    teacher_shared: bool,
    close_as: User | None = None,
) -> CaseWorld:
    """Every record that hangs off a case, made through the services where they are quick to call."""
    now = timezone.now()
    restricted_note = f"Restricted disclosure {key}-{next(_numbers)} QXZ"
    if not NetworkMember.objects.filter(case=case, user=teacher, removed_at__isnull=True).exists():
        network_member_add(
            case=case,
            actor=holder,
            user=teacher,
            name="",
            agency=school,
            role="Designated teacher",
            may_see_summary=teacher_shared,
        )
    member = network_member_add(
        case=case, actor=holder, name="Dr Imogen Vale", role="GP", agency_name="Avon GP", email=OUTSIDER_EMAIL
    )
    contacts = {
        "plain": contact_log(
            case=case,
            actor=holder,
            occurred_at=now - dt.timedelta(days=2),
            kind=ContactKind.HOME_VISIT,
            with_whom="The child and their mother",
            note="Talked about football.",
        ),
        "restricted": contact_log(
            case=case,
            actor=holder,
            occurred_at=now - dt.timedelta(days=1),
            kind=ContactKind.PHONE,
            with_whom="The child",
            note=restricted_note,
            restricted=True,
        ),
    }
    consultation = consultation_log(
        case=case,
        actor=psychologist,
        held_on=timezone.localdate(),
        attendees="The case manager",
        question="How do we keep the child engaged?",
        advice="Keep appointments at the same time each week.",
        minutes_spent=45,
    )
    assessment = stage_assessment_record(
        case=case,
        actor=psychologist,
        assessed_on=timezone.localdate() - dt.timedelta(days=3),
        stage_number=2,
        evidence="Waits after sessions to talk.",
        source="formulation",
    )
    goal = goal_set(
        case=case,
        actor=holder,
        text="Get to school on time every day",
        set_by="The child with their case manager",
        set_on=timezone.localdate() - dt.timedelta(days=7),
        start_score=3,
    )
    outsider = Invitee(name="Dr Imogen Vale", email=OUTSIDER_EMAIL, agency_name="Avon GP", role="GP")
    meetings = {
        "invited": _meeting(
            case,
            organiser=senior,
            days=30,
            invitees=[Invitee(name="Helen Marsh", email=teacher.email, user=teacher, agency=school), outsider],
        ),
        "uninvited": _meeting(case, organiser=senior, days=40, invitees=[outsider]),
    }
    invitations = {name: meeting.invitations.get(email=OUTSIDER_EMAIL) for name, meeting in meetings.items()}

    signed_at = now - dt.timedelta(days=20)
    with acting_as(psychologist):
        signed = FormulationReport.objects.create(
            case=case,
            version=1,
            author=psychologist,
            updated_by=psychologist,
            status=ReportStatus.SIGNED_OFF,
            signed_off_at=signed_at,
            signed_off_by=senior,
            strengths="A gifted goalkeeper.",
            child_friendly_summary="We met to think about how to help you.",
        )
        action = Recommendation.objects.create(
            report=signed,
            case=case,
            position=0,
            became_action_at=signed_at,
            text="A daily check-in with Ms Marsh at the start of school",
            suits_from_stage=1,
            owner=teacher,
            owner_agency=school,
            due_on=timezone.localdate() + dt.timedelta(days=14),
        )
        for kind in (DocumentKind.FULL, DocumentKind.SUMMARY):
            ReportDocument.objects.create(
                report=signed, kind=kind, status=DocumentState.READY, file=_sample_pdf(), pages=1, finished_at=now
            )
        ReportDocument.objects.create(
            report=signed, kind=DocumentKind.CHILD, status=DocumentState.FAILED, error="It broke", finished_at=now
        )
    in_review = report_start(case=case, actor=psychologist)
    recommendation = recommendation_add(
        report=in_review,
        actor=psychologist,
        text="Weekly football coaching with the youth worker.",
        due_on=timezone.localdate() + dt.timedelta(days=28),
        suits_from_stage=2,
        owner=teacher,
        owner_agency=school,
    )
    in_review = report_submit(report=in_review, actor=psychologist)
    comment = report_comment_add(
        report=in_review, actor=senior, text="Say more about the move in spring.", section="childs_story"
    )

    tomorrow = now + dt.timedelta(days=1)
    under_way = review_schedule(
        case=case,
        actor=senior,
        starts_at=tomorrow,
        ends_at=tomorrow + dt.timedelta(hours=1),
        location="Meeting room 2",
        invitees=[Invitee(name="Helen Marsh", email=teacher.email, user=teacher, agency=school)],
    )
    started = now - dt.timedelta(hours=1)
    Meeting.objects.filter(pk=under_way.meeting_id).update(starts_at=started, ends_at=started + dt.timedelta(hours=2))
    review_meeting = _meeting(case, organiser=senior, days=2, invitees=[outsider])
    Meeting.objects.filter(pk=review_meeting.pk).update(purpose=MeetingPurpose.REVIEW)
    with acting_as(senior):
        signed_review = Review.objects.create(
            case=case,
            meeting=review_meeting,
            chair=senior,
            status=ReviewStatus.SIGNED_OFF,
            childs_views="School is better.",
            next_review_on=timezone.localdate() + dt.timedelta(weeks=8),
            signed_off_at=now,
            signed_off_by=senior,
        )
        ReviewDocument.objects.create(
            review=signed_review, status=DocumentState.READY, file=_sample_pdf(), pages=1, finished_at=now
        )
    # The case holder's PDF of the chronology, ready (a chronology PDF is its requester's alone).
    ChronologyDocument.objects.create(
        case=case, requested_by=holder, status=DocumentState.READY, file=_sample_pdf(), pages=1, finished_at=now
    )
    world_case_documents(case, uploader=holder)  # one shared with the network, one kept to the case team
    if close_as is not None:
        case = case_close(
            case=case,
            actor=close_as,
            reason="goals_met",
            outcome_summary="Settled at school.",
            ending_plan="Phone the team if things slip.",
        )
    case.refresh_from_db()
    return CaseWorld(
        key=key,
        case=case,
        child_name=f"{case.child.given_name} {case.child.family_name}",
        restricted_note=restricted_note,
        contacts=contacts,
        member=member,
        consultation=consultation,
        assessment=assessment,
        goal=goal,
        meetings=meetings,
        invitations=invitations,
        reports={"signed_off": signed, "in_review": in_review},
        recommendation=recommendation,
        comment=comment,
        action=action,
        reviews={"under_way": under_way, "signed_off": signed_review},
    )


def build_world(cast: Cast) -> World:
    """The cast, four cases with everything that hangs off them, and the records of every other page."""
    north_somerset = agency("North Somerset YJS", AgencyKind.YOUTH_JUSTICE)
    # Clinicians covering the other services, to write their cases' records (not in the cast).
    other_psychologist = person(
        "gen-psy", "Quinn", "Ashdown", agency=cast.ecm_team, role=Role.PSYCHOLOGIST, covers=(cast.banes, north_somerset)
    )
    other_senior = person(
        "gen-senior",
        "Reese",
        "Calloway",
        agency=cast.ecm_team,
        role=Role.SENIOR_PRACTITIONER,
        covers=(cast.banes, north_somerset),
    )
    ns_case_manager = person("gen-nscm", "Morgan", "Pryce", agency=north_somerset, role=Role.CASE_MANAGER)
    # The child's names are unusual on purpose: a page that shows one to someone who may not see the case
    # is caught by looking for it (tests/test_generated_authorization_matrix.py).
    closed_case = make_case(
        owning_yjs=cast.bristol,
        case_holder=cast.colleague,
        child_record=child(given_name="Oriel", family_name="Vantongeren"),
    )
    other_case = make_case(
        owning_yjs=cast.banes,
        case_holder=cast.banes_case_manager,
        child_record=child(given_name="Ruby", family_name="Calderwick"),
    )
    shared_case = make_case(
        owning_yjs=north_somerset,
        case_holder=ns_case_manager,
        child_record=child(given_name="Tamsin", family_name="Okonkwo-Hale"),
    )
    cases = {
        "own": _case_world(
            "own",
            cast.case,
            holder=cast.case_manager,
            psychologist=cast.psychologist,
            senior=cast.senior_practitioner,
            teacher_shared=True,
            teacher=cast.teacher,
            school=cast.school,
        ),
        "closed": _case_world(
            "closed",
            closed_case,
            holder=cast.colleague,
            psychologist=cast.psychologist,
            senior=cast.senior_practitioner,
            teacher_shared=True,
            close_as=cast.colleague,
            teacher=cast.teacher,
            school=cast.school,
        ),
        "other": _case_world(
            "other",
            other_case,
            holder=cast.banes_case_manager,
            psychologist=other_psychologist,
            senior=other_senior,
            teacher_shared=False,
            teacher=cast.teacher,
            school=cast.school,
        ),
        "shared": _case_world(
            "shared",
            shared_case,
            holder=ns_case_manager,
            psychologist=other_psychologist,
            senior=other_senior,
            teacher_shared=True,
            teacher=cast.teacher,
            school=cast.school,
        ),
    }
    case_share_summary(case=shared_case, actor=ns_case_manager, agency=cast.social_care)

    referrals = {
        "bristol_draft": draft_referral(cast),
        "bristol_draft_without_consent": draft_referral(cast, complete=True, consent=False),
        "bristol_submitted": submitted_referral(cast),
        "banes_draft": draft_referral(cast, referrer=cast.banes_case_manager, yjs=cast.banes),
        "banes_submitted": submitted_referral(cast, referrer=cast.banes_case_manager, yjs=cast.banes),
    }
    people = {
        "colleague": cast.colleague,
        "banes_case_manager": cast.banes_case_manager,
        "psychologist": cast.psychologist,
        "administrator": cast.administrator,
    }
    agencies = {"bristol": cast.bristol, "banes": cast.banes}
    coverage = {
        "bristol": Coverage.objects.get(clinician=cast.psychologist, yjs=cast.bristol),
        "banes": Coverage.objects.get(clinician=other_psychologist, yjs=cast.banes),
    }
    commissioning = {"bristol": commissioning_add(commissioner_agency=cast.commissioning, yjs=cast.bristol)}
    notifications = {
        who: Notification.objects.create(
            recipient=getattr(cast, who),
            title="A referral has waited 11 working days for triage",
            body="A referral from Bristol YJS is still waiting for a triage decision.",
            link="/referrals/triage/",
        )
        for who in ("psychologist", "teacher")
    }
    today = timezone.localdate()
    summaries = {
        who: SummaryDocument.objects.create(
            requested_by=getattr(cast, who),
            start=today.replace(month=1, day=1),
            end=today,
            status=DocumentState.READY,
            file=_sample_pdf(),
            pages=1,
            finished_at=timezone.now(),
        )
        for who in ("commissioner", "case_manager")
    }
    for case_world in cases.values():
        case_world.merges = {"earlier": _merged_into(case_world.case)}
    return World(
        cast=cast,
        cases=cases,
        referrals=referrals,
        people=people,
        agencies=agencies,
        coverage=coverage,
        commissioning=commissioning,
        notifications=notifications,
        summaries=summaries,
        network_candidate=cast.social_worker,
        subject_access=sar_of(cast),
        retention_review=retention_review_of(cast),
        transfers=_transfers(cast, shared_case, from_yjs=cast.banes),
        api_tokens=_api_tokens(cast, people),
    )


def _api_tokens(cast: Cast, people: dict[str, User]) -> dict[str, ApiToken]:
    """A read token for each person the administration pages are asked about, in their first agency."""
    return {
        key: api_token_create(
            user=person,
            agency=person.memberships.filter(is_active=True).order_by("pk").first().agency,  # type: ignore[union-attr]
            actor=cast.administrator,
            name=f"{key}'s system",
            scopes=["read"],
        ).token
        for key, person in people.items()
    }


def _merged_into(case: Case) -> CaseMerge:
    """An earlier record of the case's child in the same service, merged into the case (cases/services/merges.py)."""
    earlier = make_case(owning_yjs=case.owning_yjs, case_holder=case.case_holder)
    with acting_as(case.case_holder):
        Case.objects.filter(pk=earlier.pk).update(merged_into=case, status="closed", closed_at=timezone.now())
        return CaseMerge.objects.create(
            survivor=case,
            merged_case=earlier,
            survivor_child=case.child,
            merged_child=earlier.child,
            reason="Referred twice.",
            merged_by=case.case_holder,
        )


def _transfers(cast: Cast, moved: Case, *, from_yjs: Agency) -> dict[str, CaseTransfer]:
    """Transfers between services (issue 17): the own case offered to BANES (waiting), and the shared case's past:
    it moved to its service from `from_yjs` ten days ago, so `from_yjs`'s case managers read it, as a former
    service, for ECM_TRANSFER_READ_DAYS (cases/access/former.py)."""
    moved_at = timezone.now() - dt.timedelta(days=10)
    with acting_as(cast.administrator):
        CaseHolding.objects.filter(case=moved, ended_at__isnull=True).update(started_at=moved_at)
        CaseHolding.objects.create(case=moved, agency=from_yjs, started_at=None, ended_at=moved_at)
    offered = transfer_offer(case=cast.case, actor=cast.case_manager, to_yjs=cast.banes, reason="Moved to Bath.")
    return {"to_banes": offered}


# --- The URL conf --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Pattern:
    name: str  # "namespace:name"
    route: str  # the whole route, e.g. "cases/<id:case_id>/contacts/"
    arguments: tuple[str, ...]  # the path arguments, in order
    methods: tuple[str, ...]  # "get" and/or "post"


def _methods(callback: Any) -> tuple[str, ...]:
    """The methods the view takes: its class's handlers, or the list its `require_http_methods` holds."""
    view_class = getattr(callback, "view_class", None)
    found: Iterable[str] | None = None
    if view_class is not None:
        found = [m for m in view_class.http_method_names if hasattr(view_class, m)]
    else:
        function = callback
        while function is not None and found is None:
            code = getattr(function, "__code__", None)
            if code is not None and "request_method_list" in code.co_freevars:
                cell = function.__closure__[code.co_freevars.index("request_method_list")]
                found = [method.lower() for method in cell.cell_contents]
            function = getattr(function, "__wrapped__", None)
    if found is None:
        # A view with no method restriction takes every method: ask both.
        return ("get", "post")
    return tuple(method for method in ("get", "post") if method in found)


def url_patterns() -> list[Pattern]:
    """Every URL pattern of the project, with its full route and the methods its view takes."""
    found: list[Pattern] = []

    def walk(patterns: list[URLPattern | URLResolver], prefix: str, namespace: str) -> None:
        for entry in patterns:
            if isinstance(entry, URLResolver):
                inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
                walk(entry.url_patterns, prefix + str(entry.pattern), inner)
            else:
                route = prefix + str(entry.pattern)
                converters = dict(getattr(entry.pattern, "converters", {}))
                arguments = tuple(converters) if converters else ()
                found.append(
                    Pattern(
                        name=f"{namespace}{entry.name}",
                        route=route,
                        arguments=arguments,
                        methods=_methods(entry.callback),
                    )
                )

    walk(get_resolver().url_patterns, "", "")
    return found


# --- Targets: a pattern's path arguments filled from the world ----------------------------------------


@dataclass(frozen=True)
class Target:
    """One URL to ask: the pattern, the path, and what it points at (for the oracle)."""

    pattern: Pattern
    path: str
    case: str | None = None  # the key of the case in the path (CASE_KEYS)
    objects: tuple[tuple[str, str], ...] = ()  # (argument, which one), e.g. ("contact_id", "restricted")
    crossed_from: str | None = None  # the records' own case, when it is not the case in the path

    def object(self, argument: str) -> str | None:
        return dict(self.objects).get(argument)

    @property
    def label(self) -> str:
        parts = [self.case or ""] + [f"{argument.removesuffix('_id')}={which}" for argument, which in self.objects]
        if self.crossed_from:
            parts.append(f"records of {self.crossed_from}")
        return " ".join(part for part in parts if part)


class UnknownArgument(LookupError):
    """A path argument the generator has no objects for: add them to tests/authz/generated.py."""


# The records of a case a path argument names, each with the ones the argument can point at.
_CASE_RECORDS: dict[str, Callable[[CaseWorld], dict[str, dict[str, int | str]]]] = {
    "contact_id": lambda w: {which: {"contact_id": c.pk} for which, c in w.contacts.items()},
    "member_id": lambda w: {"outsider": {"member_id": w.member.pk}},
    "consultation_id": lambda w: {"one": {"consultation_id": w.consultation.pk}},
    "assessment_id": lambda w: {"one": {"assessment_id": w.assessment.pk}},
    "goal_id": lambda w: {"open": {"goal_id": w.goal.pk}},
    "meeting_id": lambda w: {which: {"meeting_id": m.pk} for which, m in w.meetings.items()},
    "invitation_id": lambda w: {
        which: {"meeting_id": w.meetings[which].pk, "invitation_id": i.pk} for which, i in w.invitations.items()
    },
    "report_id": lambda w: {which: {"report_id": r.pk} for which, r in w.reports.items()},
    "kind": lambda w: {
        kind: {"report_id": w.reports["signed_off"].pk, "kind": kind} for kind in ("full", "summary", "child")
    },
    "comment_id": lambda w: {
        "in_review": {"report_id": w.reports["in_review"].pk, "comment_id": w.comment.pk},
    },
    "recommendation_id": lambda w: {
        "in_review": {"report_id": w.reports["in_review"].pk, "recommendation_id": w.recommendation.pk},
    },
    "review_id": lambda w: {which: {"review_id": r.pk} for which, r in w.reviews.items()},
    "document_id": lambda w: document_records(w.case),
    "version_id": lambda w: version_records(w.case),
    "merge_id": lambda w: {which: {"merge_id": m.pk} for which, m in w.merges.items()},
    "pdf_id": lambda w: {
        "holders": {"pdf_id": ChronologyDocument.objects.filter(case=w.case).values_list("pk", flat=True)[0]}
    },
}
# When a pattern has several of these, the most specific one decides (an invitation names its meeting).
_MOST_SPECIFIC = ("invitation_id", "kind", "comment_id", "recommendation_id", "version_id")


def _case_targets(pattern: Pattern, world: World) -> Iterator[Target]:
    records = [argument for argument in pattern.arguments if argument != "case_id"]
    if not records:
        for key in CASE_KEYS:
            yield Target(pattern, reverse(pattern.name, kwargs={"case_id": world.cases[key].case.pk}), case=key)
        return
    if records == ["person_id"]:  # the network picker's choose step: a person to add, not a record of the case
        for key in CASE_KEYS:
            kwargs = {"case_id": world.cases[key].case.pk, "person_id": world.network_candidate.pk}
            yield Target(pattern, reverse(pattern.name, kwargs=kwargs), case=key, objects=(("person_id", "partner"),))
        return
    if records == ["other_id"]:  # merging (cases/views/merges.py): the other record is a case, asked as itself
        for key in CASE_KEYS:
            kwargs = {"case_id": world.cases[key].case.pk, "other_id": world.cases[key].case.pk}
            yield Target(pattern, reverse(pattern.name, kwargs=kwargs), case=key, objects=(("other_id", "itself"),))
        return
    deciding = next((a for a in _MOST_SPECIFIC if a in records), records[-1])
    if deciding not in _CASE_RECORDS:
        raise UnknownArgument(f"{pattern.name}: no objects for the path arguments {records} (tests/authz/generated.py)")
    sample = next(iter(_CASE_RECORDS[deciding](world.cases["own"]).values()))
    if set(records) - set(sample):
        raise UnknownArgument(f"{pattern.name}: no objects for the path arguments {records} (tests/authz/generated.py)")
    for key in CASE_KEYS:
        for which, records_kwargs in _CASE_RECORDS[deciding](world.cases[key]).items():
            full: dict[str, int | str] = {"case_id": world.cases[key].case.pk, **records_kwargs}
            yield Target(pattern, reverse(pattern.name, kwargs=full), case=key, objects=((deciding, which),))
    # The own case's URL with the records of another Bristol case: everyone who may see the own case may see
    # that one too, so only the view's check that the record belongs to the case in the path refuses it.
    for other in ("closed",):
        for which, records_kwargs in _CASE_RECORDS[deciding](world.cases[other]).items():
            full = {"case_id": world.cases["own"].case.pk, **records_kwargs}
            yield Target(
                pattern,
                reverse(pattern.name, kwargs=full),
                case="own",
                objects=((deciding, which),),
                crossed_from=other,
            )


def _simple(pattern: Pattern, argument: str, choices: dict[str, int | str]) -> Iterator[Target]:
    for which, value in choices.items():
        yield Target(pattern, reverse(pattern.name, kwargs={argument: value}), objects=((argument, which),))


def targets_for(pattern: Pattern, world: World) -> list[Target]:
    """Every URL to ask for one pattern. A path argument with no objects here raises UnknownArgument."""
    arguments = set(pattern.arguments)
    if not arguments:
        return [Target(pattern, reverse(pattern.name))]
    if "case_id" in arguments:
        return list(_case_targets(pattern, world))
    if arguments == {"child_id"}:
        return list(_simple(pattern, "child_id", {key: w.case.child_id for key, w in world.cases.items()}))
    if arguments == {"sar_id"}:
        return list(_simple(pattern, "sar_id", {"kai": world.subject_access.pk}))
    if arguments == {"transfer_id"}:
        return list(_simple(pattern, "transfer_id", {k: t.pk for k, t in world.transfers.items()}))
    if arguments == {"retention_id"}:
        return list(_simple(pattern, "retention_id", {"closed": world.retention_review.pk}))
    if arguments == {"action_id"}:
        return [
            Target(
                pattern,
                reverse(pattern.name, kwargs={"action_id": world.cases[key].action.pk}),
                case=key,
                objects=(("action_id", "teachers"),),
            )
            for key in CASE_KEYS
        ]
    if arguments == {"referral_id"}:
        return list(_simple(pattern, "referral_id", {k: r.pk for k, r in world.referrals.items()}))
    if arguments == {"referral_id", "section"}:
        return [
            Target(
                pattern,
                reverse(pattern.name, kwargs={"referral_id": referral.pk, "section": "reasons"}),
                objects=(("referral_id", which),),
            )
            for which, referral in world.referrals.items()
        ]
    if arguments == {"person_id"}:
        return list(_simple(pattern, "person_id", {k: p.pk for k, p in world.people.items()}))
    if arguments == {"person_id", "membership_id"}:
        return [
            Target(
                pattern,
                reverse(
                    pattern.name,
                    kwargs={"person_id": p.pk, "membership_id": p.memberships.order_by("pk").first().pk},  # type: ignore[union-attr]
                ),
                objects=(("person_id", which),),
            )
            for which, p in world.people.items()
        ]
    if arguments == {"agency_id"}:
        return list(_simple(pattern, "agency_id", {k: a.pk for k, a in world.agencies.items()}))
    if arguments == {"coverage_id"}:
        return list(_simple(pattern, "coverage_id", {k: c.pk for k, c in world.coverage.items()}))
    if arguments == {"commissioning_id"}:
        return list(_simple(pattern, "commissioning_id", {k: c.pk for k, c in world.commissioning.items()}))
    if arguments == {"token_id"}:
        return list(_simple(pattern, "token_id", {k: t.pk for k, t in world.api_tokens.items()}))
    if arguments == {"notification_id"}:
        return list(_simple(pattern, "notification_id", {k: n.pk for k, n in world.notifications.items()}))
    if arguments == {"document_id"}:
        return list(_simple(pattern, "document_id", {k: d.pk for k, d in world.summaries.items()}))
    if arguments == {"uidb64", "token"}:
        # Links nobody was sent: "this link does not work" for everyone.
        return [Target(pattern, reverse(pattern.name, kwargs={"uidb64": "MQ", "token": "abc-0123456789abcdef"}))]
    if arguments == {"slug"}:
        return [Target(pattern, reverse(pattern.name, kwargs={"slug": "fernbrook"}))]
    raise UnknownArgument(
        f"{pattern.name}: no objects for the path arguments {sorted(arguments)} (tests/authz/generated.py)"
    )


# --- Asking --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Answer:
    who: str
    method: str
    target: Target
    status: int
    location: str
    body: bytes
    wrote: tuple[str, ...]  # tables the request wrote to, beyond the bookkeeping ones


_WATCHED: list[list[int]] = []


def _written() -> dict[int, int]:
    """Rows inserted, updated or deleted so far in this transaction, per table (PostgreSQL's own counters,
    subtransactions included), for every table but the bookkeeping ones."""
    with connection.cursor() as cursor:
        if not _WATCHED:
            cursor.execute(
                "SELECT array_agg(relid) FROM pg_stat_user_tables WHERE NOT relname = ANY(%s)",
                [list(BOOKKEEPING_TABLES)],
            )
            _WATCHED.append(list(cursor.fetchone()[0]))
        cursor.execute(
            "SELECT t, n FROM (SELECT t, pg_stat_get_xact_tuples_inserted(t) + pg_stat_get_xact_tuples_updated(t)"
            " + pg_stat_get_xact_tuples_deleted(t) AS n FROM unnest(%s::oid[]) AS t) AS counts WHERE n > 0",
            [_WATCHED[0]],
        )
        return dict(cursor.fetchall())


def _table_names(oids: Iterable[int]) -> tuple[str, ...]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT relname FROM pg_class WHERE oid = ANY(%s::oid[]) ORDER BY relname", [list(oids)])
        return tuple(name for (name,) in cursor.fetchall())


class Asker:
    """One signed-in client per person (and one signed out), reused for every request."""

    def __init__(self, world: World) -> None:
        self.clients: dict[str, Client] = {}
        for who in EVERYONE:
            client = Client(raise_request_exception=False)
            if who != ANON:
                client.force_login(world.everyone()[who])
            self.clients[who] = client

    def ask(self, who: str, method: str, target: Target, *, watch_writes: bool) -> Answer:
        """Send one request in a savepoint that is rolled back: every request meets the same world."""
        client = self.clients[who]
        cookie = client.cookies.get(settings.SESSION_COOKIE_NAME)
        session_key = cookie.value if cookie is not None else None
        savepoint = transaction.savepoint()
        try:
            before = _written() if watch_writes else {}
            response = client.generic(method.upper(), target.path)
            after = _written() if watch_writes else {}
        finally:
            # Roll back to the savepoint, then release it: left in place, every request would nest one level
            # deeper than the last (thousands of subtransactions exhaust PostgreSQL's lock table).
            transaction.savepoint_rollback(savepoint)
            transaction.savepoint_commit(savepoint)
        if session_key is not None:
            # Signing out (or a new session) changed the cookie; the old session's row is back after the rollback.
            client.cookies[settings.SESSION_COOKIE_NAME] = session_key
        changed = [table for table, count in after.items() if count > before.get(table, 0)]
        wrote = _table_names(changed) if changed else ()
        return Answer(
            who=who,
            method=method,
            target=target,
            status=response.status_code,
            location=str(response.get("Location", "")),
            body=b"" if getattr(response, "streaming", False) else response.content,
            wrote=wrote,
        )


def all_targets(world: World, names: Iterable[str] | None = None) -> list[Target]:
    wanted = set(names) if names is not None else None
    return [
        target
        for pattern in url_patterns()
        if wanted is None or pattern.name in wanted
        for target in targets_for(pattern, world)
    ]
