"""What the bench adds to seed_scale's dataset: the people it signs in as, the cases it opens, shares
with partners and 2,000,000 access events (at scale 1).

- a case manager holding a case with 5,000 contacts (its chronology has a line for each) and a
  case with 10, both open in the first service, an open review on the big one and about 40 open
  actions they own;
- a psychologist who covers enough services to see about 5,000 cases;
- a partner who sees 50 cases: 25 shared with them by name, 25 with their agency; other partner
  agencies and people have about 3,000 more shares between them;
- a service administrator (the whole access log) and the commissioner of every service.

Big tables are loaded with COPY with triggers skipped (the caller's transaction has
``session_replication_role = replica`` set here, as seed_scale does); the few people are made
through the accounts services.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import Permission
from django.db import connection
from django.db.models import Count, Q
from django.utils import timezone

from accounts.models import AccessAction, AccessEvent, Agency, AgencyKind, Membership, Role, User
from accounts.services import coverage_add, membership_add, user_create
from cases import tallies
from cases.access import SUMMARY_PERMISSION
from cases.models import (
    Case,
    CaseEvent,
    CaseGroupObjectPermission,
    CaseKind,
    CaseStatus,
    CaseUserObjectPermission,
    Child,
    Contact,
    ContactKind,
)
from devtools.scale.bulk import between, copy_rows, reserve_ids
from devtools.scale.cases import NOTES, WITH_WHOM
from formulation.models import Meeting
from reviews.models import Review

FULL_ACCESS_EVENTS = 2_000_000
BIG_CASE_CONTACTS = 5_000
SMALL_CASE_CONTACTS = 10
WIDE_CASES = 5_000
PARTNER_CASES = 50
OTHER_SHARES = 3_000
OWNED_ACTIONS = 40
BIG_CASE_ACCESS_EVENTS = 2_000


@dataclass(frozen=True)
class BenchPeople:
    """Ids of the people and records the measurements use."""

    case_manager: int
    wide_psychologist: int
    partner: int
    administrator: int
    commissioner: int
    big_case: int
    small_case: int
    review: int
    service: int
    covered_services: list[int]
    partner_agency: int


def bench_extras_make(*, scale: float, seed: int, label: str, say: Any = print) -> BenchPeople:
    """Make the bench's people, cases, shares and access events inside the caller's transaction."""
    rng = random.Random(seed + 1)  # noqa: S311 - invented data, nothing secret
    now = timezone.now()
    services = list(Agency.objects.filter(kind=AgencyKind.YOUTH_JUSTICE, name__startswith=f"{label} ").order_by("pk"))
    teams = list(Agency.objects.filter(kind=AgencyKind.ECM_TEAM, name__startswith=f"{label} ").order_by("pk"))
    service = services[0]
    big = _big_case(service)
    case_manager = User.objects.get(pk=big.case_holder_id)
    small = _small_case(service=service, holder=case_manager, like=big, now=now)
    wide, covered = _wide_psychologist(services=services, team=teams[0], scale=scale)
    partner_agency = Agency.objects.filter(kind=AgencyKind.EDUCATION, name__startswith=f"{label} ").order_by("pk")[0]
    partner = _person("bench-partner", "Pat", "Sharer", partner_agency, Role.PARTNER)
    administrator = _person("bench-administrator", "Ada", "Logreader", teams[0], Role.ADMINISTRATOR)
    commissioner = _widest_commissioner(label)
    review = _open_review(big, now=now)

    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = replica")
    _contacts(big, BIG_CASE_CONTACTS - Contact.objects.filter(case=big).count(), rng=rng, now=now)
    _contacts(small, SMALL_CASE_CONTACTS, rng=rng, now=now)
    _chronology([big.pk, small.pk])
    owned = _own_actions(service=service, owner=case_manager)
    shares = _shares(rng=rng, label=label, partner=partner, partner_agency=partner_agency, scale=scale)
    events = _access_events(rng=rng, scale=scale, now=now, big_case=big.pk)
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = origin")
    tallies.recount()  # the triggers that keep the case tallies were skipped with the others
    say(
        f"  bench extras: a case with {BIG_CASE_CONTACTS:,} contacts and one with {SMALL_CASE_CONTACTS}, "
        f"{owned} actions owned by the case manager, a psychologist covering {len(covered)} services, "
        f"{shares:,} shares with partners, {events:,} access events"
    )
    return BenchPeople(
        case_manager=case_manager.pk,
        wide_psychologist=wide.pk,
        partner=partner.pk,
        administrator=administrator.pk,
        commissioner=commissioner.pk,
        big_case=big.pk,
        small_case=small.pk,
        review=review.pk,
        service=service.pk,
        covered_services=covered,
        partner_agency=partner_agency.pk,
    )


def _person(username: str, first: str, last: str, agency: Agency, role: str) -> User:
    user = user_create(username=username, email=f"{username}@bench.ecm.invalid", first_name=first, last_name=last)
    membership_add(user=user, agency=agency, role=role)
    return user


def _big_case(service: Agency) -> Case:
    """The service's open formulation case with an upcoming review meeting and the most contacts."""
    candidates = (
        Case.objects.filter(owning_yjs=service, status=CaseStatus.OPEN, kind=CaseKind.FORMULATION)
        .filter(meetings__purpose="review", meetings__status="scheduled")
        .annotate(contact_count=Count("contacts", distinct=True))
        .order_by("-contact_count", "pk")
    )
    case: Case | None = candidates.first()
    if case is None:
        case = Case.objects.filter(owning_yjs=service, status=CaseStatus.OPEN).order_by("pk").first()
    if case is None:
        raise RuntimeError(f"{service} has no open case: seed at a larger --scale")
    return case


