"""Each role's workboard on the home page: what needs doing, soonest first, with the place to act.

It reads from several apps (contacts and cases, referrals, formulation reports and meetings, reviews and
actions), so it lives here, above them all: `cases` never imports the apps above it. Every group is one
query whatever its length, and every group is scoped through the access module.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import DateTimeField, F, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import TruncDate
from django.urls import reverse
from django.utils import timezone
from django.utils.text import Truncator

from accounts.models import CLINICIAN_ROLES, Role
from cases import access
from cases.access import Action
from cases.models import CaseKind, CaseStatus, Contact, TransferStatus
from core.reminders import reminder_setting
from core.working_days import add_working_days
from formulation.models import FormulationReport, MeetingStatus, ReportStatus
from formulation.selectors import my_meetings
from referrals.models import ReferralStatus
from referrals.selectors import referrals_made_by, triage_queue
from reviews.action_selectors import my_actions
from reviews.models import Review, ReviewStatus
from reviews.selectors import review_due_on

# Due within this many days counts as "due" on the workboard (later work waits for its turn).
DUE_SOON_DAYS = 7
# A review is scheduled this far ahead of its due date, so the network can be invited in time.
SCHEDULE_AHEAD_DAYS = 28
# Each group shows at most this many rows, with a link to the whole list.
GROUP_LIMIT = 20


@dataclass(frozen=True)
class WorkItem:
    """One thing to do: what, for which child's case, when it is due, and where to do it."""

    what: str
    child_name: str
    href: str
    due_on: dt.date | None
    today: dt.date
    case_id: int | None = None
    referral_id: int | None = None
    detail: str = ""
    urgent: bool = False

    @property
    def days_overdue(self) -> int:
        if self.due_on is None:
            return 0
        return max(0, (self.today - self.due_on).days)

    @property
    def is_overdue(self) -> bool:
        return self.days_overdue > 0

    @property
    def due_words(self) -> str:
        """How overdue, or how soon: "3 days overdue", "Due today", "Due in 2 days"."""
        if self.due_on is None:
            return "Not started"
        days = (self.due_on - self.today).days
        if days < 0:
            return f"{-days} day{'' if days == -1 else 's'} overdue"
        if days == 0:
            return "Due today"
        return f"Due in {days} day{'' if days == 1 else 's'}"


@dataclass(frozen=True)
class WorkGroup:
    """A kind of work on the board, soonest first (triage: urgent first, then the longest waiting)."""

    key: str
    title: str
    items: list[WorkItem]
    empty: str  # what the board says when there is nothing: "No contact is overdue"
    more_href: str = ""
    more_label: str = ""


@dataclass(frozen=True)
class Workboard:
    groups: list[WorkGroup] = field(default_factory=list)

    @property
    def case_ids(self) -> list[int]:
        return [item.case_id for group in self.groups for item in group.items if item.case_id is not None]

    @property
    def referral_ids(self) -> list[int]:
        return [item.referral_id for group in self.groups for item in group.items if item.referral_id is not None]

    @property
    def overdue_count(self) -> int:
        return sum(1 for group in self.groups for item in group.items if item.is_overdue)


def _soonest_first(items: Iterable[WorkItem]) -> list[WorkItem]:
    return sorted(items, key=lambda item: (item.due_on is None, item.due_on or item.today))[:GROUP_LIMIT]


# Case managers.


def held_cases_due(user: Any) -> QuerySet[Any]:
    """The open cases the person holds (and reads in full), with the last contact (restricted ones
    included: the holder reads them), when the next review is due and when one is scheduled. One query."""
    latest_contact = Contact.objects.filter(case=OuterRef("pk")).order_by("-occurred_at").values("occurred_at")[:1]
    scheduled = (
        Review.objects.filter(case=OuterRef("pk"), status=ReviewStatus.OPEN)
        .exclude(meeting__status=MeetingStatus.CANCELLED)
        .order_by("meeting__starts_at")
        .values("meeting__starts_at")[:1]
    )
    return (
        access.cases_for(user, Action.VIEW)
        .filter(case_holder=user, status=CaseStatus.OPEN)
        .select_related("child")
        .only("id", "kind", "status", "opened_at", "contact_frequency_days", "child__given_name", "child__family_name")
        .annotate(
            last_contact_at=Subquery(latest_contact, output_field=DateTimeField()),
            review_due_on=review_due_on(),
            review_scheduled_at=Subquery(scheduled, output_field=DateTimeField()),
        )
        .order_by("pk")
    )


