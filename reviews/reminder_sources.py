"""The registered reminder sources and weekly digest sources.

A new source is a class with `kind`, `subject_type`, `preference`, `due(today)` and
`message(reminder, today)` (see reminders.ReminderSource), added to REMINDER_SOURCES; a new part
of the weekly digest has `recipients(week)` and `items(person, week, today)` (see
reminders.DigestSource), added to DIGEST_SOURCES.

Every message checks again, at delivery, that its subject is still due and still the recipient's
(through the access module): a review signed off, an action done or reassigned, a report signed
off, or a person who lost access makes the reminder "no longer due" instead of being sent. No
message names a child: the case number and the link are enough.
"""

from __future__ import annotations

import datetime as dt
from functools import reduce
from operator import or_
from typing import Any

from django.db.models import Exists, F, OuterRef, Q, QuerySet, Value
from django.db.models.functions import TruncDate
from django.urls import reverse
from django.utils import dateformat, timezone

from accounts.models import CLINICIAN_ROLES, Coverage, Membership, User
from cases import access
from cases.models import Case, CaseStatus
from formulation.models import (
    FormulationReport,
    Invitation,
    Meeting,
    MeetingPurpose,
    MeetingStatus,
    Recommendation,
    ReportStatus,
)
from formulation.selectors import my_meetings
from referrals.models import Referral, ReferralStatus
from referrals.selectors import referral_may, triage_queue
from reviews.action_selectors import OPEN_ACTION_STATUSES, is_action, my_actions
from reviews.models import Reminder
from reviews.reminders import (
    DigestItem,
    DigestSource,
    Message,
    ReminderSource,
    Week,
    digest_week,
    due_rows,
    reminder_setting,
)
from reviews.selectors import (
    PlusDays,
    held_by_due_date,
    next_review,
    reviewable_cases,
    with_review_due_on,
)
from reviews.working_days import AddWorkingDays, latest_start_due_by, working_days_between


def long_date(day: dt.date) -> str:
    return dateformat.format(day, "j F Y")


def working_days(count: int) -> str:
    return f"{count} working day{'' if count == 1 else 's'}"


