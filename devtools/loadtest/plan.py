"""Who the load test signs in as, and what each role does.

For every role a few people of the bench dataset (the bench's own persona first), each with
signed-in sessions written straight into the session store, second factor given (as
devtools/bench/measure.py's `signed_in_client` marks one), and the role's journey: the pages that
role uses in a working day, with case pages of cases the person may see (`access.visible_cases`).
The plan is written as JSON for the locustfile, which runs in another process without Django.
"""

from __future__ import annotations

import json
import math
import time
from dataclasses import asdict, dataclass, field
from importlib import import_module
from pathlib import Path

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.models import Session
from django.db import connection, transaction

from accounts import mfa
from accounts.middleware import SESSION_LAST_SEEN, SESSION_STARTED
from accounts.models import AccessEvent, Membership, Role, User
from cases import access
from cases.models import Case, CaseStatus
from devtools.bench.dataset import BenchData

BACKEND = "accounts.backends.EcmModelBackend"
CASES_PER_PERSON = 10
# The roles in the order the figures are printed; the label names each journey's requests.
ROLE_LABELS = {
    Role.CASE_MANAGER: "case manager",
    Role.PSYCHOLOGIST: "psychologist",
    Role.SENIOR_PRACTITIONER: "senior practitioner",
    Role.PARTNER: "partner",
    Role.COMMISSIONER: "commissioner",
    Role.ADMINISTRATOR: "administrator",
}


@dataclass
class Step:
    """One page of a journey; a step with several URLs asks for one of them at random."""

    name: str
    urls: list[str]


@dataclass
class Persona:
    user: int
    cookies: list[str] = field(default_factory=list)
    steps: list[Step] = field(default_factory=list)


@dataclass
class Plan:
    cookie_name: str
    wait: tuple[float, float]
    roles: dict[str, list[Persona]] = field(default_factory=dict)
    labels: dict[str, str] = field(default_factory=dict)

    def sessions(self) -> list[str]:
        return [cookie for personas in self.roles.values() for persona in personas for cookie in persona.cookies]

    def write(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(asdict(self), indent=1))


def people_of(role: str, first: list[int], count: int) -> list[User]:
    """`count` active people of the role: those in `first` (if they have it), then others by id."""
    holding = Membership.objects.filter(role=role, is_active=True, user__is_active=True)
    ids = [pk for pk in dict.fromkeys(first) if holding.filter(user_id=pk).exists()]
    others = holding.exclude(user_id__in=ids).order_by("user_id").values_list("user_id", flat=True).distinct()
    ids += list(others[: max(0, count - len(ids))])
    users = User.objects.in_bulk(ids[:count])
    return [users[pk] for pk in ids[:count]]


def case_ids_for(user: User, first: list[int]) -> list[int]:
    """A few cases the person may see, newest first, the given ones (if visible) before them."""
    visible = access.visible_cases(user)
    chosen = list(visible.filter(pk__in=first).values_list("pk", flat=True))
    chosen += list(
        visible.exclude(pk__in=chosen).order_by("-opened_at", "-pk").values_list("pk", flat=True)[:CASES_PER_PERSON]
    )
    return chosen[:CASES_PER_PERSON]


