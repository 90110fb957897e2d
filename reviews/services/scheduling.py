"""Writes for when a case is reviewed: the cadence, and scheduling a review with its meeting.

A review's meeting is scheduled, changed and cancelled through formulation.services (purpose
"review"), so invitations and calendar files behave as for formulation meetings.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse

from accounts.history import acting_as
from accounts.models import User
from cases.models import Case, CaseEventKind, CaseKind
from cases.services import case_event_add, ensure_open
from formulation.models import MeetingPurpose, MeetingStatus
from formulation.services import Invitee, meeting_schedule, when
from reviews.models import LONGEST_REVIEW_WEEKS, Review, ReviewSchedule, ReviewStatus
from reviews.selectors import open_review_of
from reviews.services.common import plural, refuse

# The cadence.


@transaction.atomic
def review_cadence_set(*, case: Case, actor: User, every_weeks: int | None) -> ReviewSchedule:
    """Set how often the case is reviewed; the next review date proposed follows from it."""
    ensure_open(case)
    if not isinstance(every_weeks, int) or not 1 <= every_weeks <= LONGEST_REVIEW_WEEKS:
        raise ValidationError({"every_weeks": f"Enter a number of weeks from 1 to {LONGEST_REVIEW_WEEKS}"})
    schedule = ReviewSchedule.objects.select_for_update().filter(case=case).first()
    with acting_as(actor):
        if schedule is None:
            schedule = ReviewSchedule(case=case, every_weeks=every_weeks, updated_by=actor)
            schedule.full_clean()
            schedule.save()
        elif schedule.every_weeks != every_weeks:
            schedule.every_weeks = every_weeks
            schedule.updated_by = actor
            schedule.save(update_fields=["every_weeks", "updated_by", "updated_at"])
        else:
            return schedule
        case_event_add(
            case=case,
            kind=CaseEventKind.REVIEW,
            summary=f"Reviews set to every {plural(every_weeks, 'week')}",
            actor=actor,
            link=reverse("reviews:review_list", args=[case.pk]),
        )
    return schedule


# Scheduling.


@transaction.atomic
def review_schedule(
    *,
    case: Case,
    actor: User,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    invitees: Sequence[Invitee],
    location: str = "",
    video_link: str = "",
) -> Review:
    """Schedule a review chaired by the actor: a review meeting (invitations and .ics as for any
    meeting) and the review that records it. One review at a time is open on a case."""
    ensure_open(case)
    if case.kind != CaseKind.FORMULATION:
        raise refuse("This case is for consultation only: it has no reviews")
    # Serialise scheduling on the case: two people scheduling at once must not open two reviews.
    Case.objects.select_for_update().filter(pk=case.pk).first()
    with acting_as(actor):
        # A review whose meeting was cancelled (on the meeting's page) is cancelled with it.
        Review.objects.filter(case=case, status=ReviewStatus.OPEN, meeting__status=MeetingStatus.CANCELLED).update(
            status=ReviewStatus.CANCELLED
        )
    current = open_review_of(case)
    if current is not None:
        raise refuse(
            f"A review is already scheduled for {when(current.meeting.starts_at)}: sign it off, "
            "or cancel its meeting, before scheduling another"
        )
    meeting = meeting_schedule(
        case=case,
        actor=actor,
        purpose=MeetingPurpose.REVIEW,
        starts_at=starts_at,
        ends_at=ends_at,
        invitees=invitees,
        location=location,
        video_link=video_link,
    )
    with acting_as(actor):
        review = Review(case=case, meeting=meeting, chair=actor)
        review.full_clean()
        review.save()
    return review
