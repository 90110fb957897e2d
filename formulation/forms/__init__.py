"""The formulation app's forms: input parsing and validation messages, never saving.

Meetings in `meetings`, reports in `reports`; callers use this package's names.
"""

from formulation.forms.meetings import (
    InviteesForm,
    MeetingCancelForm,
    MeetingDetailsForm,
    MeetingRecordForm,
    MeetingScheduleForm,
)
from formulation.forms.reports import (
    CommentForm,
    CompareForm,
    EditorRow,
    RecommendationForm,
    ReportForm,
    SendBackForm,
    SignOffForm,
)

__all__ = [
    "CommentForm",
    "CompareForm",
    "EditorRow",
    "InviteesForm",
    "MeetingCancelForm",
    "MeetingDetailsForm",
    "MeetingRecordForm",
    "MeetingScheduleForm",
    "RecommendationForm",
    "ReportForm",
    "SendBackForm",
    "SignOffForm",
]
