"""Reads of cases that need logic. Every list starts from the access module's scoped querysets."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.db.models import (
    BooleanField,
    CharField,
    DateField,
    DateTimeField,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models import Case as DbCase
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone

from accounts.models import PARTNER_KINDS, Agency, AgencyKind, Membership, Role, User
from cases import access
from cases.access import Action, visible_cases
from cases.list_facts import list_fact_expressions
from cases.models import (
    Case,
    CaseEvent,
    CaseEventKind,
    CaseHolderChange,
    CaseStatus,
    Consultation,
    Contact,
    ContactKind,
    NetworkMember,
    Rectification,
    Visibility,
)
from cases.sections import count_of, facts_of
from cases.services import NETWORK_ROLES
from core.dates import age_on

LATEST_EVENTS = 5


# What a row of a case list shows (the table on the list pages and home, the API's case summary).
CASE_LIST_COLUMNS = (
    "id",
    "kind",
    "status",
    "opened_at",
    "trm_stage",
    "contact_frequency_days",
    "child__given_name",
    "child__family_name",
    "owning_yjs__name",
    "case_holder__first_name",
    "case_holder__last_name",
)

# The caseload's sortable columns: the fields each sorts by, and the direction it offers first (the most
# useful: longest since a contact, soonest review, most overdue actions, newest opened).
CASELOAD_SORTS: dict[str, tuple[tuple[str, ...], str]] = {
    "child": (("child__family_name", "child__given_name"), "ascending"),
    "last_contact": (("last_contact_at",), "ascending"),
    "next_review": (("next_review_on",), "ascending"),
    "trm_stage": (("stage_shown",), "ascending"),
    "overdue_actions": (("overdue_actions",), "descending"),
    "opened": (("opened_at",), "descending"),
}
DEFAULT_CASELOAD_SORT = "-opened"


@dataclass(frozen=True)
class CaseloadSort:
    """The caseload's order: a column and a direction, read from `sort=` ("last_contact", "-opened")."""

    column: str
    descending: bool

    @classmethod
    def parse(cls, value: str) -> CaseloadSort:
        column = value.removeprefix("-")
        if column not in CASELOAD_SORTS:
            column, value = DEFAULT_CASELOAD_SORT.removeprefix("-"), DEFAULT_CASELOAD_SORT
        return cls(column=column, descending=value.startswith("-"))

    @property
    def value(self) -> str:
        return f"-{self.column}" if self.descending else self.column

    def order_by(self) -> list[Any]:
        """The SQL order, then newest first. Empty values come last either way, except a case never
        contacted, which counts as the longest since a contact."""
        fields, _ = CASELOAD_SORTS[self.column]
        never_first = self.column == "last_contact"
        if self.column == "opened":  # never empty: the plain order, which the index `case_list_newest` answers
            return [F("opened_at").desc(), F("pk").desc()] if self.descending else [F("opened_at").asc(), F("pk").asc()]
        if self.descending:
            ordered = [F(name).desc(nulls_last=True) for name in fields]
        else:
            ordered = [
                F(name).asc(nulls_first=True) if never_first else F(name).asc(nulls_last=True) for name in fields
            ]
        return [*ordered, F("opened_at").desc(), F("pk").desc()]


def _last_contact(contacts: QuerySet[Contact]) -> Subquery:
    """The latest of these contacts (one index probe per case row: `cases_contact (case, -occurred_at)`)."""
    latest = contacts.filter(case=OuterRef("pk")).order_by("-occurred_at").values("occurred_at")[:1]
    return Subquery(latest, output_field=DateTimeField())


