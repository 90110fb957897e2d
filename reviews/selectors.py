"""Reads of reviews. Every page gets its case through the access module first (actions: action_selectors.py).

When the next review is due (one rule, used by the pages and, in SQL, by the reminder sweep): the
next review date the last signed-off review chose; before any review, the day the formulation
report was signed off plus the case's cadence (every 8 weeks unless set otherwise).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import (
    DateField,
    Exists,
    Func,
    OuterRef,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce, JSONObject, TruncDate
from django.http import Http404
from django.utils import timezone

from accounts.models import Role, User
from cases import access
from cases.access import Action
from cases.models import Case, CaseKind, CaseStatus
from cases.sections import facts_of
from config.converters import record_id_or_404
from core.db import compiled_query
from formulation.models import (
    Attendance,
    FormulationReport,
    Invitation,
    MeetingStatus,
    ReportStatus,
)
from formulation.selectors import current_invitations
from reviews.action_selectors import (
    long_date,
)
from reviews.models import (
    DEFAULT_REVIEW_WEEKS,
    Review,
    ReviewSchedule,
    ReviewStatus,
)
from reviews.walkthrough import goal_rating_rows, goals_to_rate_count
from trm_stages import selectors as trm


class PlusDays(Func):
    """SQL `date + integer`: the date that many days later (earlier when negative)."""

    arg_joiner = " + "
    template = "(%(expressions)s)"
    output_field = DateField()


def assessor_candidates(*, case: Case) -> list[User]:
    """The psychologists who may record this child's TRM stage (they cover the owning service)."""
    psychologists = (
        User.objects.filter(
            is_active=True,
            memberships__role=Role.PSYCHOLOGIST,
            memberships__is_active=True,
            memberships__agency__is_active=True,
            coverage__yjs=case.owning_yjs_id,
        )
        .distinct()
        .order_by("first_name", "last_name", "pk")
    )
    return [person for person in psychologists if access.may(person, Action.RECORD_STAGE_ASSESSMENT, case)]


# When reviews are due.


def review_weeks(case: Case) -> int:
    """The case's review cadence in weeks."""
    weeks = ReviewSchedule.objects.filter(case=case).values_list("every_weeks", flat=True).first()
    return weeks or DEFAULT_REVIEW_WEEKS


def review_due_on() -> Coalesce:
    """When the next review of the case (an outer reference) is due, as SQL (NULL: not yet known)."""
    last_review = Review.objects.filter(case=OuterRef("pk"), status=ReviewStatus.SIGNED_OFF).order_by(
        "-signed_off_at", "-pk"
    )
    report = FormulationReport.objects.filter(case=OuterRef("pk"), status=ReportStatus.SIGNED_OFF).order_by(
        "-signed_off_at", "-pk"
    )
    return Coalesce(
        Subquery(last_review.values("next_review_on")[:1], output_field=DateField()),
        PlusDays(TruncDate(Subquery(report.values("signed_off_at")[:1])), review_every_weeks() * 7),
        output_field=DateField(),
    )


def review_every_weeks() -> Coalesce:
    """The review cadence in weeks of the case (an outer reference), as SQL."""
    return Coalesce(
        Subquery(ReviewSchedule.objects.filter(case=OuterRef("pk")).values("every_weeks")[:1]),
        Value(DEFAULT_REVIEW_WEEKS),
    )


def with_review_due_on(cases: QuerySet[Case]) -> QuerySet[Any]:
    """The cases annotated with `review_due_on`: when their next review is due (NULL: not yet known).

    Typed as any queryset so callers can filter on the annotation (django-stubs knows fields only)."""
    return cases.annotate(review_due_on=review_due_on())


def next_review_facts() -> dict[str, Any]:
    """What `next_review` needs to know of the case's row (cases.sections facts): the due date and cadence."""
    return {"review_due_on": review_due_on(), "review_every_weeks": review_every_weeks()}


def reviewable_cases() -> QuerySet[Case]:
    """Open formulation cases: the ones the network reviews."""
    return Case.objects.filter(status=CaseStatus.OPEN, kind=CaseKind.FORMULATION)


