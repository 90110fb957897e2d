"""Authorization rows for the formulation app's URLs (see tests/authz/core.py for the Row type and the cast).

Meetings (DESIGN.md): the owning YJS reads them, the covering clinicians run them, a partner in the
network sees only the meetings they are invited to (the teacher is invited to the meeting used here),
everyone else gets 404. `POST_ROWS` repeats the triad for every form's POST with an empty body;
tests/formulation/test_post_access.py runs them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.utils import timezone

from formulation.models import Invitation, Meeting, MeetingPurpose, MeetingStatus
from formulation.services import Invitee, meeting_invite, meeting_schedule
from tests.authz.core import ANON, FULL_RECORD, INVISIBLE, Row, case_path
from tests.conftest import Cast

Expected = dict[str, int | tuple[int, ...]]

OUTSIDER_EMAIL = "imogen.vale@avon-gp.example.org"

READERS_AND_INVITED: Expected = {ANON: 302, **FULL_RECORD, "teacher": 200, **INVISIBLE}
SCHEDULERS: Expected = {
    ANON: 302,
    "case_manager": 403,
    "colleague": 403,
    "psychologist": 200,
    "senior_practitioner": 200,
    "teacher": 403,
    **INVISIBLE,
}
ACTED: Expected = {"psychologist": 302, "senior_practitioner": 302}


def _meeting(cast: Cast) -> Meeting:
    """A scheduled formulation meeting next month, the teacher and an outside GP invited."""
    meeting = Meeting.objects.filter(case=cast.case, status=MeetingStatus.SCHEDULED).first()
    if meeting is not None:
        return meeting
    starts_at = (timezone.now() + dt.timedelta(days=30)).replace(hour=10, minute=0, second=0, microsecond=0)
    return meeting_schedule(
        case=cast.case,
        actor=cast.senior_practitioner,
        purpose=MeetingPurpose.FORMULATION,
        starts_at=starts_at,
        ends_at=starts_at + dt.timedelta(minutes=90),
        location="Meeting room 2, Fernbrook Academy",
        invitees=[
            Invitee(name="Helen Marsh", email=cast.teacher.email, user=cast.teacher, agency=cast.school),
            Invitee(name="Dr Imogen Vale", email=OUTSIDER_EMAIL, agency_name="Avon GP", role="GP"),
        ],
    )


def _outsider_invitation(cast: Cast) -> Invitation:
    """The outside GP's invitation (invited again if a POST row withdrew it)."""
    meeting = _meeting(cast)
    invitation = Invitation.objects.filter(meeting=meeting, email=OUTSIDER_EMAIL, removed_at__isnull=True).first()
    if invitation is not None:
        return invitation
    [invitation] = meeting_invite(
        meeting=meeting,
        actor=cast.senior_practitioner,
        invitees=[Invitee(name="Dr Imogen Vale", email=OUTSIDER_EMAIL, agency_name="Avon GP", role="GP")],
    )
    return invitation


def meeting_path(suffix: str = "") -> Callable[[Cast], str]:
    return lambda cast: f"/cases/{cast.case.pk}/meetings/{_meeting(cast).pk}/{suffix}"


def invitation_path(cast: Cast) -> str:
    invitation = _outsider_invitation(cast)
    return f"/cases/{cast.case.pk}/meetings/{invitation.meeting_id}/invitations/{invitation.pk}/withdraw/"


ROWS: dict[str, Row] = {
    "formulation:my_meetings": Row(lambda cast: "/meetings/", {ANON: 302}, default=200),
    "formulation:case_meetings": Row(case_path("/cases/{case}/meetings/"), READERS_AND_INVITED),
    "formulation:meeting_schedule": Row(case_path("/cases/{case}/meetings/new/"), SCHEDULERS),
    "formulation:meeting_detail": Row(meeting_path(), READERS_AND_INVITED),
    "formulation:meeting_ics": Row(meeting_path("meeting.ics"), READERS_AND_INVITED),
    "formulation:meeting_change": Row(meeting_path("change/"), SCHEDULERS),
    "formulation:meeting_invite": Row(meeting_path("invite/"), SCHEDULERS),
    "formulation:invitation_remove": Row(invitation_path, SCHEDULERS),
    "formulation:meeting_cancel": Row(meeting_path("cancel/"), SCHEDULERS),
    "formulation:meeting_record": Row(meeting_path("attendance/"), SCHEDULERS),
    # POST only: sends failed invitations again and goes back to the meeting.
    "formulation:meeting_resend": Row(meeting_path("send-again/"), {**SCHEDULERS, **ACTED}, method="post"),
}

# Every form's POST, with an empty body: schedulers get the form back with its errors (200), or
# for withdrawing an invitation the redirect (302); readers and the invited teacher 403; others 404.
POST_ROWS: dict[str, Row] = {
    name: Row(ROWS[name].path, ROWS[name].expected, method="post")
    for name in (
        "formulation:meeting_schedule",
        "formulation:meeting_change",
        "formulation:meeting_invite",
        "formulation:meeting_cancel",
        "formulation:meeting_record",
    )
}
POST_ROWS["formulation:invitation_remove"] = Row(invitation_path, {**SCHEDULERS, **ACTED}, method="post")
POST_ROWS["formulation:meeting_resend"] = ROWS["formulation:meeting_resend"]
