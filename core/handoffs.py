"""Hand-offs: telling people that something now waits for them, or was done for them (a report to sign
off, a report signed off or sent back, an action they now own, a meeting on their case).

A write service names the kind, the subject and the people, in its own transaction; the writer the
reminders machinery registers (reviews/reminders/handoffs.py, from ReviewsConfig.ready()) writes one
reminder row per person there, so the notice commits or rolls back with the change it tells of, and
the delivery run (every minute) turns each into an in-app notification and, if the person wants
e-mails, an e-mail, exactly once. The apps that hand off never import the app that delivers.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Protocol


class HandoffKind:
    """The kinds of hand-off (each a reminder source's kind in reviews/reminders/handoffs.py)."""

    REPORT_TO_SIGN_OFF = "handoff_report_to_sign_off"  # to those who may sign it off, when it is submitted
    REPORT_SIGNED_OFF = "handoff_report_signed_off"  # to its author and the case holder
    REPORT_SENT_BACK = "handoff_report_sent_back"  # to its author
    ACTION_ASSIGNED = "handoff_action_assigned"  # to the action's new owner
    MEETING_SCHEDULED = "handoff_meeting_scheduled"  # to the case holder and the case's clinicians


class HandoffWriter(Protocol):
    def __call__(
        self, *, kind: str, subject_type: str, subject_id: int, case_id: int | None, recipient_ids: list[int]
    ) -> int: ...


_WRITERS: dict[str, HandoffWriter] = {}


def register_handoff_writer(writer: HandoffWriter) -> None:
    """Set (or replace, on a reload) what writes hand-offs down."""
    _WRITERS["writer"] = writer


def hand_off(
    *,
    kind: str,
    subject_type: str,
    subject_id: int,
    case_id: int | None,
    recipients: Iterable[Any],
    actor: Any,
) -> int:
    """Tell each of `recipients` (users; None and duplicates skipped) of `kind` about the subject, except the
    actor: nobody is told of what they did themselves. Runs in the caller's transaction; how many were written."""
    actor_id = getattr(actor, "pk", None)
    recipient_ids = sorted(
        {person.pk for person in recipients if person is not None and person.pk is not None and person.pk != actor_id}
    )
    writer = _WRITERS.get("writer")
    if not recipient_ids or writer is None:
        return 0
    return writer(
        kind=kind, subject_type=subject_type, subject_id=subject_id, case_id=case_id, recipient_ids=recipient_ids
    )