def with_work_columns(user: Any, cases: QuerySet[Case]) -> QuerySet[Any]:
    """The cases with what the caseload shows of the work on them, on the rows whose full record the person
    may read (`full_record`; elsewhere NULL, so sorting does not betray them): `last_contact_at` (restricted
    contacts counted for those who may read them), `stage_shown`, and each registered list fact
    (cases.list_facts: `next_review_on`, `overdue_actions`). Scalar subqueries, read with the rows."""
    full_record = access.row_condition(user, Action.VIEW)
    restricted_too = access.row_condition(user, Action.VIEW_RESTRICTED)

    def shown(expression: Any, output_field: Any) -> Coalesce:
        # Wrapped so that, for a person who reads no case in full (the CASE then compiles to a bare NULL),
        # ORDER BY still gets an expression rather than a constant PostgreSQL refuses.
        case = DbCase(When(full_record, then=expression), default=Value(None), output_field=output_field)
        return Coalesce(case, Value(None), output_field=output_field)

    last_contact = DbCase(
        When(restricted_too, then=_last_contact(Contact.objects.all())),
        default=_last_contact(Contact.objects.filter(restricted=False)),
        output_field=DateTimeField(),
    )
    facts: dict[str, Any] = {
        name: shown(expression, expression.output_field) for name, expression in list_fact_expressions().items()
    }
    # Without the app that computes them, the columns are empty (and still sortable).
    facts.setdefault("next_review_on", shown(Value(None, output_field=DateField()), DateField()))
    facts.setdefault("overdue_actions", shown(Value(None, output_field=IntegerField()), IntegerField()))
    return cases.annotate(
        full_record=ExpressionWrapper(full_record, output_field=BooleanField()),
        last_contact_at=shown(last_contact, DateTimeField()),
        stage_shown=shown(F("trm_stage"), IntegerField()),
        **facts,
    )


def case_list(
    *,
    user: Any,
    status: str = CaseStatus.OPEN,
    held_by_me: bool = False,
    allocated_to_me: bool = False,
    kind: str = "",
    sort: CaseloadSort | None = None,
) -> QuerySet[Case]:
    """The person's visible cases for list pages, newest first, with what the rows show (and only that:
    `cases/includes/case_table.html` and the API's case summary).

    `sort`: the caseload's order; the rows then carry the work columns too (`with_work_columns`)."""
    cases = visible_cases(user).select_related("child", "owning_yjs", "case_holder").only(*CASE_LIST_COLUMNS)
    if status:
        cases = cases.filter(status=status)
    if kind:
        cases = cases.filter(kind=kind)
    if held_by_me:
        cases = cases.filter(case_holder=user)
    if allocated_to_me:
        cases = cases.filter(Q(psychologist=user) | Q(senior_practitioner=user))
    if sort is None:
        return cases.order_by("-opened_at", "-pk")
    return with_work_columns(user, cases).order_by(*sort.order_by())


def days_since(moment: dt.datetime | None, today: dt.date | None = None) -> int | None:
    """Whole days from a moment (in UK dates) to today."""
    if moment is None:
        return None
    return ((today or timezone.localdate()) - timezone.localdate(moment)).days


def mark_work(cases: Iterable[Any], today: dt.date | None = None) -> list[Any]:
    """The rows of `with_work_columns` with what their cells say, in Python (no query): `days_since_contact`,
    `contact_overdue` (more days than the case's contact frequency since the last contact, or since it
    opened when there has been none) and `review_overdue`."""
    today = today or timezone.localdate()
    marked = list(cases)
    for case in marked:
        case.days_since_contact = days_since(case.last_contact_at, today)
        since = case.days_since_contact if case.last_contact_at else days_since(case.opened_at, today)
        case.contact_overdue = bool(
            case.full_record and case.is_open and since is not None and since > case.contact_frequency_days
        )
        case.review_overdue = bool(case.is_open and case.next_review_on and case.next_review_on < today)
    return marked