def _contacts_due(cases: list[Any], today: dt.date) -> WorkGroup:
    items = []
    for case in cases:
        since = timezone.localdate(case.last_contact_at) if case.last_contact_at else timezone.localdate(case.opened_at)
        due_on = since + dt.timedelta(days=case.contact_frequency_days)
        if due_on > today + dt.timedelta(days=DUE_SOON_DAYS):
            continue
        last = f"last contact {since.day} {since:%b %Y}" if case.last_contact_at else "no contact logged yet"
        items.append(
            WorkItem(
                what="Contact the child",
                child_name=case.child.full_name,
                href=reverse("cases:contact_add", args=[case.pk]),
                due_on=due_on,
                today=today,
                case_id=case.pk,
                detail=f"Every {case.contact_frequency_days} days; {last}",
            )
        )
    return WorkGroup("contacts", "Contacts due", _soonest_first(items), "No contact is due or overdue.")


def _reviews_due(cases: list[Any], today: dt.date) -> WorkGroup:
    items = []
    for case in cases:
        due_on = case.review_due_on
        if case.kind != CaseKind.FORMULATION or due_on is None or due_on > today + dt.timedelta(days=DUE_SOON_DAYS):
            continue
        if case.review_scheduled_at is not None:
            on = timezone.localdate(case.review_scheduled_at)
            detail = f"Scheduled for {on.day} {on:%b %Y}"
        else:
            detail = "Not scheduled yet"
        items.append(
            WorkItem(
                what="Review",
                child_name=case.child.full_name,
                href=reverse("reviews:review_list", args=[case.pk]),
                due_on=due_on,
                today=today,
                case_id=case.pk,
                detail=detail,
            )
        )
    return WorkGroup("reviews", "Reviews due", _soonest_first(items), "No review is due or overdue.")


def _actions_due(user: Any, today: dt.date) -> WorkGroup:
    horizon = today + dt.timedelta(days=DUE_SOON_DAYS)
    actions = my_actions(user=user).filter(due_on__lte=horizon)[:GROUP_LIMIT]
    items = [
        WorkItem(
            what="Action",
            child_name=action.case.child.full_name,
            href=reverse("reviews:action_detail", args=[action.pk]),
            due_on=action.due_on,
            today=today,
            case_id=action.case_id,
            detail=f"{Truncator(action.text).chars(80)} ({action.get_status_display().lower()})",
        )
        for action in actions
    ]
    return WorkGroup(
        "actions",
        "Actions due",
        _soonest_first(items),
        "None of your actions is due or overdue.",
        reverse("reviews:my_actions"),
        "See all your actions",
    )


def _drafts(user: Any, today: dt.date) -> WorkGroup:
    drafts = referrals_made_by(user).filter(status=ReferralStatus.DRAFT)[:GROUP_LIMIT]
    items = [
        WorkItem(
            what="Referral draft",
            child_name=referral.child.full_name,
            href=reverse("referrals:detail", args=[referral.pk]),
            due_on=None,
            today=today,
            case_id=referral.case_id,
            referral_id=referral.pk,
            detail=f"Started {referral.created_at:%-d %b %Y}, not submitted",
        )
        for referral in drafts
    ]
    return WorkGroup(
        "drafts",
        "Your drafts",
        items,
        "You have no unfinished drafts.",
        reverse("referrals:mine"),
        "See your referrals",
    )


