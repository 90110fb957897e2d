"""Every write of the formulation app: meetings (and the e-mails they send), reports and their
recommendations. Keyword-only, typed, each with its history in the same transaction.

Callers use this package's names (`from formulation import services`); the modules split it by subject.
"""

from formulation.services.meeting_notices import (
    SUBJECTS,
    CalendarEmail,
    Notice,
    send_after_commit,
    send_notices,
)
from formulation.services.meetings import (
    LONGEST_MEETING,
    RECORDED_ATTENDANCE,
    Invitee,
    invitation_withdraw,
    leaver_invitations_withdraw,
    meeting_cancel,
    meeting_change,
    meeting_details_errors,
    meeting_invite,
    meeting_record,
    meeting_resend,
    meeting_schedule,
    when,
)
from formulation.services.recommendations import (
    recommendation_add,
    recommendation_change,
    recommendation_remove,
)
from formulation.services.reports import (
    EDITABLE_FIELDS,
    LOCKED_MESSAGE,
    ReportConflict,
    conflicting_fields,
    report_comment_add,
    report_comment_resolve,
    report_save,
    report_send_back,
    report_sign_off,
    report_start,
    report_submit,
)

__all__ = [
    "CalendarEmail",
    "EDITABLE_FIELDS",
    "Invitee",
    "LOCKED_MESSAGE",
    "LONGEST_MEETING",
    "Notice",
    "RECORDED_ATTENDANCE",
    "ReportConflict",
    "SUBJECTS",
    "conflicting_fields",
    "invitation_withdraw",
    "leaver_invitations_withdraw",
    "meeting_cancel",
    "meeting_change",
    "meeting_details_errors",
    "meeting_invite",
    "meeting_record",
    "meeting_resend",
    "meeting_schedule",
    "recommendation_add",
    "recommendation_change",
    "recommendation_remove",
    "report_comment_add",
    "report_comment_resolve",
    "report_save",
    "report_send_back",
    "report_sign_off",
    "report_start",
    "report_submit",
    "send_after_commit",
    "send_notices",
    "when",
]