def case_search(*, user: Any, text: str = "", date_of_birth: dt.date | None = None) -> QuerySet[Case]:
    """Cases whose child matches a name, a date of birth or a reference, among the person's visible cases.

    One query. Names match on every case the person may see; a date of birth or a reference
    matches only where the person may read the full record, so a partner who sees a shared
    summary cannot confirm identifiers the summary leaves out. Each row carries `full_record`.
    """
    full_record = access.cases_for(user, Action.VIEW)
    if date_of_birth is not None:
        condition = Q(child__date_of_birth=date_of_birth) & Q(pk__in=full_record.values("pk"))
    else:
        words = text.split()
        if not words:
            return Case.objects.none()
        by_name = Q()
        for word in words:
            by_name &= Q(child__given_name__icontains=word) | Q(child__family_name__icontains=word)
        by_reference = Q(child__reference__iexact=text.strip()) & Q(pk__in=full_record.values("pk"))
        condition = by_name | by_reference
    return (
        visible_cases(user)
        .filter(condition)
        .annotate(full_record=Exists(full_record.filter(pk=OuterRef("pk"))))
        .select_related("child", "owning_yjs", "case_holder")
        .order_by("child__family_name", "child__given_name", "-opened_at", "-pk")
    )


def open_case_count() -> int:
    """How many ECM cases are open across every service (an aggregate: no child is identified)."""
    return Case.objects.filter(status=CaseStatus.OPEN).count()


def visibilities_for(*, user: Any, case: Case) -> list[str]:
    """The chronology visibilities the person may see on this case (no query once relations are known)."""
    return [visibility for visibility in Visibility.values if access.may(user, Action(visibility), case)]


@dataclass(frozen=True)
class ChronologyFilters:
    """What the chronology is narrowed to (cases.forms.ChronologyFilterForm reads them from the page's GET)."""

    kinds: tuple[str, ...] = ()
    date_from: dt.date | None = None  # from the start of this day (UK time)
    date_to: dt.date | None = None  # to the end of this day
    search: str = ""  # every word in the line's summary, any case
    significant_only: bool = False

    @property
    def active(self) -> bool:
        return bool(self.kinds or self.date_from or self.date_to or self.search or self.significant_only)

    @property
    def description(self) -> str:
        """The filters in words, for the page's count and the PDF ("" when not filtered)."""
        parts = []
        if self.kinds:
            labels = dict(CaseEventKind.choices)
            parts.append("of the kinds " + ", ".join(str(labels.get(kind, kind)).lower() for kind in self.kinds))
        if self.date_from and self.date_to:
            parts.append(f"from {long_day(self.date_from)} to {long_day(self.date_to)}")
        elif self.date_from:
            parts.append(f"from {long_day(self.date_from)}")
        elif self.date_to:
            parts.append(f"up to {long_day(self.date_to)}")
        if self.search:
            parts.append(f"containing \u201c{self.search}\u201d")
        if self.significant_only:
            parts.append("marked significant")
        return "; ".join(parts)


def long_day(day: dt.date) -> str:
    """A day as the pages write it: "3 December 2026"."""
    return f"{day.day} {day:%B %Y}"


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def chronology(
    *, user: Any, case: Case, kinds: Iterable[str] = (), filters: ChronologyFilters | None = None
) -> QuerySet[CaseEvent]:
    """The case's timeline, newest first, limited in the query to the lines the person may see, then to the
    filters. The text search reads only those lines, so it never finds a restricted line (nor what it says)
    for someone who may not read restricted notes."""
    events = CaseEvent.objects.filter(case=case, visibility__in=visibilities_for(user=user, case=case))
    filters = filters or ChronologyFilters(kinds=tuple(kinds))
    if filters.kinds:
        events = events.filter(kind__in=filters.kinds)
    if filters.date_from:
        events = events.filter(occurred_at__gte=_day_start(filters.date_from))
    if filters.date_to:
        events = events.filter(occurred_at__lt=_day_start(filters.date_to + dt.timedelta(days=1)))
    for word in filters.search.split():
        events = events.filter(summary__icontains=word)
    if filters.significant_only:
        events = events.filter(significant=True)
    return events.select_related("actor").order_by("-occurred_at", "-pk")