def journey(role: str, user: User, cases: list[int]) -> list[Step]:
    """The role's pages in a working day's order (the locust user walks them round and round)."""
    steps = [Step("home", ["/"])]

    def case_steps(*, full: bool) -> list[Step]:
        if not cases:
            return []
        found = [Step("case page", [f"/cases/{pk}/" for pk in cases])]
        if full:
            found += [
                Step("chronology", [f"/cases/{pk}/chronology/" for pk in cases]),
                Step("contacts", [f"/cases/{pk}/contacts/" for pk in cases]),
            ]
        return found

    search = _search_step(cases)
    if role == Role.CASE_MANAGER:
        steps += [Step("caseload", ["/cases/"]), *case_steps(full=True), *search]
        steps += [Step("my actions", ["/actions/"]), Step("my referrals", ["/referrals/"])]
    elif role in (Role.PSYCHOLOGIST, Role.SENIOR_PRACTITIONER):
        steps += [Step("triage queue", ["/referrals/triage/"]), Step("caseload", ["/cases/"])]
        steps += [*case_steps(full=True), *search, Step("my actions", ["/actions/"]), Step("meetings", ["/meetings/"])]
    elif role == Role.PARTNER:
        steps += [Step("caseload", ["/cases/"]), *case_steps(full=False), Step("meetings", ["/meetings/"])]
    elif role == Role.COMMISSIONER:
        steps += [Step("dashboard", ["/reports/"])]
    elif role == Role.ADMINISTRATOR:
        steps += [Step("access log", ["/cases/access-log/"]), Step("people", ["/manage/people/"])]
    steps.append(Step("notifications", ["/notifications/"]))
    return steps


def _search_step(cases: list[int]) -> list[Step]:
    names = list(Case.objects.filter(pk__in=cases[:3]).values_list("child__family_name", flat=True))
    return [Step("find a child", [f"/cases/search/?q={name}" for name in names])] if names else []


def session_make(user: User) -> str:
    """A signed-in session with the second factor given, saved in the session store; its key."""
    engine = import_module(settings.SESSION_ENGINE)
    session = engine.SessionStore()
    now = time.time()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = BACKEND
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session[mfa.SESSION_KEY] = mfa.session_state(user_pk=user.pk, state=mfa.VERIFIED, method=mfa.METHOD_TOTP)
    session[SESSION_STARTED] = now
    session[SESSION_LAST_SEEN] = now
    session.create()
    return str(session.session_key)


def plan_make(
    data: BenchData, *, users: int, people_per_role: int = 3, wait: tuple[float, float] = (3.0, 12.0)
) -> Plan:
    """Every role's people, sessions and journeys: enough sessions that no two locust users share one."""
    p = data.people
    big = Case.objects.filter(pk=p.big_case).first()
    clinicians = [big.psychologist_id, big.senior_practitioner_id] if big else [None, None]
    service_holders = list(
        Case.objects.filter(owning_yjs_id=p.service, status=CaseStatus.OPEN)
        .order_by("case_holder_id")
        .values_list("case_holder_id", flat=True)
        .distinct()[:people_per_role]
    )
    first: dict[str, list[int]] = {
        Role.CASE_MANAGER: [p.case_manager, *service_holders],
        Role.PSYCHOLOGIST: [p.wide_psychologist, *[pk for pk in clinicians[:1] if pk]],
        Role.SENIOR_PRACTITIONER: [pk for pk in clinicians[1:] if pk],
        Role.PARTNER: [p.partner],
        Role.COMMISSIONER: [p.commissioner],
        Role.ADMINISTRATOR: [p.administrator],
    }
    plan = Plan(cookie_name=settings.SESSION_COOKIE_NAME, wait=wait, labels={str(k): v for k, v in ROLE_LABELS.items()})
    per_role = math.ceil(users / len(ROLE_LABELS))
    for role in ROLE_LABELS:
        people = people_of(role, first[role], people_per_role)
        if not people:
            raise RuntimeError(f"The bench dataset has nobody with the role {role}")
        sessions_each = math.ceil(per_role / len(people))
        personas = []
        for user in people:
            given = [p.big_case, p.small_case] if user.pk == p.case_manager else []
            cases = case_ids_for(user, given)
            personas.append(
                Persona(
                    user=user.pk,
                    cookies=[session_make(user) for _ in range(sessions_each)],
                    steps=journey(role, user, cases),
                )
            )
        plan.roles[str(role)] = personas
    return plan


def last_access_event() -> int:
    return AccessEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def clean_up(*, last_event: int, sessions: list[str]) -> None:
    """Remove the sessions made and the access events the pages wrote (the log is append-only:
    triggers skipped, as the bench does)."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = replica")
        AccessEvent.objects.filter(pk__gt=last_event).delete()
    Session.objects.filter(session_key__in=sessions).delete()
