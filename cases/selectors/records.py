"""The case's records as a person may read them: the chronology (filtered), contacts, corrections and
consultations."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, TypedDict

from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import OuterRef, QuerySet, Subquery
from django.db.models.functions import JSONObject
from django.urls import reverse
from django.utils import timezone

from accounts.models import PARTNER_KINDS
from cases import access
from cases import tallies as tallies_of
from cases.access import Action
from cases.models import (
    Case,
    CaseEvent,
    CaseEventKind,
    Consultation,
    Contact,
    ContactCorrection,
    ContactKind,
    NetworkMember,
    Rectification,
    Visibility,
)
from core.pagination import CompiledPages
from core.rows import paragraphs


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
    filters = filters or ChronologyFilters(kinds=tuple(kinds))
    return _case_events(tuple(visibilities_for(user=user, case=case)), filters, case=case.pk)


def chronology_pages(*, user: Any, case: Case, filters: ChronologyFilters, per_page: int) -> CompiledPages:
    """`chronology` as compiled pages (core.pagination.CompiledPages): its count, and its newest lines, compiled
    once for every case with the same visibilities and filters."""
    visibilities = tuple(visibilities_for(user=user, case=case))
    tallies = tallies_of.event_tallies(visibilities)
    return CompiledPages(
        _case_events,
        visibilities,
        filters,
        values={"case": case.pk},
        per_page=per_page,
        # Unfiltered, every line of the visibilities the person sees: the case's tallies say how many.
        counted=None if filters.active else lambda: tallies_of.tallied(case.pk, tallies),
    )


def latest_events(*, user: Any, case: Case, count: int = 5) -> list[CaseEvent]:
    """The newest `count` lines of the chronology the person may see (the case page's), from the compiled SQL of
    `chronology_pages`."""
    return chronology_pages(user=user, case=case, filters=ChronologyFilters(), per_page=count)[0:count]


def _case_events(visibilities: tuple[str, ...], filters: ChronologyFilters, *, case: int) -> QuerySet[CaseEvent]:
    events = CaseEvent.objects.filter(case_id=case, visibility__in=visibilities)
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
    return events.select_related("actor").annotate(partner_agency=_partner_agency()).order_by("-occurred_at", "-pk")


def _partner_agency() -> Subquery:
    """The agency of the line's author when they are (or were) in the child's network from a partner agency: what
    partners report is marked as theirs (`link_events`). Their latest such membership; a network is tens of people."""
    members = NetworkMember.objects.filter(
        case_id=OuterRef("case_id"), user_id=OuterRef("actor_id"), agency__kind__in=PARTNER_KINDS
    )
    return Subquery(members.order_by("-pk").values("agency__name")[:1])


class EventLine(TypedDict):
    """A chronology line as it is shown (`cases/includes/event_list.html`, the chronology PDF)."""

    pk: int
    pk_text: str  # the id as text and the line's own anchor ("event-<pk>"): an int costs the template its
    anchor: str  # number formatting each time it writes one
    href: str  # a path as the service wrote it, an anchor on the case page, or ""
    when_iso: str
    when_text: str
    kind_label: str
    summary: str
    significant: bool
    is_restricted: bool
    by: str  # who wrote it
    partner: str  # their agency, when they are a partner in the child's network


def link_events(*, case: Case, events: Iterable[CaseEvent], partners: bool = False) -> list[EventLine]:
    """Each line as it is shown, with no work per line left to the template (issue 14): its `href` (a path as
    the service wrote it, or an anchor on the case page), its time written once (`when_iso`, `when_text`), its
    kind's label, who wrote it (`by`), and with `partners`, `partner` (the network member's agency) when someone
    from a partner agency in the child's network wrote it: what partners report sits in the same timeline, marked
    as theirs (read with the lines: `chronology`'s `partner_agency`)."""
    events = list(events)
    case_url = case.get_absolute_url()
    labels = dict(CaseEventKind.choices)
    lines: list[EventLine] = []
    for event in events:
        moment = timezone.localtime(event.occurred_at)
        actor = event.actor if event.actor_id else None
        link = event.link
        lines.append(
            {
                "pk": event.pk,
                "pk_text": str(event.pk),
                "anchor": f"event-{event.pk}",
                "href": link if link.startswith("/") else case_url + link if link.startswith("#") else "",
                "when_iso": moment.isoformat(),
                "when_text": f"{moment.day} {moment:%b %Y, %H:%M}",
                "kind_label": labels.get(event.kind, event.kind),
                "summary": event.summary,
                "significant": event.significant,
                "is_restricted": event.is_restricted,
                "by": (actor.get_full_name() or actor.username) if actor else "",
                "partner": (getattr(event, "partner_agency", None) or "") if partners else "",
            }
        )
    return lines


def contacts_for(*, user: Any, case: Case, correction_rows: bool = False) -> QuerySet[Contact]:
    """The case's contacts newest first, with their corrections: prefetched as records (the API's), or with
    `correction_rows` read with each contact as rows (the pages', `present_contacts`); restricted ones only for
    those who may read them."""
    contacts = _case_contacts(access.may(user, Action.VIEW_RESTRICTED, case), case=case.pk)
    return _with_correction_rows(contacts) if correction_rows else contacts.prefetch_related("corrections__recorded_by")


def contact_pages(*, user: Any, case: Case, per_page: int) -> CompiledPages:
    """`contacts_for` in pages, their SQL compiled once for every case (core.pagination.CompiledPages)."""
    restricted_shown = access.may(user, Action.VIEW_RESTRICTED, case)
    tallies = tallies_of.contact_tallies(restricted_shown=restricted_shown)
    return CompiledPages(
        _case_contact_rows,
        restricted_shown,
        values={"case": case.pk},
        per_page=per_page,
        counted=lambda: tallies_of.tallied(case.pk, tallies),
    )


def _case_contacts(restricted_shown: bool, *, case: int) -> QuerySet[Contact]:
    contacts = Contact.objects.filter(case_id=case)
    if not restricted_shown:
        contacts = contacts.filter(restricted=False)
    return contacts.select_related("recorded_by").order_by("-occurred_at", "-pk")


def _case_contact_rows(restricted_shown: bool, *, case: int) -> QuerySet[Contact]:
    return _with_correction_rows(_case_contacts(restricted_shown, case=case))


def _with_correction_rows(contacts: QuerySet[Contact]) -> QuerySet[Contact]:
    """Each contact with its corrections as rows (`correction_rows`, oldest first: a contact's corrections are few),
    so a page of them is one read (`present_contacts`)."""
    corrections = ContactCorrection.objects.filter(contact=OuterRef("pk")).order_by("recorded_at", "pk")
    rows = corrections.values(
        row=JSONObject(
            first_name="recorded_by__first_name",
            last_name="recorded_by__last_name",
            recorded_at="recorded_at",
            text="text",
            reason="reason",
        )
    )
    return contacts.annotate(correction_rows=ArraySubquery(rows))


class CorrectionRow(TypedDict):
    """A correction as it is shown under its contact."""

    by: str
    when_iso: str
    when_text: str
    text_html: str  # the text as paragraphs, as `|linebreaks` makes them
    reason: str


class ContactRow(TypedDict):
    """A contact as it is shown (`cases/includes/contact_summaries.html`): words and links only."""

    pk: int
    anchor: str  # the article's id, "contact-<pk>"
    link_url: str  # the contact's page, for its title to link to; "" where the page does not link it
    correct_url: str  # "Add a correction"; "" where the page does not offer it
    mark_url: str  # the "Mark as significant" form's action; "" where the page does not offer it
    kind_label: str
    kind_label_lower: str
    with_whom: str
    significant: bool
    restricted: bool
    when_iso: str
    when_text: str
    day_text: str
    duration: str  # "45 minutes", or "" when not recorded
    recorded_by_name: str
    recorded_text: str
    note_html: str  # the note as paragraphs, as `|linebreaks` makes them
    corrections: list[CorrectionRow]


def present_contacts(
    *, case: Case, contacts: Iterable[Contact], link: bool = False, correct: bool = False, mark: bool = False
) -> list[ContactRow]:
    """Each contact as it is shown, with no work per row left to the template (issue 14): its times written once,
    its kind's label, who recorded it, its note and its corrections' texts as paragraphs, and the links the page
    offers (`link`: the title to the contact's page; `correct`: "Add a correction"; `mark`: the "Mark as
    significant" form), each built from one reversed prefix. Rows of words, not records: the template's lookups
    on a dict are its cheapest. Each contact brings its corrections as rows, read with it (`contact_pages`,
    `contacts_for(correction_rows=True)`)."""
    prefix = reverse("cases:contacts", args=[case.pk])
    labels = dict(ContactKind.choices)
    rows: list[ContactRow] = []
    for contact in contacts:
        detail_url = f"{prefix}{contact.pk}/"
        moment = timezone.localtime(contact.occurred_at)
        label = labels.get(contact.kind, contact.kind)
        rows.append(
            {
                "pk": contact.pk,
                "anchor": f"contact-{contact.pk}",
                "link_url": detail_url if link else "",
                "correct_url": f"{detail_url}correct/" if correct else "",
                "mark_url": f"{detail_url}significant/" if mark else "",
                "kind_label": label,
                "kind_label_lower": label.lower(),
                "with_whom": contact.with_whom,
                "significant": contact.significant,
                "restricted": contact.restricted,
                "when_iso": moment.isoformat(),
                "when_text": f"{moment:%A} {moment.day} {moment:%B %Y, %H:%M}",
                "day_text": f"{moment.day} {moment:%B %Y}",
                "duration": f"{contact.duration_minutes} minutes" if contact.duration_minutes is not None else "",
                "recorded_by_name": contact.recorded_by.get_full_name(),
                "recorded_text": _short_moment(contact.recorded_at),
                "note_html": paragraphs(contact.note),
                "corrections": [_correction(row) for row in contact.correction_rows],  # type: ignore[attr-defined]
            }
        )
    return rows


def _correction(row: dict[str, Any]) -> CorrectionRow:
    recorded_at = dt.datetime.fromisoformat(row["recorded_at"])
    return {
        "by": f"{row['first_name']} {row['last_name']}".strip(),  # as User.get_full_name()
        "when_iso": timezone.localtime(recorded_at).isoformat(),
        "when_text": _short_moment(recorded_at),
        "text_html": paragraphs(row["text"]),
        "reason": row["reason"],
    }


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
