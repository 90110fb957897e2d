"""Kai's case after formulation, ready for reviews: the clinicians allocated, the report signed off with
three actions (one of them CBT, which suits stage 4 while Kai is at stage 2), two goals, and a review
scheduled for a Wednesday in March. Dates are fixed in the future and reached with time-machine."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from cases.models import Case, NetworkMember
from formulation.models import (
    ActionStatus,
    Attendance,
    FormulationReport,
    Meeting,
    Recommendation,
)
from formulation.selectors import current_invitations
from formulation.services import Invitee
from reviews.models import Review
from reviews.services import (
    review_attendance_record,
    review_goals_rate,
    review_outcome_set,
    review_schedule,
    review_stage_record,
    review_walkthrough_record,
)
from reviews.walkthrough import open_goals_to_rate, walkthrough_actions
from tests.conftest import Cast
from tests.factories import recommendation, signed_off_report
from tests.reviews.helpers import at, on
from trm_stages.models import AssessmentSource, Goal
from trm_stages.services import goal_set, stage_assessment_record

SIGNED_ON = dt.date(2027, 1, 6)  # a Wednesday: the report is signed off, Kai at stage 2
FIRST_DUE = SIGNED_ON + dt.timedelta(weeks=8)  # Wednesday 3 March 2027
SCHEDULED_ON = dt.date(2027, 2, 17)
REVIEW_DAY = FIRST_DUE
CBT = "Start CBT sessions on anger with the CAMHS practitioner"
REASON = "Repeated exclusions and two arrests for criminal damage."  # the signed-off report's one section


@dataclass
class Formulated:
    report: FormulationReport
    school_action: Recommendation  # the teacher's, suits stage 1
    holder_action: Recommendation  # the case manager's, suits stage 2
    cbt_action: Recommendation  # the psychologist's, suits stage 4: a standing sequencing warning
    goals: list[Goal]

    @property
    def actions(self) -> list[Recommendation]:
        return [self.school_action, self.holder_action, self.cbt_action]


def allocate_clinicians(cast: Cast) -> None:
    Case.objects.filter(pk=cast.case.pk).update(
        psychologist=cast.psychologist, senior_practitioner=cast.senior_practitioner
    )
    cast.case.refresh_from_db()


def formulated(cast: Cast) -> Formulated:
    """Kai's case as the formulation left it on SIGNED_ON."""
    allocate_clinicians(cast)
    with on(SIGNED_ON, 11):
        stage_assessment_record(
            case=cast.case,
            actor=cast.psychologist,
            assessed_on=SIGNED_ON,
            stage_number=2,
            evidence="Kai has begun to trust Ms Marsh and keeps his Tuesday sessions.",
            source=AssessmentSource.FORMULATION,
        )
        goals = [
            goal_set(
                case=cast.case,
                actor=cast.case_manager,
                text="Stay in lessons all week",
                set_by="Kai with Sam Okafor",
                set_on=SIGNED_ON,
                start_score=3,
            ),
            goal_set(
                case=cast.case,
                actor=cast.case_manager,
                text="Sleep at home every night",
                set_by="Kai with Sam Okafor",
                set_on=SIGNED_ON,
                start_score=5,
            ),
        ]
    with on(SIGNED_ON, 12):
        report = signed_off_report(cast, signed_off_at=at(SIGNED_ON, 12), reason_for_referral=REASON)
        school = recommendation(
            cast,
            report,
            "A daily check-in with Ms Marsh at the start of school",
            owner=cast.teacher,
            suits_from_stage=1,
            due_on=dt.date(2027, 2, 24),
            position=1,
        )
        holder = recommendation(
            cast,
            report,
            "Weekly one-to-one sessions with Sam at the same time and place",
            owner=cast.case_manager,
            suits_from_stage=2,
            due_on=dt.date(2027, 3, 31),
            position=2,
        )
        cbt = recommendation(
            cast, report, CBT, owner=cast.psychologist, suits_from_stage=4, due_on=dt.date(2027, 5, 5), position=3
        )
    return Formulated(report=report, school_action=school, holder_action=holder, cbt_action=cbt, goals=goals)


def invitees(cast: Cast) -> list[Invitee]:
    member = NetworkMember.objects.get(case=cast.case, user=cast.teacher, removed_at__isnull=True)
    return [
        Invitee(
            name="Helen Marsh",
            email=cast.teacher.email,
            role=member.role,
            user=cast.teacher,
            network_member=member,
            agency=cast.school,
        ),
        Invitee(
            name="Sam Okafor",
            email=cast.case_manager.email,
            role="Case holder",
            user=cast.case_manager,
            agency=cast.bristol,
        ),
        Invitee(
            name="Alex Morgan",
            email=cast.psychologist.email,
            role="Psychologist",
            user=cast.psychologist,
            agency=cast.ecm_team,
        ),
    ]


def scheduled_review(cast: Cast, *, day: dt.date = REVIEW_DAY, scheduled_on: dt.date = SCHEDULED_ON) -> Review:
    """A review chaired by the senior practitioner at 10:00 on `day`, scheduled on `scheduled_on`."""
    with on(scheduled_on):
        return review_schedule(
            case=cast.case,
            actor=cast.senior_practitioner,
            starts_at=at(day, 10),
            ends_at=at(day, 11, 30),
            location="Meeting room 2, Fernbrook Academy",
            invitees=invitees(cast),
        )


def reload(review: Review) -> Review:
    fresh = Review.objects.select_related("meeting", "case").get(pk=review.pk)
    return fresh


def meeting_of(review: Review) -> Meeting:
    return Meeting.objects.get(pk=review.meeting_id)


def record_attendance(cast: Cast, review: Review) -> None:
    attendance = {invitation.pk: Attendance.ATTENDED for invitation in current_invitations(review.meeting)}
    review_attendance_record(review=review, actor=cast.senior_practitioner, attendance=attendance, notes="")


def record_every_step(cast: Cast, review: Review) -> Review:
    """Everything a review needs before sign-off, recorded by the chair (call it on the review's day)."""
    review = reload(review)
    record_attendance(cast, review)
    review_stage_record(
        review=review,
        actor=cast.senior_practitioner,
        assessor=cast.psychologist,
        stage_number=2,
        evidence="Kai still relies on Ms Marsh; no disclosure yet.",
    )
    entries = {action.pk: (ActionStatus.IN_PROGRESS, "Going well, carry on.") for action in walkthrough_actions(review)}
    review_walkthrough_record(review=review, actor=cast.senior_practitioner, entries=entries)
    ratings = {goal.pk: (6, "") for goal in open_goals_to_rate(review)}
    review_goals_rate(review=review, actor=cast.senior_practitioner, ratings=ratings)
    review_outcome_set(
        review=review,
        actor=cast.senior_practitioner,
        childs_views="Kai says school is better since the check-ins started.",
        next_review_on=review.held_on + dt.timedelta(weeks=8),
    )
    return reload(review)