def _offers(user: Any, today: dt.date) -> list[WorkGroup]:
    """Cases another service offered to the person's service, waiting for its decision (issue 17): shown by
    initials and date of birth, as the offer itself shows them. Only when there are some."""
    offers = access.offers_to(user).filter(status=TransferStatus.PENDING).select_related("case__child", "from_yjs")
    items = [
        WorkItem(
            what=f"Case offered by {offer.from_yjs.name}",
            child_name=f"{offer.case.child.initials}, born {offer.case.child.date_of_birth:%-d %b %Y}",
            href=reverse("cases:transfer_detail", args=[offer.pk]),
            due_on=None,
            today=today,
            case_id=offer.case_id,
            detail=f"Offered {timezone.localdate(offer.offered_at):%-d %b %Y}: accept it or decline it",
        )
        for offer in offers.order_by("offered_at", "pk")[:GROUP_LIMIT]
    ]
    if not items:
        return []
    return [
        WorkGroup(
            "transfers",
            "Cases offered to your service",
            items,
            "No case is offered to your service.",
            reverse("cases:transfers"),
            "See all transfers",
        )
    ]


def case_manager_groups(user: Any, today: dt.date) -> list[WorkGroup]:
    """Contacts due against each held case's frequency, reviews due, the person's actions due, drafts, and cases
    offered to their service."""
    held = list(held_cases_due(user))
    groups = [_contacts_due(held, today), _reviews_due(held, today), _actions_due(user, today), _drafts(user, today)]
    return groups + _offers(user, today)


# Clinicians (psychologists and senior practitioners).


def _triage(user: Any, today: dt.date) -> WorkGroup:
    wait = reminder_setting("TRIAGE_WAIT_WORKING_DAYS")
    items = []
    for referral in triage_queue(user)[:GROUP_LIMIT]:
        submitted = timezone.localdate(referral.submitted_at) if referral.submitted_at else today
        urgency = referral.get_urgency_display().split(":")[0]
        items.append(
            WorkItem(
                what="Triage",
                child_name=referral.child.full_name,
                href=referral.get_absolute_url(),
                due_on=add_working_days(submitted, wait),
                today=today,
                case_id=referral.case_id,
                referral_id=referral.pk,
                detail=referral.referring_yjs.name
                if referral.is_urgent
                else f"{urgency}; {referral.referring_yjs.name}",
                urgent=referral.is_urgent,
            )
        )
    # The queue's own order: urgent first, then the longest waiting.
    return WorkGroup(
        "triage",
        "Referrals waiting for triage",
        items,
        "No referral is waiting for triage.",
        reverse("referrals:triage_queue"),
        "Go to the triage queue",
    )


def reports_to_sign_off(user: Any) -> QuerySet[FormulationReport]:
    """Reports in review on cases where the person may sign them off, that they did not write, with
    the day their formulation meeting began (the sign-off deadline runs from it). One query."""
    cases = access.cases_for(user, Action.REVIEW_REPORT).filter(status=CaseStatus.OPEN)
    return (
        FormulationReport.objects.filter(status=ReportStatus.IN_REVIEW, case__in=cases)
        .exclude(author=user)
        .select_related("case__child")
        .annotate(meeting_on=TruncDate("meeting__starts_at"))
        .order_by(F("meeting__starts_at").asc(nulls_last=True), "submitted_for_review_at", "pk")
    )


def _reports(user: Any, today: dt.date) -> WorkGroup:
    after = reminder_setting("REPORT_SIGN_OFF_WORKING_DAYS")
    items = []
    for report in reports_to_sign_off(user)[:GROUP_LIMIT]:
        waiting = timezone.localdate(report.submitted_for_review_at) if report.submitted_for_review_at else None
        meeting_on: dt.date | None = getattr(report, "meeting_on", None)  # annotated by reports_to_sign_off
        items.append(
            WorkItem(
                what="Sign off the formulation report",
                child_name=report.case.child.full_name,
                href=report.get_absolute_url(),
                due_on=add_working_days(meeting_on, after) if meeting_on else waiting,
                today=today,
                case_id=report.case_id,
                detail=f"Version {report.version}"
                + (f", in review since {waiting.day} {waiting:%b %Y}" if waiting else ""),
            )
        )
    return WorkGroup("reports", "Reports waiting for sign-off", _soonest_first(items), "No report waits for you.")


