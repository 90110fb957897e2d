"""The demo's reporting data: enough invented cases in the four demo services that the reports show figures, not "<5".

The demo's own ten children tell the stories of each page, but every figure they give is a small
number. This adds `DEMO_CASES` invented cases, opened over the last `DEMO_YEARS` years across Bristol,
North Somerset, South Gloucestershire and BANES YJS (the services the demo commissioner, Chris Lowe,
sees), with their referrals, meetings and reviews (some with an agency entered as "Not listed"),
TRM stages, goals, actions and consultations: the scale generator (devtools/scale/) at a small size,
loaded with COPY. The cases are held by invented case managers and clinicians who cannot sign in
("Invented" in their names), so the demo people's own caseloads stay as the stories left them.

Made once: a second `make run` finds the children (references "DEM-…") and does nothing. Every name,
date and note is made up.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from django.contrib.auth.models import Group

from accounts.models import Agency, AgencyKind, Coverage, Membership, Role, User
from accounts.roles import role_group
from cases.models import Child
from devtools.scale import CaseLoad, seed_cases_for
from devtools.scale.bulk import Counts
from devtools.scale.people import PARTNER_KINDS, Service

LABEL = "Demo"
REFERENCE_PREFIX = f"{LABEL[:3].upper()}-"  # devtools/scale/cases.py: the children's references
DEMO_CASES = 1400
DEMO_YEARS = 3.0
DEMO_CONTACTS = 12_000
DEMO_SEED = 2026
NOT_LISTED_SHARE = 0.3
CASE_MANAGERS_PER_SERVICE = 3
CLINICIANS_PER_ROLE = 3
# Partners the demo's stories do not use: the invitations need one agency of every partner kind.
MORE_PARTNERS = {
    AgencyKind.POLICE: "Westcombe Police Youth Team",
    AgencyKind.VOLUNTARY: "Harbourside Youth Trust",
}


@dataclass(frozen=True)
class ReportingDataMade:
    counts: Counts
    seconds: float


def demo_reporting_data_exists() -> bool:
    return Child.objects.filter(reference__startswith=REFERENCE_PREFIX).exists()


def demo_reporting_data(
    *, services: list[Agency], ecm_team: Agency, partners: list[Agency]
) -> ReportingDataMade | None:
    """Make the demo's reporting data once (None when it is there already)."""
    if demo_reporting_data_exists():
        return None
    started = time.perf_counter()
    by_kind: dict[str, list[Agency]] = {}
    for agency in partners:
        by_kind.setdefault(agency.kind, []).append(agency)
    for kind, name in MORE_PARTNERS.items():
        if kind not in by_kind:
            by_kind[kind] = [_agency(name, kind)]
    assert all(by_kind.get(kind) for kind in PARTNER_KINDS), "a partner of every kind"  # noqa: S101
    people = _invented_people(services=services, ecm_team=ecm_team)
    load = CaseLoad(
        scale=0.0,
        seed=DEMO_SEED,
        label=LABEL,
        cases=DEMO_CASES,
        years=DEMO_YEARS,
        contacts=DEMO_CONTACTS,
        not_listed=NOT_LISTED_SHARE,
    )
    counts = seed_cases_for(load, services=people, partners=by_kind)
    return ReportingDataMade(counts=counts, seconds=time.perf_counter() - started)


def _agency(name: str, kind: str) -> Agency:
    found = Agency.objects.filter(name=name).first()
    if found is not None:
        return found
    return Agency.objects.create(name=name, kind=kind, group=Group.objects.create(name=f"agency:{name}"))


def _invented_people(*, services: list[Agency], ecm_team: Agency) -> list[Service]:
    """Case managers for each service and ECM clinicians covering all four; they cannot sign in."""
    made: list[tuple[User, Agency, str]] = []

    def person(username: str, first: str, last: str, agency: Agency, role: str) -> int:
        user = User(
            username=username,
            email=f"{username}@demo.ecm.invalid",
            first_name=first,
            last_name=last,
            job_title="Invented for the demo's figures",
            password="!invented",  # noqa: S106 - an unusable password: nobody signs in as these people
        )
        made.append((user, agency, role))
        return len(made) - 1

    plan: list[tuple[Agency, list[int]]] = []
    for number, service in enumerate(services, start=1):
        plan.append(
            (
                service,
                [
                    person(
                        f"demo-cm-{number}-{k}",
                        "Invented",
                        f"Case Manager {number}{'ABC'[k]}",
                        service,
                        Role.CASE_MANAGER,
                    )
                    for k in range(CASE_MANAGERS_PER_SERVICE)
                ],
            )
        )
    psychologists = [
        person(f"demo-psy-{k}", "Invented", f"Psychologist {'ABC'[k]}", ecm_team, Role.PSYCHOLOGIST)
        for k in range(CLINICIANS_PER_ROLE)
    ]
    seniors = [
        person(f"demo-sp-{k}", "Invented", f"Senior Practitioner {'ABC'[k]}", ecm_team, Role.SENIOR_PRACTITIONER)
        for k in range(CLINICIANS_PER_ROLE)
    ]
    User.objects.bulk_create([user for user, _, _ in made])
    Membership.objects.bulk_create([Membership(user=user, agency=agency, role=role) for user, agency, role in made])
    groups = {role: role_group(role) for role in {role for _, _, role in made}}
    through = User.groups.through
    through.objects.bulk_create(
        [through(user_id=user.pk, group_id=groups[role].pk) for user, _, role in made]
        + [through(user_id=user.pk, group_id=agency.group_id) for user, agency, _ in made]
    )
    clinicians = [made[index][0] for index in psychologists + seniors]
    Coverage.objects.bulk_create(
        [Coverage(clinician=clinician, yjs=service) for clinician in clinicians for service in services]
    )
    return [
        Service(
            agency=service,
            case_managers=[made[index][0].pk for index in managers],
            psychologists=[made[index][0].pk for index in psychologists],
            seniors=[made[index][0].pk for index in seniors],
        )
        for service, managers in plan
    ]
