"""seed_scale's agencies and people: services, ECM teams, partners and commissioning bodies, their
people and roles, the clinicians' coverage and what each body commissions. A few hundred rows: the ORM."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import Group

from accounts.models import Agency, AgencyKind, Commissioning, Coverage, Membership, Role, User
from accounts.roles import role_group
from devtools.scale.bulk import Counts

FULL = {"yjs": 110, "ecm": 10, "partners_per_kind": 5, "commissioners": 5, "cases": 20_000, "contacts": 1_000_000}
PARTNER_KINDS = [
    AgencyKind.EDUCATION,
    AgencyKind.SOCIAL_CARE,
    AgencyKind.HEALTH,
    AgencyKind.POLICE,
    AgencyKind.VOLUNTARY,
]


@dataclass
class Service:
    agency: Agency
    case_managers: list[int]
    psychologists: list[int]
    seniors: list[int]


def agencies_and_people(*, scale: float, label: str, counts: Counts) -> tuple[list[Service], dict[str, list[Agency]]]:
    """Agencies with their groups, people with their roles, coverage and commissioning (the ORM is quick enough)."""

    def size(name: str) -> int:
        return max(1, round(FULL[name] * scale))

    def make(name: str, kind: str) -> Agency:
        group = Group.objects.create(name=f"agency:{name}")
        return Agency.objects.create(name=name, kind=kind, group=group)

    yjs = [make(f"{label} youth justice service {n:03d}", AgencyKind.YOUTH_JUSTICE) for n in range(1, size("yjs") + 1)]
    teams = [make(f"{label} ECM team {n:02d}", AgencyKind.ECM_TEAM) for n in range(1, size("ecm") + 1)]
    partners: dict[str, list[Agency]] = {
        kind.value: [
            make(f"{label} {AgencyKind(kind).label.lower()} partner {n:02d}", kind)
            for n in range(1, size("partners_per_kind") + 1)
        ]
        for kind in PARTNER_KINDS
    }
    bodies = [
        make(f"{label} commissioning body {n:02d}", AgencyKind.COMMISSIONER)
        for n in range(1, size("commissioners") + 1)
    ]
    counts.add("agencies", len(yjs) + len(teams) + sum(map(len, partners.values())) + len(bodies))

    people: list[tuple[User, Agency, str]] = []

    def person(username: str, agency: Agency, role: str) -> User:
        user = User(
            username=username,
            email=f"{username}@scale.ecm.invalid",
            first_name="Seeded",
            last_name=username.split("-", 1)[1].replace("-", " ").title(),
            password="!seeded",  # noqa: S106 - an unusable password: nobody signs in as these people
        )
        people.append((user, agency, role))
        return user

    slug = label.lower()
    for agency in yjs:
        for k in range(4):
            person(f"{slug}-cm-{agency.pk}-{k}", agency, Role.CASE_MANAGER)
    for team in teams:
        for k in range(3):
            person(f"{slug}-psy-{team.pk}-{k}", team, Role.PSYCHOLOGIST)
            person(f"{slug}-sp-{team.pk}-{k}", team, Role.SENIOR_PRACTITIONER)
    for kind_agencies in partners.values():
        for agency in kind_agencies:
            person(f"{slug}-partner-{agency.pk}", agency, Role.PARTNER)
    for body in bodies:
        person(f"{slug}-commissioner-{body.pk}", body, Role.COMMISSIONER)
    User.objects.bulk_create([user for user, _, _ in people], batch_size=1000)
    Membership.objects.bulk_create(
        [Membership(user=user, agency=agency, role=role) for user, agency, role in people], batch_size=1000
    )
    groups = {role: role_group(role) for role in Role.values}
    through = User.groups.through
    through.objects.bulk_create(
        [through(user_id=user.pk, group_id=groups[role].pk) for user, _, role in people]
        + [through(user_id=user.pk, group_id=agency.group_id) for user, agency, _ in people],
        batch_size=2000,
    )
    counts.add("people", len(people))

    by_agency: dict[int, dict[str, list[int]]] = {}
    for user, agency, role in people:
        by_agency.setdefault(agency.pk, {}).setdefault(role, []).append(user.pk)
    coverage: list[Coverage] = []
    services: list[Service] = []
    for index, agency in enumerate(yjs):
        team = teams[index % len(teams)]
        clinicians = by_agency[team.pk]
        coverage.extend(
            Coverage(clinician_id=clinician, yjs=agency)
            for clinician in clinicians[Role.PSYCHOLOGIST] + clinicians[Role.SENIOR_PRACTITIONER]
        )
        services.append(
            Service(
                agency=agency,
                case_managers=by_agency[agency.pk][Role.CASE_MANAGER],
                psychologists=clinicians[Role.PSYCHOLOGIST],
                seniors=clinicians[Role.SENIOR_PRACTITIONER],
            )
        )
    Coverage.objects.bulk_create(coverage, batch_size=2000)
    # Each body commissions its share of the services; the first also commissions every one of them.
    commissioning = [Commissioning(commissioner_agency=bodies[0], yjs=agency) for agency in yjs]
    for index, agency in enumerate(yjs):
        body = bodies[index % len(bodies)]
        if body != bodies[0]:
            commissioning.append(Commissioning(commissioner_agency=body, yjs=agency))
    Commissioning.objects.bulk_create(commissioning, batch_size=2000)
    return services, partners