def _meetings(user: Any, today: dt.date) -> WorkGroup:
    now = timezone.now()
    meetings = my_meetings(user=user, now=now).filter(starts_at__lt=now + dt.timedelta(days=7))[:GROUP_LIMIT]
    items = [
        WorkItem(
            what=meeting.get_purpose_display(),
            child_name=meeting.case.child.full_name,
            href=meeting.get_absolute_url(),
            due_on=timezone.localdate(meeting.starts_at),
            today=today,
            case_id=meeting.case_id,
            detail=f"{timezone.localtime(meeting.starts_at):%H:%M}",
        )
        for meeting in meetings
    ]
    return WorkGroup(
        "meetings",
        "Meetings this week",
        items,
        "You have no meetings in the next seven days.",
        reverse("formulation:my_meetings"),
        "See all your meetings",
    )


def clinician_groups(user: Any, today: dt.date) -> list[WorkGroup]:
    """Triage waiting, reports waiting for the person's sign-off, their meetings this week."""
    return [_triage(user, today), _reports(user, today), _meetings(user, today)]


# Senior practitioners.


def reviews_to_schedule(user: Any, today: dt.date) -> QuerySet[Any]:
    """Open formulation cases the person chairs reviews on (theirs, or with no senior practitioner yet)
    whose next review is due within SCHEDULE_AHEAD_DAYS (or overdue) and has no meeting. One query."""
    upcoming = Review.objects.filter(case=OuterRef("pk"), status=ReviewStatus.OPEN).exclude(
        meeting__status=MeetingStatus.CANCELLED
    )
    return (
        access.cases_for(user, Action.CHAIR_REVIEW)
        .filter(status=CaseStatus.OPEN, kind=CaseKind.FORMULATION)
        .filter(Q(senior_practitioner=user) | Q(senior_practitioner__isnull=True))
        .annotate(review_due_on=review_due_on(), review_open=Subquery(upcoming.values("pk")[:1]))
        .filter(review_due_on__lte=today + dt.timedelta(days=SCHEDULE_AHEAD_DAYS), review_open__isnull=True)
        .select_related("child")
        .order_by("review_due_on", "pk")
    )


def reviews_to_sign_off(user: Any, now: dt.datetime) -> QuerySet[Review]:
    """Open reviews the person chairs whose meeting has begun: to record and sign off. One query."""
    return (
        Review.objects.filter(
            case__in=access.cases_for(user, Action.CHAIR_REVIEW),
            chair=user,
            status=ReviewStatus.OPEN,
            meeting__starts_at__lte=now,
        )
        .exclude(meeting__status=MeetingStatus.CANCELLED)
        .select_related("case__child", "meeting")
        .order_by("meeting__starts_at", "pk")
    )


def senior_practitioner_groups(user: Any, today: dt.date) -> list[WorkGroup]:
    """Reviews to schedule and reviews to sign off."""
    to_schedule = [
        WorkItem(
            what="Schedule the review",
            child_name=case.child.full_name,
            href=reverse("reviews:review_schedule", args=[case.pk]),
            due_on=case.review_due_on,
            today=today,
            case_id=case.pk,
        )
        for case in reviews_to_schedule(user, today)[:GROUP_LIMIT]
    ]
    to_sign_off = [
        WorkItem(
            what="Record and sign off the review",
            child_name=review.case.child.full_name,
            href=review.get_absolute_url(),
            due_on=review.held_on,
            today=today,
            case_id=review.case_id,
        )
        for review in reviews_to_sign_off(user, timezone.now())[:GROUP_LIMIT]
    ]
    return [
        WorkGroup("schedule", "Reviews to schedule", to_schedule, "No review needs scheduling."),
        WorkGroup("sign_off", "Reviews to sign off", to_sign_off, "No review waits for your sign-off."),
    ]


def workboard_for(user: Any, roles: set[str], today: dt.date | None = None) -> Workboard | None:
    """The person's workboard for their roles (None for roles that keep their own home page)."""
    today = today or timezone.localdate()
    groups: list[WorkGroup] = []
    if Role.CASE_MANAGER in roles:
        groups += case_manager_groups(user, today)
    if roles & CLINICIAN_ROLES:
        groups += clinician_groups(user, today)
    if Role.SENIOR_PRACTITIONER in roles:
        groups += senior_practitioner_groups(user, today)
    return Workboard(groups) if groups else None