def link_events(*, case: Case, events: Iterable[CaseEvent], partners: bool = False) -> list[CaseEvent]:
    """Ready each line to show, with no work per line left to the template (issue 14): its `href` (a path as
    the service wrote it, or an anchor on the case page), its time written once (`when_iso`, `when_text`), its
    kind's label, who wrote it (`by`), and with `partners`, `partner` (the network member's agency) when someone
    from a partner agency in the child's network wrote it: what partners report sits in the same timeline, marked
    as theirs (one query a page)."""
    linked = list(events)
    case_url = case.get_absolute_url()
    labels = dict(CaseEventKind.choices)
    agencies = _partner_agencies(case, {event.actor_id for event in linked if event.actor_id}) if partners else {}
    for event in linked:
        if event.link.startswith("/"):
            event.href = event.link  # type: ignore[attr-defined]
        elif event.link.startswith("#"):
            event.href = case_url + event.link  # type: ignore[attr-defined]
        else:
            event.href = ""  # type: ignore[attr-defined]
        moment = timezone.localtime(event.occurred_at)
        event.when_iso = moment.isoformat()  # type: ignore[attr-defined]
        event.when_text = f"{moment.day} {moment:%b %Y, %H:%M}"  # type: ignore[attr-defined]
        event.kind_label = labels.get(event.kind, event.kind)  # type: ignore[attr-defined]
        actor = event.actor if event.actor_id else None
        event.by = (actor.get_full_name() or actor.username) if actor else ""  # type: ignore[attr-defined]
        event.partner = agencies.get(event.actor_id or 0, "")  # type: ignore[attr-defined]
    return linked


def _partner_agencies(case: Case, user_ids: set[int]) -> dict[int, str]:
    """Of these people, those in the child's network (now or before) from a partner agency: their agency's name."""
    if not user_ids:
        return {}
    members = (
        NetworkMember.objects.filter(case=case, user_id__in=user_ids, agency__kind__in=PARTNER_KINDS)
        .order_by("-pk")
        .values_list("user_id", "agency__name")
    )
    found: dict[int, str] = {}
    for user_id, agency_name in members:
        found.setdefault(user_id, agency_name)
    return found


def contacts_for(*, user: Any, case: Case) -> QuerySet[Contact]:
    """The case's contacts newest first, with corrections; restricted ones only for those who may read them."""
    contacts = Contact.objects.filter(case=case)
    if not access.may(user, Action.VIEW_RESTRICTED, case):
        contacts = contacts.filter(restricted=False)
    return (
        contacts.select_related("recorded_by")
        .prefetch_related("corrections__recorded_by")
        .order_by("-occurred_at", "-pk")
    )


def present_contacts(*, case: Case, contacts: Iterable[Contact]) -> list[Contact]:
    """Ready each contact to show with no work per row left to the template (issue 14): its two links built
    from one reversed prefix (`detail_url`, `correct_url`), its times and its corrections' times written once
    (`when_iso`, `when_text`, `day_text`, `recorded_text`), its kind's label and who recorded it."""
    shown = list(contacts)
    prefix = reverse("cases:contacts", args=[case.pk])
    labels = dict(ContactKind.choices)
    for contact in shown:
        contact.detail_url = f"{prefix}{contact.pk}/"  # type: ignore[attr-defined]
        contact.correct_url = f"{prefix}{contact.pk}/correct/"  # type: ignore[attr-defined]
        moment = timezone.localtime(contact.occurred_at)
        contact.when_iso = moment.isoformat()  # type: ignore[attr-defined]
        contact.when_text = f"{moment:%A} {moment.day} {moment:%B %Y, %H:%M}"  # type: ignore[attr-defined]
        contact.day_text = f"{moment.day} {moment:%B %Y}"  # type: ignore[attr-defined]
        contact.recorded_text = _short_moment(contact.recorded_at)  # type: ignore[attr-defined]
        contact.kind_label = labels.get(contact.kind, contact.kind)  # type: ignore[attr-defined]
        contact.recorded_by_name = contact.recorded_by.get_full_name()  # type: ignore[attr-defined]
        for correction in contact.corrections.all():
            correction.when_iso = timezone.localtime(correction.recorded_at).isoformat()  # type: ignore[attr-defined]
            correction.when_text = _short_moment(correction.recorded_at)  # type: ignore[attr-defined]
    return shown


