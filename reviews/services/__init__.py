"""Writes for reviews and actions: the cadence, scheduling, each step of recording a review, the
sign-off that locks it, and progress on actions between reviews.

- scheduling.py: how often a case is reviewed, and scheduling a review with its meeting;
- recording.py: each step of recording a review, and the sign-off;
- actions.py: progress on actions between reviews, and a new owner for an action;
- common.py: the limits and phrasing they share.
"""

from reviews.services.actions import action_owner_change, action_progress_add
from reviews.services.common import NOTE_LIMIT, TEXT_LIMIT, VIEWS_LIMIT
from reviews.services.recording import (
    review_action_add,
    review_attendance_record,
    review_goals_rate,
    review_outcome_set,
    review_sign_off,
    review_stage_record,
    review_walkthrough_record,
)
from reviews.services.scheduling import review_cadence_set, review_schedule

__all__ = [
    "NOTE_LIMIT",
    "TEXT_LIMIT",
    "VIEWS_LIMIT",
    "action_owner_change",
    "action_progress_add",
    "review_action_add",
    "review_attendance_record",
    "review_cadence_set",
    "review_goals_rate",
    "review_outcome_set",
    "review_schedule",
    "review_sign_off",
    "review_stage_record",
    "review_walkthrough_record",
]