def start_of_day(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def is_active_clinician(user_ref: str) -> Exists:
    """The person (an outer reference) is an active psychologist or senior practitioner."""
    return Exists(
        Membership.objects.filter(
            user=OuterRef(user_ref), role__in=CLINICIAN_ROLES, is_active=True, agency__is_active=True
        )
    )


class ReferralAwaitingTriage:
    """A referral waiting for triage longer than N working days: one reminder to each clinician
    covering the referring service, due on the first working day past the limit."""

    kind = "referral_awaiting_triage"
    subject_type = "referral"
    preference = "send_email"

    def due(self, today: dt.date) -> QuerySet[Any]:
        due_after = reminder_setting("TRIAGE_WAIT_WORKING_DAYS") + 1
        submitted_by = latest_start_due_by(today, due_after)
        # One filter call: the joins to the referrals are shared with the columns below.
        coverage = Coverage.objects.filter(
            yjs__referrals__status=ReferralStatus.SUBMITTED,
            yjs__referrals__submitted_at__lt=start_of_day(submitted_by + dt.timedelta(days=1)),
            clinician__is_active=True,
        ).filter(is_active_clinician("clinician_id"))
        return due_rows(
            coverage,
            kind=self.kind,
            subject_type=self.subject_type,
            recipient=F("clinician_id"),
            subject=F("yjs__referrals__id"),
            case=F("yjs__referrals__case_id"),
            due_on=AddWorkingDays(TruncDate("yjs__referrals__submitted_at"), due_after),
        )

    def message(self, reminder: Reminder, today: dt.date) -> Message | None:
        referral = Referral.objects.select_related("referring_yjs").filter(pk=reminder.subject_id).first()
        if referral is None or referral.status != ReferralStatus.SUBMITTED or referral.submitted_at is None:
            return None
        # Still theirs to triage (coverage and roles change): the access module decides.
        if not referral_may(reminder.recipient, "triage_referral", referral):
            return None
        submitted_on = timezone.localdate(referral.submitted_at)
        waited = working_days_between(submitted_on, today)
        return Message(
            title=f"A referral has waited {working_days(waited)} for triage",
            body=(
                f"Referral {referral.pk} from {referral.referring_yjs.name} was submitted on "
                f"{long_date(submitted_on)} and is still waiting for a triage decision."
            ),
            link=referral.get_absolute_url(),
        )


class ReferralsAwaitingYourTriage:
    """Digest part: how many referrals wait for the person's triage, and the longest wait."""

    def recipients(self, week: Week) -> QuerySet[Any]:
        return (
            User.objects.filter(is_active=True, coverage__yjs__referrals__status=ReferralStatus.SUBMITTED)
            .filter(is_active_clinician("pk"))
            .values("pk")
        )

    def items(self, person: User, week: Week, today: dt.date) -> list[DigestItem]:
        submitted = [moment for moment in triage_queue(person).values_list("submitted_at", flat=True) if moment]
        if not submitted:
            return []
        longest = working_days_between(timezone.localdate(min(submitted)), today)
        count = len(submitted)
        waiting = "1 referral is" if count == 1 else f"{count} referrals are"
        return [
            DigestItem(
                text=f"{waiting} waiting for your triage; the longest has waited {working_days(longest)}.",
                link=reverse("referrals:triage_queue"),
            )
        ]


# Reviews.

REVIEW_RECIPIENTS = ("case_holder", "psychologist", "senior_practitioner")


def _review_rows(cases: QuerySet[Any], *, kind: str, due_on: Any) -> QuerySet[Any]:
    """One row per case for each of its case holder, psychologist and senior practitioner."""
    rows = [
        due_rows(
            cases.filter(**{f"{role}__is_active": True}),
            kind=kind,
            subject_type="case",
            recipient=F(f"{role}_id"),
            subject=F("pk"),
            case=F("pk"),
            due_on=due_on,
        )
        for role in REVIEW_RECIPIENTS
    ]
    return rows[0].union(*rows[1:])


def _review_case(reminder: Reminder) -> Case | None:
    """The reminder's case, while it is open and the recipient still holds it or is one of its
    clinicians, with its full record."""
    case = Case.objects.filter(pk=reminder.subject_id, status=CaseStatus.OPEN).first()
    if case is None:
        return None
    if reminder.recipient_id not in (case.case_holder_id, case.psychologist_id, case.senior_practitioner_id):
        return None
    if not access.may(reminder.recipient, "view", case):
        return None
    return case


def _scheduled(scheduled_on: dt.date | None) -> str:
    if scheduled_on is None:
        return "It is not scheduled yet."
    return f"It is scheduled for {long_date(scheduled_on)}."


class ReviewDueSoon:
    """The next review is due in N days (7 by default): the case holder, psychologist and senior
    practitioner are reminded, whether or not it is scheduled."""

    kind = "review_due_soon"
    subject_type = "case"
    preference = "send_email"

    def due(self, today: dt.date) -> QuerySet[Any]:
        lead = reminder_setting("REVIEW_DUE_SOON_DAYS")
        cases = with_review_due_on(reviewable_cases()).filter(
            review_due_on__gte=today, review_due_on__lte=today + dt.timedelta(days=lead)
        )
        return _review_rows(cases, kind=self.kind, due_on=PlusDays(F("review_due_on"), Value(-lead)))

    def message(self, reminder: Reminder, today: dt.date) -> Message | None:
        case = _review_case(reminder)
        if case is None:
            return None
        upcoming = next_review(case, today=today)
        lead = dt.timedelta(days=reminder_setting("REVIEW_DUE_SOON_DAYS"))
        if upcoming.due_on is None or upcoming.due_on != reminder.due_on + lead or upcoming.due_on < today:
            return None  # a review was signed off and moved the date, or it is overdue now
        days = (upcoming.due_on - today).days
        scheduled = upcoming.scheduled.held_on if upcoming.scheduled else None
        return Message(
            title="A review is due today" if days == 0 else f"A review is due in {days} day{'' if days == 1 else 's'}",
            body=f"The next review of case {case.pk} is due on {long_date(upcoming.due_on)}. {_scheduled(scheduled)}",
            link=reverse("reviews:review_list", args=[case.pk]),
        )


class ReviewOverdue:
    """The review's due date has passed and no review met by then: the same three people, once per due date."""

    kind = "review_overdue"
    subject_type = "case"
    preference = "send_email"

    def due(self, today: dt.date) -> QuerySet[Any]:
        cases = with_review_due_on(reviewable_cases()).filter(review_due_on__lt=today).exclude(held_by_due_date())
        return _review_rows(cases, kind=self.kind, due_on=PlusDays(F("review_due_on"), Value(1)))

    def message(self, reminder: Reminder, today: dt.date) -> Message | None:
        case = _review_case(reminder)
        if case is None:
            return None
        upcoming = next_review(case, today=today)
        if upcoming.due_on != reminder.due_on - dt.timedelta(days=1) or not upcoming.overdue:
            return None
        assert upcoming.due_on is not None  # noqa: S101 - overdue has a due date
        scheduled = upcoming.scheduled.held_on if upcoming.scheduled else None
        return Message(
            title="A review is overdue",
            body=f"The review of case {case.pk} was due on {long_date(upcoming.due_on)}. {_scheduled(scheduled)}",
            link=reverse("reviews:review_list", args=[case.pk]),
        )


# Actions.


def open_actions() -> QuerySet[Recommendation]:
    """Open actions with an active owner on open cases."""
    return Recommendation.objects.filter(is_action()).filter(
        status__in=OPEN_ACTION_STATUSES, owner__is_active=True, case__status=CaseStatus.OPEN
    )


def _owned_action(reminder: Reminder) -> Recommendation | None:
    """The reminder's action while it is open, still the recipient's, and its case still theirs to see."""
    action = open_actions().select_related("case").filter(pk=reminder.subject_id).first()
    if action is None or action.owner_id != reminder.recipient_id:
        return None
    if not access.may(reminder.recipient, "view_summary", action.case):
        return None
    return action


class ActionDueSoon:
    """An open action is due in N days (7 by default): its owner is reminded, partners included."""

    kind = "action_due_soon"
    subject_type = "action"
    preference = "send_email"

    def due(self, today: dt.date) -> QuerySet[Any]:
        lead = reminder_setting("ACTION_DUE_SOON_DAYS")
        actions = open_actions().filter(due_on__gte=today, due_on__lte=today + dt.timedelta(days=lead))
        return due_rows(
            actions,
            kind=self.kind,
            subject_type=self.subject_type,
            recipient=F("owner_id"),
            subject=F("pk"),
            case=F("case_id"),
            due_on=PlusDays(F("due_on"), Value(-lead)),
        )

    def message(self, reminder: Reminder, today: dt.date) -> Message | None:
        action = _owned_action(reminder)
        lead = dt.timedelta(days=reminder_setting("ACTION_DUE_SOON_DAYS"))
        if action is None or action.due_on != reminder.due_on + lead or action.due_on < today:
            return None
        return Message(
            title=f"An action of yours is due on {long_date(action.due_on)}",
            body=f"You own an action on case {action.case_id} that is due on {long_date(action.due_on)}. "
            "Post its progress in ECM.",
            link=reverse("reviews:action_detail", args=[action.pk]),
        )


class ActionOverdue:
    """An open action is past its due date: its owner is reminded once, the day after."""

    kind = "action_overdue"
    subject_type = "action"
    preference = "send_email"

    def due(self, today: dt.date) -> QuerySet[Any]:
        return due_rows(
            open_actions().filter(due_on__lt=today),
            kind=self.kind,
            subject_type=self.subject_type,
            recipient=F("owner_id"),
            subject=F("pk"),
            case=F("case_id"),
            due_on=PlusDays(F("due_on"), Value(1)),
        )

    def message(self, reminder: Reminder, today: dt.date) -> Message | None:
        action = _owned_action(reminder)
        if action is None or action.due_on != reminder.due_on - dt.timedelta(days=1):
            return None
        return Message(
            title="An action of yours is overdue",
            body=f"You own an action on case {action.case_id} that was due on {long_date(action.due_on)}. "
            "Post its progress in ECM, or ask for its date to be changed at the next review.",
            link=reverse("reviews:action_detail", args=[action.pk]),
        )


# Formulation reports.


def _signed_off_since_meeting() -> Exists:
    """A report of the meeting's case (an outer reference) signed off after the meeting began."""
    return Exists(
        FormulationReport.objects.filter(
            case=OuterRef("case_id"), status=ReportStatus.SIGNED_OFF, signed_off_at__gte=OuterRef("starts_at")
        )
    )


class ReportNotSignedOff:
    """N working days (15 by default) after a formulation meeting was held, its report is still not
    signed off: the case's psychologist is reminded, once per meeting."""

    kind = "report_not_signed_off"
    subject_type = "meeting"
    preference = "send_email"

    def due(self, today: dt.date) -> QuerySet[Any]:
        after = reminder_setting("REPORT_SIGN_OFF_WORKING_DAYS")
        held_by = latest_start_due_by(today, after)
        meetings = Meeting.objects.filter(
            purpose=MeetingPurpose.FORMULATION,
            status=MeetingStatus.HELD,
            starts_at__lt=start_of_day(held_by + dt.timedelta(days=1)),
            case__status=CaseStatus.OPEN,
            case__psychologist__is_active=True,
        ).exclude(_signed_off_since_meeting())
        return due_rows(
            meetings,
            kind=self.kind,
            subject_type=self.subject_type,
            recipient=F("case__psychologist_id"),
            subject=F("pk"),
            case=F("case_id"),
            due_on=AddWorkingDays(TruncDate("starts_at"), after),
        )

    def message(self, reminder: Reminder, today: dt.date) -> Message | None:
        meeting = (
            Meeting.objects.filter(pk=reminder.subject_id, status=MeetingStatus.HELD, case__status=CaseStatus.OPEN)
            .exclude(_signed_off_since_meeting())
            .select_related("case")
            .first()
        )
        if meeting is None or meeting.case.psychologist_id != reminder.recipient_id:
            return None
        if not access.may(reminder.recipient, "write_report", meeting.case):
            return None
        held_on = timezone.localdate(meeting.starts_at)
        return Message(
            title="A formulation report is not signed off",
            body=f"The formulation meeting of case {meeting.case_id} was held on {long_date(held_on)}, "
            f"{working_days(working_days_between(held_on, today))} ago, and its report is not signed off yet.",
            link=meeting.case.get_absolute_url(),
        )


# Parts of the weekly digest.


def _week_bounds(week: Week) -> tuple[dt.datetime, dt.datetime]:
    return start_of_day(week.starts_on), start_of_day(week.ends_on + dt.timedelta(days=1))


class YourMeetingsThisWeek:
    """Digest part: the meetings the person organises or is invited to this week."""

    def recipients(self, week: Week) -> QuerySet[Any]:
        starts, ends = _week_bounds(week)
        in_week = Meeting.objects.filter(
            status=MeetingStatus.SCHEDULED, starts_at__gte=starts, starts_at__lt=ends, case__status=CaseStatus.OPEN
        )
        invited = Invitation.objects.filter(meeting__in=in_week, removed_at__isnull=True, user__isnull=False)
        return User.objects.filter(
            Q(pk__in=in_week.values("organiser_id")) | Q(pk__in=invited.values("user_id")), is_active=True
        ).values("pk")

    def items(self, person: User, week: Week, today: dt.date) -> list[DigestItem]:
        starts, ends = _week_bounds(week)
        meetings = my_meetings(user=person, now=starts).filter(starts_at__lt=ends)
        items = []
        for meeting in meetings:
            local = timezone.localtime(meeting.starts_at)
            items.append(
                DigestItem(
                    text=f"{dateformat.format(local, 'l j F')} at {local:%H:%M}: "
                    f"{meeting.get_purpose_display().lower()}, case {meeting.case_id}.",
                    link=meeting.get_absolute_url(),
                )
            )
        return items


class YourActionsDueThisWeek:
    """Digest part: how many of the person's open actions are due by the end of the week, and how many overdue."""

    def recipients(self, week: Week) -> QuerySet[Any]:
        return User.objects.filter(
            is_active=True, pk__in=open_actions().filter(due_on__lte=week.ends_on).values("owner_id")
        ).values("pk")

    def items(self, person: User, week: Week, today: dt.date) -> list[DigestItem]:
        due = list(my_actions(user=person).filter(due_on__lte=week.ends_on).values_list("due_on", flat=True))
        if not due:
            return []
        overdue = sum(1 for due_on in due if due_on < today)
        count = "1 of your actions is" if len(due) == 1 else f"{len(due)} of your actions are"
        if not overdue:
            late = ""
        elif len(due) == 1:
            late = ", and it is overdue"
        else:
            late = f", {overdue} of them overdue"
        return [
            DigestItem(
                text=f"{count} due by {dateformat.format(week.ends_on, 'l j F')}{late}.",
                link=reverse("reviews:my_actions"),
            )
        ]


DIGEST_SOURCES: list[DigestSource] = [
    ReferralsAwaitingYourTriage(),
    YourMeetingsThisWeek(),
    YourActionsDueThisWeek(),
]


class WeeklyDigest:
    """One digest per person per week, made on the configured weekday, only when it has something in it.

    Every sweep of the digest day adds the digests still missing (sweeps run every 15 minutes), so
    an outage of a few hours delays the digests. An outage lasting the whole day skips that week's
    digest: it only summarises what the reminders and the lists already tell, and a digest for a
    past week arriving midweek would mislead.
    """

    kind = "weekly_digest"
    subject_type = "person"
    preference = "weekly_digest"

    def __init__(self, parts: list[DigestSource] | None = None) -> None:
        self.parts = DIGEST_SOURCES if parts is None else parts

    def due(self, today: dt.date) -> QuerySet[Any]:
        week = digest_week(today)
        people = User.objects.none()
        if self.parts and today == week.starts_on:
            having_news = reduce(or_, (Q(pk__in=part.recipients(week)) for part in self.parts))
            people = User.objects.filter(having_news, is_active=True)
        return due_rows(
            people,
            kind=self.kind,
            subject_type=self.subject_type,
            recipient=F("pk"),
            subject=F("pk"),
            due_on=week.starts_on,
        )

    def message(self, reminder: Reminder, today: dt.date) -> Message | None:
        week = Week(starts_on=reminder.due_on)
        items = [item for part in self.parts for item in part.items(reminder.recipient, week, today)]
        if not items:
            return None  # nothing to say this week: no digest
        return Message(
            title=f"Your ECM week from {long_date(week.starts_on)}",
            body="\n".join(item.text for item in items),
            link=items[0].link if len(items) == 1 else reverse("home"),
        )


REMINDER_SOURCES: list[ReminderSource] = [
    ReferralAwaitingTriage(),
    ReviewDueSoon(),
    ReviewOverdue(),
    ActionDueSoon(),
    ActionOverdue(),
    ReportNotSignedOff(),
    WeeklyDigest(),
]