def _short_moment(moment: dt.datetime) -> str:
    """A moment as tables write it, in UK time: "3 Dec 2026, 14:30"."""
    local = timezone.localtime(moment)
    return f"{local.day} {local:%b %Y, %H:%M}"


def rectifications_of(*, child: Any) -> QuerySet[Rectification]:
    """Every correction of the child's details, newest first, with who made it (one query)."""
    return Rectification.objects.filter(child=child).select_related("corrected_by").order_by("-corrected_at", "-pk")


def consultations_for(*, case: Case) -> QuerySet[Consultation]:
    """The case's consultations, newest first."""
    return Consultation.objects.filter(case=case).select_related("psychologist").order_by("-held_on", "-pk")


def network_of(*, case: Case) -> QuerySet[NetworkMember]:
    """The professionals in the child's network now (people who left are in the chronology and history)."""
    return (
        NetworkMember.objects.filter(case=case, removed_at__isnull=True)
        .select_related("user", "agency")
        .order_by("name", "pk")
    )


def network_member_of(*, case: Case, member_id: int) -> QuerySet[NetworkMember]:
    """One current network member of this case (empty when the id belongs to another case)."""
    return network_of(case=case).filter(pk=member_id)


@dataclass(frozen=True)
class CasePerson:
    """Someone working with the child: a member of the child's network, or of the case team.

    What a form offers when someone must be chosen to own a recommendation or an action.
    """

    key: str  # "member:<id>" or "user:<id>"
    label: str  # the name with their role and agency, as a choice shows it
    name: str
    user: User | None = None
    agency: Agency | None = None
    agency_name: str = ""  # the agency's name when it is not on ECM


CASE_TEAM_ROLES = (
    ("case_holder_id", "Case holder"),
    ("psychologist_id", "Psychologist"),
    ("senior_practitioner_id", "Senior practitioner"),
)


def case_people(case: Case) -> list[CasePerson]:
    """The network's current members, then the case holder and the case's clinicians not already
    listed (each person once; an inactive ECM user of the team is left out): three queries."""
    people: list[CasePerson] = []
    listed: set[int] = set()
    for member in network_of(case=case):
        person = member.user if member.user_id else None
        name = person.get_full_name() if person else member.name
        details = ", ".join(part for part in (member.role, member.agency_display) if part)
        if person is not None:
            listed.add(person.pk)
        people.append(
            CasePerson(
                key=f"member:{member.pk}",
                label=f"{name} ({details})" if details else name,
                name=name,
                user=person,
                agency=member.agency,
                agency_name="" if member.agency_id else member.agency_name,
            )
        )
    team = [(getattr(case, field), role) for field, role in CASE_TEAM_ROLES]
    current = Membership.objects.filter(is_active=True, agency__is_active=True).select_related("agency")
    found = {
        person.pk: person
        for person in User.objects.filter(
            pk__in=[pk for pk, _ in team if pk and pk not in listed], is_active=True
        ).prefetch_related(
            Prefetch("memberships", queryset=current.order_by("created_at", "pk"), to_attr="current_memberships")
        )
    }
    for pk, role in team:
        person = found.get(pk) if pk else None
        if person is None or person.pk in listed:
            continue
        listed.add(person.pk)
        memberships = getattr(person, "current_memberships", [])
        agency = memberships[0].agency if memberships else None
        details = ", ".join(part for part in (role, agency.name if agency else "") if part)
        people.append(
            CasePerson(
                key=f"user:{person.pk}",
                label=f"{person.get_full_name()} ({details})",
                name=person.get_full_name(),
                user=person,
                agency=agency,
            )
        )
    return people