def reviews_of(case: Case | int) -> QuerySet[Review]:
    """The case's reviews, the latest meeting first."""
    return (
        Review.objects.filter(case=case)
        .select_related("meeting", "chair", "signed_off_by")
        .order_by("-meeting__starts_at", "-pk")
    )


def open_review_of(case: Case) -> Review | None:
    """The review being prepared or recorded (its meeting not cancelled), if any."""
    return reviews_of(case).filter(status=ReviewStatus.OPEN).exclude(meeting__status=MeetingStatus.CANCELLED).first()


def held_by_due_date() -> Exists:
    """A review of the case (an outer reference with `review_due_on`) met on or before its due date."""
    return Exists(
        Review.objects.filter(case=OuterRef("pk"), status=ReviewStatus.OPEN)
        .exclude(meeting__status=MeetingStatus.CANCELLED)
        .annotate(met_on=TruncDate("meeting__starts_at"))
        .filter(met_on__lte=OuterRef("review_due_on"))
    )


@dataclass(frozen=True)
class NextReview:
    """When the case's next review is due, why then, and what is scheduled."""

    every_weeks: int
    due_on: dt.date | None
    basis: str  # what the date follows from, for the page
    scheduled: Review | None
    last: Review | None
    today: dt.date

    @property
    def overdue(self) -> bool:
        if self.due_on is None or self.due_on >= self.today:
            return False
        return self.scheduled is None or self.scheduled.held_on > self.due_on


def next_review(case: Case, *, today: dt.date | None = None, facts: Mapping[str, Any] | None = None) -> NextReview:
    """The case's next review: the same rule as the reminders, for one case. Two queries (one when the
    page has read `next_review_facts` with its other facts)."""
    if facts is None:
        facts = facts_of(case, next_review_facts())
    due_on: dt.date | None = facts["review_due_on"]
    reviews = compiled_query(_latest_reviews).fetch(case=case.pk)
    last = next((review for review in reviews if review.status == ReviewStatus.SIGNED_OFF), None)
    scheduled = next(
        (
            review
            for review in reviews
            if review.status == ReviewStatus.OPEN and review.meeting.status != MeetingStatus.CANCELLED
        ),
        None,
    )
    if last is not None:
        basis = f"chosen at the review of {long_date(last.held_on)}"
    elif due_on is not None:
        basis = "after the formulation report was signed off"
    else:
        basis = "proposed once the formulation report is signed off"
    return NextReview(
        every_weeks=facts["review_every_weeks"] or DEFAULT_REVIEW_WEEKS,
        due_on=due_on,
        basis=basis,
        scheduled=scheduled,
        last=last,
        today=today or timezone.localdate(),
    )


def _latest_reviews(*, case: int) -> QuerySet[Review]:
    """The case's latest 20 reviews not cancelled (`next_review`: on the case page, compiled once)."""
    return reviews_of(case).exclude(status=ReviewStatus.CANCELLED)[:20]


# One review.


def review_for(*, user: Any, case_id: int, review_id: int, action: Action, for_review_page: bool = False) -> Review:
    """One review of a case: 404 unless the case is visible and the review is its own, 403 if `action` is forbidden.
    `for_review_page`: the review also carries what the review page shows with it, read in the same query:
    `goals_to_rate` (reviews.walkthrough.goals_to_rate_count), `goal_rating_rows` (reviews.walkthrough.rated_goals),
    `invitation_rows` (`attendance_of`), and the child's stage and the reference data's version (`standing_of`)."""
    case = access.get_case_for(user, case_id, action)
    # Compiled once (on every review page, building it through the ORM, with its count of goals to rate, cost more
    # than running it).
    found = compiled_query(_review_rows, for_review_page).fetch(case=case.pk, review=record_id_or_404(review_id))
    if not found:
        raise Http404("No such review")
    review = found[0]
    review.case = case
    return review


