"""The reminder sources of reviews (and of formulation, whose meetings and reports reviews follows up).

`register()` is called from ReviewsConfig.ready(); referrals registers its own from its AppConfig.
Every message checks again, at delivery, that its subject is still due and still the recipient's
(through the access module): a review signed off, an action done or reassigned, a report signed
off, or a person who lost access makes the reminder "no longer due" instead of being sent. No
message names a child: the case number and the link are enough.
"""

from __future__ import annotations


def register() -> None:
    from core.reminders import register_digest_source, register_reminder_source
    from reviews.reminders.sources.actions import ActionDueSoon, ActionOverdue, YourActionsDueThisWeek
    from reviews.reminders.sources.digest import WeeklyDigest
    from reviews.reminders.sources.formulation import ReportNotSignedOff, YourMeetingsThisWeek
    from reviews.reminders.sources.reviews import ReviewDueSoon, ReviewOverdue

    register_reminder_source(ReviewDueSoon(), order=20)
    register_reminder_source(ReviewOverdue(), order=30)
    register_reminder_source(ActionDueSoon(), order=40)
    register_reminder_source(ActionOverdue(), order=50)
    register_reminder_source(ReportNotSignedOff(), order=60)
    register_reminder_source(WeeklyDigest(), order=100)

    # Hand-offs (core/handoffs.py): written by the services that hand off, delivered as reminders.
    from core.handoffs import register_handoff_writer
    from reviews.reminders.handoffs import HANDOFF_SOURCES, handoffs_write

    register_handoff_writer(handoffs_write)
    for order, source in enumerate(HANDOFF_SOURCES, start=70):
        register_reminder_source(source, order=order)

    register_digest_source("meetings", YourMeetingsThisWeek(), order=20)
    register_digest_source("actions", YourActionsDueThisWeek(), order=30)