def holder_history(*, case: Case) -> QuerySet[CaseHolderChange]:
    """Every case holder the case has had, newest first (continuity)."""
    return (
        CaseHolderChange.objects.filter(case=case)
        .select_related("previous_holder", "new_holder", "changed_by")
        .order_by("-changed_at", "-pk")
    )


def case_managers_of(*, yjs: Agency) -> QuerySet[User]:
    """Active case managers of a youth justice service: the people who may hold its cases."""
    return User.objects.filter(
        is_active=True,
        memberships__agency=yjs,
        memberships__role=Role.CASE_MANAGER,
        memberships__is_active=True,
    ).order_by("first_name", "last_name", "pk")


# The network picker: a search, never a list of every member of staff of every agency.
NETWORK_SEARCH_LIMIT = 20


def agencies_working_with(*, case: Case) -> QuerySet[Agency]:
    """The agencies already working with the child: those in the case's network, the owning service, the ECM team."""
    in_network = NetworkMember.objects.filter(case=case, removed_at__isnull=True, agency__isnull=False)
    return Agency.objects.filter(
        Q(pk__in=in_network.values("agency_id")) | Q(pk=case.owning_yjs_id) | Q(kind=AgencyKind.ECM_TEAM)
    )


def network_candidates(*, case: Case) -> QuerySet[User]:
    """Active people who could join the case's network (a role that may, not already in it), each with the
    agency and role to show (`agency_label`, `role_label`, `agency_ref`, `agency_kind`), that of an agency
    working with the child when they have one (`works_with_child`). Narrow it before listing: it is everyone."""
    near = agencies_working_with(case=case).values("pk")
    memberships = (
        Membership.objects.filter(user=OuterRef("pk"), is_active=True, agency__is_active=True, role__in=NETWORK_ROLES)
        .annotate(far=DbCase(When(agency_id__in=near, then=Value(0)), default=Value(1)))
        .order_by("far", "created_at", "pk")
    )
    already_in = NetworkMember.objects.filter(case=case, removed_at__isnull=True, user__isnull=False).values("user_id")
    return (
        User.objects.filter(is_active=True)
        .filter(Exists(memberships))
        .exclude(pk__in=already_in)
        .annotate(
            agency_label=Subquery(memberships.values("agency__name")[:1], output_field=CharField()),
            agency_kind=Subquery(memberships.values("agency__kind")[:1], output_field=CharField()),
            role_label=Subquery(memberships.values("role")[:1], output_field=CharField()),
            agency_ref=Subquery(memberships.values("agency_id")[:1]),
            works_with_child=Exists(memberships.filter(agency_id__in=near)),
        )
    )


def network_search(*, case: Case, text: str, limit: int = NETWORK_SEARCH_LIMIT) -> list[User]:
    """Up to `limit` people who could join the network whose name or e-mail matches every word typed,
    people of the agencies already working with the child first, then by name (one query)."""
    people = network_candidates(case=case)
    for word in text.split():
        people = people.filter(Q(first_name__icontains=word) | Q(last_name__icontains=word) | Q(email__icontains=word))
    found = list(people.order_by("-works_with_child", "first_name", "last_name", "pk")[:limit])
    for person in found:
        person.role_name = Role(person.role_label).label  # type: ignore[attr-defined]
    return found


def network_candidate(*, case: Case, person_id: int) -> QuerySet[User]:
    """One person who could join the case's network (empty if they cannot, or are already in it)."""
    return network_candidates(case=case).filter(pk=person_id)


def other_service_of(*, case: Case, person: User) -> Agency | None:
    """The youth justice service a person works for when it is not the one that owns the case (None otherwise)."""
    memberships = Membership.objects.filter(
        user=person, is_active=True, agency__is_active=True, agency__kind=AgencyKind.YOUTH_JUSTICE
    ).select_related("agency")
    if memberships.filter(agency_id=case.owning_yjs_id).exists():
        return None
    first = memberships.order_by("created_at", "pk").first()
    return first.agency if first is not None else None