def _review_rows(for_review_page: bool, *, case: int, review: int) -> QuerySet[Review]:
    reviews = reviews_of(case).select_related("stage_assessment__stage", "stage_assessment__assessor")
    if for_review_page:
        invited = current_invitations(OuterRef("meeting_id")).values(
            row=JSONObject(
                name="name", role="role", agency=Coalesce("agency__name", "agency_name"), attendance="attendance"
            )
        )
        reviews = reviews.annotate(held_on_date=TruncDate("meeting__starts_at")).annotate(
            goals_to_rate=goals_to_rate_count(),
            goal_rating_rows=goal_rating_rows(),
            invitation_rows=ArraySubquery(invited),
            stage_now=trm.stage_now(),
            trm_version_key=trm.current_version_key(),
        )
    return reviews.filter(pk=review)


def standing_of(review: Review) -> trm.Standing:
    """The child's stage and the current reference data, as read with the review (`for_review_page`)."""
    return trm.Standing(
        current_stage=review.stage_now,  # type: ignore[attr-defined]
        reference=trm.reference_by_key(review.trm_version_key),  # type: ignore[attr-defined]
    )


def recording_closed_reason(review: Review, *, now: dt.datetime | None = None, started: bool = True) -> str:
    """Why nothing more can be recorded in this review now (empty when it can): signed off, cancelled,
    the case closed, or (for the steps recorded at or after the meeting) the meeting not started yet."""
    if review.status == ReviewStatus.SIGNED_OFF:
        signed_on = timezone.localdate(review.signed_off_at) if review.signed_off_at else review.held_on
        return f"This review was signed off on {long_date(signed_on)}: it can no longer be changed"
    if review.status == ReviewStatus.CANCELLED or review.meeting.status == MeetingStatus.CANCELLED:
        return "This review's meeting was cancelled: schedule a new review"
    if review.case.status != CaseStatus.OPEN:
        return "The case is closed: reopen it to record the review"
    if started and review.meeting.starts_at > (now or timezone.now()):
        return "You can record the review once its meeting has started"
    return ""


@dataclass(frozen=True)
class AttendanceLine:
    """One person invited to the review and whether they came (from the invitations, or as signed off)."""

    name: str
    role: str
    agency_display: str
    attendance: str

    def get_attendance_display(self) -> str:
        return str(Attendance(self.attendance).label)


@dataclass
class AgencyLines:
    agency: str
    lines: list[AttendanceLine] = field(default_factory=list)

    @property
    def attended(self) -> int:
        return sum(1 for line in self.lines if line.attendance == Attendance.ATTENDED)


def attendance_of(review: Review) -> list[AttendanceLine]:
    """Who was invited and whether they came: the invitations while the review is open, the record
    kept at sign-off afterwards (later corrections to the meeting do not change a signed-off review).
    The invitations come with the review when it was read for the review page (`invitation_rows`)."""
    if review.status == ReviewStatus.SIGNED_OFF:
        return [
            AttendanceLine(
                name=str(line.get("name", "")),
                role=str(line.get("role", "")),
                agency_display=str(line.get("agency", "")),
                attendance=str(line.get("attendance", Attendance.NOT_RECORDED)),
            )
            for line in review.attendance_record
        ]
    rows = getattr(review, "invitation_rows", None)
    if rows is not None:
        return [
            AttendanceLine(
                name=row["name"], role=row["role"], agency_display=row["agency"], attendance=row["attendance"]
            )
            for row in rows
        ]
    return [
        AttendanceLine(
            name=invitation.name,
            role=invitation.role,
            agency_display=invitation.agency_display,
            attendance=invitation.attendance,
        )
        for invitation in compiled_query(_invitation_rows).fetch(meeting=review.meeting_id)
    ]


def _invitation_rows(*, meeting: int) -> QuerySet[Invitation]:
    return current_invitations(meeting)


def attendance_by_agency(lines: list[AttendanceLine]) -> list[AgencyLines]:
    """The lines grouped by agency, agencies in alphabetical order, people without one last."""
    groups: dict[str, AgencyLines] = {}
    for line in lines:
        label = line.agency_display or "No agency recorded"
        groups.setdefault(label, AgencyLines(agency=label)).lines.append(line)
    return sorted(groups.values(), key=lambda group: (not group.lines[0].agency_display, group.agency.lower()))