def _small_case(*, service: Agency, holder: User, like: Case, now: dt.datetime) -> Case:
    child = Child.objects.create(given_name="Tamsin", family_name="Fewcontacts", date_of_birth=dt.date(2011, 5, 4))
    case = Case.objects.create(
        child=child,
        owning_yjs=service,
        case_holder=holder,
        kind=CaseKind.FORMULATION,
        psychologist_id=like.psychologist_id,
        senior_practitioner_id=like.senior_practitioner_id,
    )
    Case.objects.filter(pk=case.pk).update(opened_at=now - dt.timedelta(days=90))
    case.refresh_from_db()
    return case


def _wide_psychologist(*, services: list[Agency], team: Agency, scale: float) -> tuple[User, list[int]]:
    """A psychologist covering services, first to last, until they see about 5,000 cases (at scale 1)."""
    person = _person("bench-psychologist-wide", "Wyn", "Widely", team, Role.PSYCHOLOGIST)
    sizes = dict(
        Case.objects.filter(owning_yjs__in=services).values_list("owning_yjs").annotate(n=Count("pk")).order_by()
    )
    wanted = max(1, round(WIDE_CASES * scale))
    covered: list[int] = []
    seen = 0
    for agency in services:
        if seen >= wanted:
            break
        coverage_add(clinician=person, yjs=agency)
        covered.append(agency.pk)
        seen += sizes.get(agency.pk, 0)
    return person, covered


def _widest_commissioner(label: str) -> User:
    body = (
        Agency.objects.filter(kind=AgencyKind.COMMISSIONER, name__startswith=f"{label} ")
        .annotate(n=Count("commissions"))
        .order_by("-n", "pk")[0]
    )
    membership = Membership.objects.filter(agency=body, role=Role.COMMISSIONER).select_related("user").first()
    if membership is None:
        raise RuntimeError(f"{body} has no commissioner")
    return membership.user


def _open_review(case: Case, *, now: dt.datetime) -> Review:
    """An open review on the case: its next scheduled review meeting's (one is made if it has none)."""
    meeting = (
        Meeting.objects.filter(case=case, purpose="review", status="scheduled", review__isnull=True)
        .order_by("starts_at")
        .first()
    )
    chair_id = case.senior_practitioner_id or case.psychologist_id or case.case_holder_id
    if meeting is None:
        starts = now + dt.timedelta(days=14)
        meeting = Meeting.objects.create(
            case=case,
            purpose="review",
            starts_at=starts,
            ends_at=starts + dt.timedelta(hours=1),
            location="Bench meeting room",
            organiser_id=chair_id,
            ics_uid=f"bench-review-{case.pk}@ecm.invalid",
        )
    return Review.objects.create(case=case, meeting=meeting, chair_id=chair_id)


def _contacts(case: Case, count: int, *, rng: random.Random, now: dt.datetime) -> None:
    if count <= 0:
        return
    ids = iter(reserve_ids(Contact, count))
    kinds = ContactKind.values

    def rows() -> Iterable[tuple[Any, ...]]:
        for _ in range(count):
            when = between(rng, case.opened_at, now)
            yield (next(ids), case.pk, when, rng.choice(kinds), rng.choice(WITH_WHOM), rng.choice([15, 30, 45, 60]),
                   rng.choice(NOTES), rng.random() < 0.03, case.case_holder_id, when)  # fmt: skip

    columns = ["id", "case_id", "occurred_at", "kind", "with_whom", "duration_minutes", "note", "restricted",
               "recorded_by_id", "recorded_at"]  # fmt: skip
    copy_rows(Contact, columns, rows())


def _chronology(case_ids: list[int]) -> None:
    """A chronology line for each contact of these cases, as contact_log writes it."""
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {quote(CaseEvent._meta.db_table)} "  # noqa: S608 - table names from the models
            "(case_id, kind, occurred_at, actor_id, summary, link, visibility) "
            "SELECT case_id, 'contact', occurred_at, recorded_by_id, 'Contact with ' || with_whom, "
            "'/cases/' || case_id || '/contacts/' || id || '/', "
            "CASE WHEN restricted THEN 'view_restricted' ELSE 'view' END "
            f"FROM {quote(Contact._meta.db_table)} WHERE case_id = ANY(%s)",
            [case_ids],
        )


