"""The invented demo world: four youth justice services, the ECM team, partners and one person per role.

Every person, school and child here is made up. Agencies are named after the services of the
South West ECM pilot (Bristol, North Somerset, South Gloucestershire and BANES youth justice).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction

from accounts.models import Agency, AgencyKind, Role, User
from accounts.services import agency_create, coverage_add, membership_add, user_create
from cases.models import Case, Child
from cases.services import case_open, case_share_summary

DEMO_PASSWORD = "ecm-demo-2026"  # noqa: S105 - printed for the demo; refused when DEMO_LOGINS_ALLOWED is off

YJS_NAMES = ["Bristol YJS", "North Somerset YJS", "South Gloucestershire YJS", "BANES YJS"]
PARTNERS = [
    ("Fernbrook Academy", AgencyKind.EDUCATION),
    ("Avonvale Children's Social Care", AgencyKind.SOCIAL_CARE),
    ("Riverside Community Health", AgencyKind.HEALTH),
]
ECM_TEAM = "South West ECM Team (Forensic CAMHS)"
COMMISSIONER = "Westcombe Integrated Care Board"


@dataclass(frozen=True)
class DemoPerson:
    username: str
    first_name: str
    last_name: str
    role: str
    agency: str
    job_title: str
    covers: tuple[str, ...] = ()


DEMO_PEOPLE = [
    DemoPerson("casemanager", "Sam", "Okafor", Role.CASE_MANAGER, "Bristol YJS", "YJS case manager"),
    DemoPerson("colleague", "Priya", "Nandra", Role.CASE_MANAGER, "Bristol YJS", "YJS case manager"),
    DemoPerson("banes", "Tom", "Hartley", Role.CASE_MANAGER, "BANES YJS", "YJS case manager"),
    DemoPerson(
        "psychologist",
        "Alex",
        "Morgan",
        Role.PSYCHOLOGIST,
        ECM_TEAM,
        "Clinical psychologist",
        ("Bristol YJS", "South Gloucestershire YJS", "North Somerset YJS"),
    ),
    DemoPerson(
        "senior",
        "Jordan",
        "Reeve",
        Role.SENIOR_PRACTITIONER,
        ECM_TEAM,
        "Senior practitioner",
        ("Bristol YJS", "South Gloucestershire YJS"),
    ),
    DemoPerson("teacher", "Helen", "Marsh", Role.PARTNER, "Fernbrook Academy", "Designated teacher"),
    DemoPerson("commissioner", "Chris", "Lowe", Role.COMMISSIONER, COMMISSIONER, "Commissioning manager"),
    DemoPerson("admin", "Dana", "Whitfield", Role.ADMINISTRATOR, ECM_TEAM, "Service administrator"),
]

DEMO_CHILDREN = [
    ("Kai", "Brennan", dt.date(2010, 3, 14), "LOC-100231", "Bristol YJS", "casemanager", True),
    ("Mia", "Thornton", dt.date(2009, 11, 2), "LOC-100232", "Bristol YJS", "casemanager", False),
    ("Leo", "Ashdown", dt.date(2011, 6, 21), "LOC-100233", "Bristol YJS", "colleague", False),
    ("Ruby", "Calder", dt.date(2008, 1, 9), "LOC-200418", "BANES YJS", "banes", False),
]


class DemoRefused(Exception):
    pass


@transaction.atomic
def seed_demo() -> list[DemoPerson]:
    """Create the demo world once; running it again changes nothing. Refused where demo logins are off."""
    if not settings.DEMO_LOGINS_ALLOWED:
        raise DemoRefused("Demo data is refused where demo logins are off (production settings).")
    agencies: dict[str, Agency] = {agency.name: agency for agency in Agency.objects.all()}

    def agency(name: str, kind: str) -> Agency:
        if name not in agencies:
            agencies[name] = agency_create(name=name, kind=kind)
        return agencies[name]

    for name in YJS_NAMES:
        agency(name, AgencyKind.YOUTH_JUSTICE)
    agency(ECM_TEAM, AgencyKind.ECM_TEAM)
    for name, kind in PARTNERS:
        agency(name, kind)
    agency(COMMISSIONER, AgencyKind.COMMISSIONER)

    people: dict[str, User] = {}
    for person in DEMO_PEOPLE:
        user = User.objects.filter(username=person.username).first()
        if user is None:
            user = user_create(
                username=person.username,
                email=f"{person.username}@demo.ecm.invalid",
                first_name=person.first_name,
                last_name=person.last_name,
                job_title=person.job_title,
                password=DEMO_PASSWORD,
                is_demo=True,
            )
            membership_add(user=user, agency=agencies[person.agency], role=person.role)
            for yjs in person.covers:
                coverage_add(clinician=user, yjs=agencies[yjs])
        people[person.username] = user

    for given, family, born, reference, yjs, holder, shared_with_teacher in DEMO_CHILDREN:
        if Child.objects.filter(reference=reference).exists():
            continue
        child = Child.objects.create(given_name=given, family_name=family, date_of_birth=born, reference=reference)
        case: Case = case_open(child=child, owning_yjs=agencies[yjs], case_holder=people[holder], actor=people[holder])
        if shared_with_teacher:
            case_share_summary(case=case, actor=people[holder], user=people["teacher"])
    return DEMO_PEOPLE
