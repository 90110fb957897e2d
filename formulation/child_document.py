"""What the child-friendly PDF says besides the report's summary for the child: their goals, who will help
them and what happens next, in plain words (formulation/documents.py, kind "child"; templates/pdf/report_child.html).

Only this child's own record is read: their open goals (in their own words, trm_stages), their case
holder and the people in their network the summary is shared with (first names and roles only: no
surnames, e-mails or phones), their next meeting and next review. Nothing from contacts or notes
(restricted or not) is printed. Five queries, whatever the size of the case.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from accounts.models import User
from cases.models import Case, NetworkMember
from formulation.models import Meeting, MeetingStatus
from reviews.models import Review, ReviewStatus
from trm_stages.models import Goal, GoalStatus

TITLES = {"dr", "mr", "mrs", "ms", "miss", "mx", "prof", "sir", "dame", "rev"}


@dataclass(frozen=True)
class ChildGoal:
    text: str
    last_score: int | None  # the latest rating, 0 to 10


@dataclass(frozen=True)
class Helper:
    first_name: str
    role: str


@dataclass(frozen=True)
class NextStep:
    on: dt.date
    words: str  # "We will all meet to talk about how things are going"
    at: str = ""  # "10am", when there is a time


def first_name(full_name: str) -> str:
    """The first name of a full name as people type it ("Dr Imogen Vale" is Imogen)."""
    words = [word for word in full_name.split() if word.strip(".").lower() not in TITLES]
    return words[0] if words else full_name.strip()


def _clock(moment: dt.datetime) -> str:
    local = timezone.localtime(moment)
    hour = local.hour % 12 or 12
    minutes = f":{local.minute:02d}" if local.minute else ""
    return f"{hour}{minutes}{'am' if local.hour < 12 else 'pm'}"


def child_goals(case: Case) -> list[ChildGoal]:
    goals = Goal.objects.filter(case=case, status=GoalStatus.OPEN).prefetch_related("ratings")
    printed = []
    for goal in goals.order_by("set_on", "recorded_at", "pk"):
        ratings = sorted(goal.ratings.all(), key=lambda rating: (rating.rated_on, rating.recorded_at, rating.pk))
        printed.append(ChildGoal(text=goal.text, last_score=ratings[-1].score if ratings else None))
    return printed


def helpers(case: Case) -> list[Helper]:
    """The case holder first, then the network people the summary is shared with, by first name."""
    holder: User = case.case_holder
    people = [Helper(first_name=holder.first_name, role=holder.job_title or "Your case manager")]
    members = (
        NetworkMember.objects.filter(case=case, removed_at__isnull=True, may_see_summary=True)
        .exclude(user=holder)
        .select_related("user")
        .order_by("name", "pk")
    )
    for member in members:
        name = member.user.first_name if member.user and member.user.first_name else first_name(member.name)
        people.append(Helper(first_name=name, role=member.role))
    return people


def next_steps(case: Case, *, today: dt.date) -> list[NextStep]:
    """The next meeting about the child, and the next review, from `today`, soonest first."""
    steps: list[NextStep] = []
    start_of_today = timezone.make_aware(dt.datetime.combine(today, dt.time.min))
    meeting = (
        Meeting.objects.filter(case=case, status=MeetingStatus.SCHEDULED, starts_at__gte=start_of_today)
        .select_related("review")
        .order_by("starts_at", "pk")
        .first()
    )
    if meeting is not None:
        is_review = hasattr(meeting, "review")
        words = (
            "The people who help you will meet to look at how things are going (a review)"
            if is_review
            else "The people who help you will meet to talk about how to help"
        )
        steps.append(NextStep(on=timezone.localdate(meeting.starts_at), words=words, at=_clock(meeting.starts_at)))
    if meeting is None or not hasattr(meeting, "review"):
        last = (
            Review.objects.filter(case=case, status=ReviewStatus.SIGNED_OFF, next_review_on__gte=today)
            .order_by("-signed_off_at", "-pk")
            .first()
        )
        if last is not None and last.next_review_on is not None:
            steps.append(NextStep(on=last.next_review_on, words="We will look at how things are going (a review)"))
    return sorted(steps, key=lambda step: step.on)


def child_pdf_context(case: Case, *, today: dt.date | None = None) -> dict[str, Any]:
    """The goals, helpers and next steps of the child-friendly PDF."""
    today = today or timezone.localdate()
    people = helpers(case)
    return {
        "goals": child_goals(case),
        "helpers": people,
        "next_steps": next_steps(case, today=today),
        "holder_first_name": people[0].first_name,
    }