def _own_actions(*, service: Agency, owner: User) -> int:
    """About 40 open actions on the service's open cases, owned by the case manager by name."""
    from formulation.models import Recommendation

    ids = list(
        Recommendation.objects.filter(
            case__owning_yjs=service,
            case__status=CaseStatus.OPEN,
            status__in=["not_started", "in_progress"],
        )
        .filter(Q(report__isnull=True) | Q(report__status="signed_off"))
        .order_by("due_on", "pk")
        .values_list("pk", flat=True)[:OWNED_ACTIONS]
    )
    return Recommendation.objects.filter(pk__in=ids).update(owner=owner)


def _shares(*, rng: random.Random, label: str, partner: User, partner_agency: Agency, scale: float) -> int:
    """The partner's 50 cases (25 by name, 25 with their agency) and the other partners' shares."""
    permission = Permission.objects.get(codename=SUMMARY_PERMISSION, content_type__app_label="cases")
    case_ids = list(Case.objects.order_by("pk").values_list("pk", flat=True))
    chosen = rng.sample(case_ids, min(PARTNER_CASES, len(case_ids)))
    personal = [(partner.pk, case) for case in chosen[: len(chosen) // 2]]
    through_agency = [(partner_agency.group_id, case) for case in chosen[len(chosen) // 2 :]]
    partner_kinds = [AgencyKind.EDUCATION, AgencyKind.SOCIAL_CARE, AgencyKind.HEALTH, AgencyKind.POLICE]
    others = list(
        Agency.objects.filter(kind__in=[*partner_kinds, AgencyKind.VOLUNTARY], name__startswith=f"{label} ")
        .exclude(pk=partner_agency.pk)
        .values_list("group_id", flat=True)
    )
    other_people = list(
        Membership.objects.filter(role=Role.PARTNER, agency__name__startswith=f"{label} ")
        .exclude(agency=partner_agency)
        .values_list("user_id", flat=True)
    )
    extra = round(OTHER_SHARES * scale)
    if others:
        through_agency += list({(rng.choice(others), rng.choice(case_ids)) for _ in range(extra * 2 // 3)})
    if other_people:
        personal += list({(rng.choice(other_people), rng.choice(case_ids)) for _ in range(extra // 3)})
    written = copy_rows(
        CaseUserObjectPermission,
        ["id", "permission_id", "user_id", "content_object_id"],
        (
            (pk, permission.pk, user, case)
            for pk, (user, case) in zip(reserve_ids(CaseUserObjectPermission, len(personal)), personal, strict=True)
        ),
    )
    written += copy_rows(
        CaseGroupObjectPermission,
        ["id", "permission_id", "group_id", "content_object_id"],
        (
            (pk, permission.pk, group, case)
            for pk, (group, case) in zip(
                reserve_ids(CaseGroupObjectPermission, len(through_agency)), through_agency, strict=True
            )
        ),
    )
    return written


def _access_events(*, rng: random.Random, scale: float, now: dt.datetime, big_case: int) -> int:
    """2,000,000 reads (at scale 1) over the last two years, by everyone, mostly of cases."""
    count = max(2_000, round(FULL_ACCESS_EVENTS * scale))
    users = list(User.objects.values_list("pk", flat=True))
    cases = list(Case.objects.values_list("pk", flat=True))
    who = rng.choices(users, k=count)
    which = rng.choices(cases, k=count)
    # The big case is read often: its own access log has pages of history.
    for position in rng.sample(range(count), min(BIG_CASE_ACCESS_EVENTS, count)):
        which[position] = big_case
    actions = rng.choices(
        [AccessAction.VIEW, AccessAction.DOWNLOAD, AccessAction.EXPORT, AccessAction.SEARCH, AccessAction.DENIED],
        weights=[90, 3, 1, 4, 2],
        k=count,
    )
    start = now - dt.timedelta(days=730)
    step = (now - start) / count

    def rows() -> Iterable[tuple[Any, ...]]:
        for n in range(count):
            action = actions[n]
            case = which[n]
            if action == AccessAction.SEARCH:
                yield (start + step * n, who[n], action, "case search", "", None, "3 cases found",
                       "10.0.0.1", "Mozilla/5.0 (bench)", "/cases/search/")  # fmt: skip
            else:
                yield (start + step * n, who[n], action, "case", str(case), case, "",
                       "10.0.0.1", "Mozilla/5.0 (bench)", f"/cases/{case}/")  # fmt: skip

    columns = ["at", "user_id", "action", "record_type", "record_id", "case_id", "description", "ip_address",
               "user_agent", "path"]  # fmt: skip
    return copy_rows(AccessEvent, columns, rows())
