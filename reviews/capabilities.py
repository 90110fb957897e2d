"""What one person may do with a case's reviews, one review, or one action.

Each is one immutable object built here from the record's state (the case open or closed; the review
open, cancelled or signed off; the meeting scheduled or held; the action open or finished) and the
access module. Views pass it to templates as `caps`; templates never compare a status or repeat a
rule. The services enforce the same rules again (reviews.services), so a stale page cannot get round them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from cases import access
from cases.access import Action
from cases.models import Case, CaseKind, CaseStatus
from formulation.models import Recommendation
from reviews.action_selectors import OPEN_ACTION_STATUSES, may_progress
from reviews.models import Review
from reviews.selectors import recording_closed_reason


@dataclass(frozen=True)
class CaseReviewCapabilities:
    """What one person may do with a case's reviews (the reviews page and the case page's section)."""

    reviewable: bool  # a formulation case: a consultation-only case has no reviews
    chair: bool  # schedule a review and chair it: a covering senior practitioner, on an open case
    set_cadence: bool  # how often the case is reviewed: whoever may change the open case


def case_review_capabilities(user: Any, case: Case) -> CaseReviewCapabilities:
    """What `user` may do with `case`'s reviews (the case fetched through the access module)."""
    is_open = case.status == CaseStatus.OPEN
    return CaseReviewCapabilities(
        reviewable=case.kind == CaseKind.FORMULATION,
        chair=is_open and access.may(user, Action.CHAIR_REVIEW, case),
        set_cadence=is_open and access.may(user, Action.CHANGE, case),
    )


@dataclass(frozen=True)
class ReviewCapabilities:
    """What one person may do with one review, and the state its page shows."""

    is_open: bool  # still being recorded: the steps are shown
    signed_off: bool
    attendance_known: bool  # the meeting was held (or the review signed off): who came is recorded
    closed_reason: str  # why nothing more can be recorded now ("" while it can)
    record: bool  # record the steps and sign off: the chair's side (a covering senior practitioner)
    record_stage: bool  # the TRM re-assessment: the chair, or a covering psychologist
    manage_meeting: bool  # change, invite to or cancel the review's meeting while it is scheduled


def review_capabilities(user: Any, review: Review) -> ReviewCapabilities:
    """What `user` may do with `review` (its `case` fetched through the access module)."""
    case = review.case
    closed_reason = recording_closed_reason(review)
    chair = access.may(user, Action.CHAIR_REVIEW, case)
    is_open = not review.is_locked
    return ReviewCapabilities(
        is_open=is_open,
        signed_off=review.is_signed_off,
        attendance_known=review.meeting.is_held or review.is_signed_off,
        closed_reason=closed_reason,
        record=chair and not closed_reason,
        record_stage=(chair or access.may(user, Action.RECORD_STAGE_ASSESSMENT, case)) and not closed_reason,
        manage_meeting=is_open
        and case.status == CaseStatus.OPEN  # closed means read-only (cases.capabilities)
        and review.meeting.is_scheduled
        and access.may(user, Action.SCHEDULE_MEETING, case),
    )


@dataclass(frozen=True)
class ActionCapabilities:
    """What one person may do with one action, and the state its page shows."""

    is_open: bool  # not started or in progress: its due date still matters
    progress: bool  # post progress on it
    full_record: bool  # reads the case's full record (the link to the case, the report it came from)


def action_capabilities(user: Any, action: Recommendation) -> ActionCapabilities:
    """What `user` may do with `action` (its `case` fetched through the access module)."""
    return ActionCapabilities(
        is_open=action.status in OPEN_ACTION_STATUSES,
        progress=may_progress(user, action),
        full_record=access.may(user, Action.VIEW, action.case),
    )