def network_agencies() -> QuerySet[Agency]:
    """Agencies a network member can belong to (every active agency except commissioners)."""
    return Agency.objects.filter(is_active=True).exclude(kind="commissioner").order_by("name")


@dataclass(frozen=True)
class CaseOverview:
    """What the case page shows one person, read with a fixed number of queries."""

    full_record: bool
    psychologist: User | None
    senior_practitioner: User | None
    network: list[NetworkMember]
    latest_events: list[CaseEvent]
    holders: list[CaseHolderChange]
    has_restricted_notes: bool
    contact_count: int
    consultation_count: int
    child_age: int
    # The latest contact the person may see, how many days ago, and whether that is longer than the case's
    # contact frequency allows (Case.contact_frequency_days).
    last_contact_at: dt.datetime | None = None
    days_since_contact: int | None = None
    contact_overdue: bool = False


def overview_facts(*, user: Any, case: Case) -> dict[str, Any]:
    """What the case page counts, as facts on the case's row (cases.sections): how many contacts (that the
    person may see) and consultations, when the latest contact was, and whether restricted notes exist. Nothing
    without the full record."""
    if not access.may(user, Action.VIEW, case):
        return {}
    contacts = Contact.objects.filter(case=OuterRef("pk"))
    if not access.may(user, Action.VIEW_RESTRICTED, case):
        contacts = contacts.filter(restricted=False)
    return {
        "contact_total": count_of(contacts),
        "last_contact_at": Subquery(contacts.order_by("-occurred_at").values("occurred_at")[:1]),
        "consultation_total": count_of(Consultation.objects.filter(case=OuterRef("pk"))),
        "has_restricted": Exists(Contact.objects.filter(case=OuterRef("pk"), restricted=True)),
    }


def case_overview(
    *, user: Any, case: Case, facts: Mapping[str, Any] | None = None, with_lists: bool = True
) -> CaseOverview:
    """Everything the case page needs for this person; the full-record parts only when they may read them.

    `facts`: the values of `overview_facts`, when the page has read them with its sections' (read here otherwise).
    `with_lists`: read the network and the case holders too (the shared summary shows them; the full record's
    overview leaves them to the Network and Details pages).
    """
    full_record = access.may(user, Action.VIEW, case)
    may_view_restricted = access.may(user, Action.VIEW_RESTRICTED, case)
    if facts is None:
        facts = facts_of(case, overview_facts(user=user, case=case))
    today = timezone.localdate()
    last_contact_at = facts.get("last_contact_at")
    days_since = (today - timezone.localtime(last_contact_at).date()).days if last_contact_at else None
    frequency = getattr(case, "contact_frequency_days", None)
    return CaseOverview(
        full_record=full_record,
        # The case came through the access module with its clinicians.
        psychologist=case.psychologist if case.psychologist_id else None,
        senior_practitioner=case.senior_practitioner if case.senior_practitioner_id else None,
        network=list(network_of(case=case)) if with_lists else [],
        latest_events=link_events(case=case, events=chronology(user=user, case=case)[:LATEST_EVENTS]),
        holders=list(holder_history(case=case)) if full_record and with_lists else [],
        has_restricted_notes=may_view_restricted and bool(facts.get("has_restricted")),
        contact_count=facts.get("contact_total") or 0,
        consultation_count=facts.get("consultation_total") or 0,
        child_age=age_on(case.child.date_of_birth, today),
        last_contact_at=last_contact_at,
        days_since_contact=days_since,
        # An open case whose child has not been seen within its contact frequency (or ever, once that long open).
        contact_overdue=bool(
            full_record
            and frequency
            and not case.closed_at
            and (
                days_since > frequency
                if days_since is not None
                else (today - timezone.localtime(case.opened_at).date()).days > frequency
            )
        ),
    )
