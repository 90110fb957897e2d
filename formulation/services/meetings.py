"""Meetings of any purpose: schedule, change, invite, withdraw, cancel, record attendance and notes.

The reviews app schedules its review meetings through these same services (purpose "review"),
so invitations, calendar files and attendance behave the same everywhere.

Calendars: every invitee gets an e-mail with an .ics file after the transaction commits
(formulation/services/meeting_notices.py). A change of time or place, a withdrawn invitation and a
cancellation raise the meeting's SEQUENCE and keep its UID, so calendar programs update or remove
the one event they already hold.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.dateformat import format as format_date

from accounts.history import acting_as
from accounts.models import Agency, User
from cases.models import Case, CaseEventKind, CaseKind, NetworkMember
from cases.services import case_event_add, ensure_open
from core.handoffs import HandoffKind, hand_off
from formulation import ics
from formulation.models import Attendance, Invitation, Meeting, MeetingPurpose, MeetingStatus
from formulation.selectors import current_invitations
from formulation.services.meeting_notices import Notice, send_after_commit

LONGEST_MEETING = dt.timedelta(hours=12)


RECORDED_ATTENDANCE = (Attendance.ATTENDED, Attendance.APOLOGIES, Attendance.DID_NOT_ATTEND)


@dataclass(frozen=True)
class Invitee:
    """Someone to invite, as the forms hand them to the services."""

    name: str
    email: str
    role: str = ""
    user: User | None = None
    network_member: NetworkMember | None = None
    agency: Agency | None = None
    agency_name: str = ""


def when(meeting_start: dt.datetime) -> str:
    """A meeting's start as people read it: "5 March 2026 at 10:00" (UK time)."""
    return format_date(timezone.localtime(meeting_start), r"j F Y \a\t H:i")


def meeting_details_errors(
    *, starts_at: dt.datetime, ends_at: dt.datetime, location: str, video_link: str, now: dt.datetime | None = None
) -> dict[str, str]:
    """The rules for a meeting's time and place, keyed by field (forms show them, services enforce them)."""
    errors: dict[str, str] = {}
    if starts_at <= (now or timezone.now()):
        errors["starts_at"] = "The meeting must start in the future"
    if ends_at <= starts_at:
        errors["ends_at"] = "The end time must be after the start time"
    elif ends_at - starts_at > LONGEST_MEETING:
        errors["ends_at"] = "A meeting can last 12 hours at most: check the end time"
    if not location.strip() and not video_link.strip():
        errors["location"] = "Enter a place or a video link (or both)"
    return errors


def _invitee_errors(*, case: Case, invitees: Sequence[Invitee], already: set[str], required: bool) -> dict[str, str]:
    if required and not invitees:
        return {"invitees": "Choose at least one person to invite"}
    seen = set(already)
    for invitee in invitees:
        email = invitee.email.strip().lower()
        try:
            validate_email(email)
        except ValidationError:
            return {"invitees": f"Enter an e-mail address like name@example.org for {invitee.name or 'everyone'}"}
        if email in seen:
            return {"invitees": f"{invitee.name} ({email}) is already invited"}
        seen.add(email)
        if invitee.network_member is not None and (
            invitee.network_member.case_id != case.pk or invitee.network_member.removed_at is not None
        ):
            return {"invitees": f"{invitee.name} is not in this child's network"}
        if not invitee.name.strip():
            return {"invitees": "Enter the name of everyone you invite"}
        if invitee.agency is None and not invitee.agency_name.strip():
            return {"invitees": f"Choose {invitee.name}'s agency, or enter its name"}
    return {}


def _invite(*, meeting: Meeting, invitees: Sequence[Invitee], actor: User) -> list[Invitation]:
    invitations = []
    for invitee in invitees:
        invitation = Invitation(
            meeting=meeting,
            user=invitee.user,
            network_member=invitee.network_member,
            name=invitee.name.strip(),
            email=invitee.email.strip().lower(),
            role=invitee.role.strip(),
            agency=invitee.agency,
            agency_name="" if invitee.agency else invitee.agency_name.strip(),
            invited_by=actor,
        )
        invitation.full_clean()
        invitation.save()
        invitations.append(invitation)
    return invitations


def _locked(meeting: Meeting) -> Meeting:
    locked = Meeting.objects.select_for_update().select_related("case__child", "organiser").get(pk=meeting.pk)
    return locked


def _require_scheduled(meeting: Meeting, doing: str) -> None:
    if meeting.status != MeetingStatus.SCHEDULED:
        raise ValidationError({NON_FIELD_ERRORS: f"This meeting is {meeting.get_status_display().lower()}: {doing}"})


@transaction.atomic
def meeting_schedule(
    *,
    case: Case,
    actor: User,
    purpose: str,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    invitees: Sequence[Invitee],
    location: str = "",
    video_link: str = "",
) -> Meeting:
    """Schedule a meeting and invite people; each gets an e-mail with the .ics once this commits."""
    ensure_open(case)
    errors: dict[str, str] = {}
    if purpose == MeetingPurpose.FORMULATION and case.kind != CaseKind.FORMULATION:
        errors[NON_FIELD_ERRORS] = "This case is for consultation only: it has no formulation meeting"
    errors.update(
        meeting_details_errors(starts_at=starts_at, ends_at=ends_at, location=location, video_link=video_link)
    )
    errors.update(_invitee_errors(case=case, invitees=invitees, already=set(), required=True))
    if errors:
        raise ValidationError(errors)
    with acting_as(actor):
        meeting = Meeting(
            case=case,
            purpose=purpose,
            starts_at=starts_at,
            ends_at=ends_at,
            location=location.strip(),
            video_link=video_link.strip(),
            organiser=actor,
            ics_uid=ics.new_uid(),
            sequence=0,
        )
        meeting.full_clean()
        meeting.save()
        invitations = _invite(meeting=meeting, invitees=invitees, actor=actor)
        case_event_add(
            case=case,
            kind=CaseEventKind.MEETING,
            summary=f"{meeting.get_purpose_display()} scheduled for {when(starts_at)}, {len(invitations)} invited",
            actor=actor,
            link=meeting.get_absolute_url(),
        )
        # The people of the case are told in ECM too, invited or not (the invitations are e-mails).
        hand_off(
            kind=HandoffKind.MEETING_SCHEDULED,
            subject_type="meeting",
            subject_id=meeting.pk,
            case_id=case.pk,
            recipients=[case.case_holder, case.psychologist, case.senior_practitioner],
            actor=actor,
        )
    send_after_commit(meeting=meeting, invitations=invitations, notice=Notice.INVITATION, actor=actor)
    return meeting


@transaction.atomic
def meeting_change(
    *,
    meeting: Meeting,
    actor: User,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    location: str = "",
    video_link: str = "",
) -> Meeting:
    """Move a meeting or change its place; everyone still invited gets the updated .ics (same UID, SEQUENCE + 1)."""
    meeting = _locked(meeting)
    ensure_open(meeting.case)
    _require_scheduled(meeting, "it cannot be changed")
    errors = meeting_details_errors(starts_at=starts_at, ends_at=ends_at, location=location, video_link=video_link)
    if errors:
        raise ValidationError(errors)
    new_values = {
        "starts_at": starts_at,
        "ends_at": ends_at,
        "location": location.strip(),
        "video_link": video_link.strip(),
    }
    changed = [name for name, value in new_values.items() if getattr(meeting, name) != value]
    if not changed:
        return meeting
    was = when(meeting.starts_at)
    with acting_as(actor):
        for name in changed:
            setattr(meeting, name, new_values[name])
        meeting.sequence += 1
        meeting.full_clean()
        meeting.save(update_fields=[*changed, "sequence", "updated_at"])
        label = meeting.get_purpose_display()
        moved = "starts_at" in changed or "ends_at" in changed
        case_event_add(
            case=meeting.case,
            kind=CaseEventKind.MEETING,
            summary=f"{label} moved from {was} to {when(starts_at)}"
            if moved
            else f"{label} of {was}: place or video link changed",
            actor=actor,
            link=meeting.get_absolute_url(),
        )
    send_after_commit(
        meeting=meeting, invitations=list(current_invitations(meeting)), notice=Notice.UPDATE, actor=actor
    )
    return meeting


@transaction.atomic
def meeting_invite(*, meeting: Meeting, actor: User, invitees: Sequence[Invitee]) -> list[Invitation]:
    """Invite more people to a scheduled meeting; they get the meeting as it stands now."""
    meeting = _locked(meeting)
    ensure_open(meeting.case)
    _require_scheduled(meeting, "nobody more can be invited")
    already = {email.lower() for email in current_invitations(meeting).values_list("email", flat=True)}
    errors = _invitee_errors(case=meeting.case, invitees=invitees, already=already, required=True)
    if errors:
        raise ValidationError(errors)
    with acting_as(actor):
        invitations = _invite(meeting=meeting, invitees=invitees, actor=actor)
    send_after_commit(meeting=meeting, invitations=invitations, notice=Notice.INVITATION, actor=actor)
    return invitations


@transaction.atomic
def invitation_withdraw(*, invitation: Invitation, actor: User) -> Invitation:
    """Take one person off a scheduled meeting; their calendar gets a cancellation for them alone."""
    meeting = _locked(invitation.meeting)
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.removed_at is not None:
        return invitation
    _require_scheduled(meeting, "its invitations cannot be withdrawn")
    with acting_as(actor):
        invitation.removed_at = timezone.now()
        invitation.save(update_fields=["removed_at"])
        # A cancellation must carry a higher SEQUENCE than the invitation it cancels, or
        # calendar programs ignore it as out of date.
        meeting.sequence += 1
        meeting.save(update_fields=["sequence", "updated_at"])
    send_after_commit(meeting=meeting, invitations=[invitation], notice=Notice.WITHDRAWN, actor=actor)
    return invitation


@transaction.atomic
def meeting_cancel(*, meeting: Meeting, actor: User, reason: str) -> Meeting:
    """Cancel a scheduled meeting with a reason; everyone still invited gets a cancellation (same UID).

    Allowed on a closed case (as is withdrawing an invitation): a meeting left in people's calendars
    after the case closed is called off, not kept until the case is reopened."""
    meeting = _locked(meeting)
    _require_scheduled(meeting, "it cannot be cancelled")
    if not reason.strip():
        raise ValidationError({"reason": "Enter the reason for cancelling the meeting"})
    with acting_as(actor):
        meeting.status = MeetingStatus.CANCELLED
        meeting.cancel_reason = reason.strip()
        meeting.cancelled_at = timezone.now()
        meeting.sequence += 1
        meeting.save(update_fields=["status", "cancel_reason", "cancelled_at", "sequence", "updated_at"])
        case_event_add(
            case=meeting.case,
            kind=CaseEventKind.MEETING,
            summary=f"{meeting.get_purpose_display()} of {when(meeting.starts_at)} cancelled: {meeting.cancel_reason}",
            actor=actor,
            link=meeting.get_absolute_url(),
        )
    send_after_commit(
        meeting=meeting, invitations=list(current_invitations(meeting)), notice=Notice.CANCELLED, actor=actor
    )
    return meeting


@transaction.atomic
def meeting_record(
    *, meeting: Meeting, actor: User, attendance: Mapping[int, str], notes: str, now: dt.datetime | None = None
) -> Meeting:
    """Record who came (per invitation id) and the meeting's notes, and mark it held. It can be corrected later."""
    meeting = _locked(meeting)
    ensure_open(meeting.case)
    if meeting.status == MeetingStatus.CANCELLED:
        raise ValidationError({NON_FIELD_ERRORS: "This meeting was cancelled: there is no attendance to record"})
    if meeting.starts_at > (now or timezone.now()):
        raise ValidationError({NON_FIELD_ERRORS: "You can record attendance once the meeting has started"})
    invitations = list(current_invitations(meeting).select_for_update(of=("self",)))
    errors = {
        f"attendance_{invitation.pk}": f"Choose whether {invitation.name} attended"
        for invitation in invitations
        if attendance.get(invitation.pk) not in RECORDED_ATTENDANCE
    }
    if errors:
        raise ValidationError(errors)
    first_time = meeting.status != MeetingStatus.HELD
    with acting_as(actor):
        for invitation in invitations:
            if invitation.attendance != attendance[invitation.pk]:
                invitation.attendance = attendance[invitation.pk]
                invitation.save(update_fields=["attendance"])
        meeting.notes = notes.strip()
        meeting.status = MeetingStatus.HELD
        meeting.held_recorded_at = meeting.held_recorded_at or timezone.now()
        meeting.save(update_fields=["notes", "status", "held_recorded_at", "updated_at"])
        if first_time:
            attended = sum(1 for invitation in invitations if invitation.attendance == Attendance.ATTENDED)
            case_event_add(
                case=meeting.case,
                kind=CaseEventKind.MEETING,
                summary=f"{meeting.get_purpose_display()} held on {when(meeting.starts_at)}: "
                f"{attended} of {len(invitations)} invited attended",
                actor=actor,
                link=meeting.get_absolute_url(),
                occurred_at=meeting.starts_at,
            )
    return meeting


@transaction.atomic
def meeting_resend(*, meeting: Meeting, actor: User) -> int:
    """Send the current invitation again to everyone whose last e-mail failed. Returns how many are queued."""
    meeting = _locked(meeting)
    ensure_open(meeting.case)
    _require_scheduled(meeting, "its invitations cannot be sent again")
    failed = list(current_invitations(meeting).filter(send_failed=True))
    send_after_commit(meeting=meeting, invitations=failed, notice=Notice.UPDATE, actor=actor)
    return len(failed)


@transaction.atomic
def leaver_invitations_withdraw(*, leaver: User, actor: Any) -> str:
    """Take a leaver off every meeting still to come, as a withdrawal does, keeping the invitation in
    the history; meetings already started or held keep their attendance.

    No withdrawal notice goes to the leaver's address (it is closing with them, and a calendar
    cancellation would tell no one anything useful); the organiser reads it in the case's chronology.
    """
    upcoming = Invitation.objects.filter(
        meeting__status=MeetingStatus.SCHEDULED,
        meeting__starts_at__gt=timezone.now(),
        removed_at__isnull=True,
    ).filter(Q(user=leaver) | Q(network_member__user=leaver))
    withdrawn = 0
    for invitation in upcoming.select_related("meeting").order_by("meeting__starts_at", "pk"):
        meeting = _locked(invitation.meeting)
        with acting_as(actor):
            invitation.removed_at = timezone.now()
            invitation.save(update_fields=["removed_at"])
            # Any later update or cancellation the others receive supersedes the version the leaver held.
            meeting.sequence += 1
            meeting.save(update_fields=["sequence", "updated_at"])
            case_event_add(
                case=meeting.case,
                kind=CaseEventKind.MEETING,
                summary=f"{invitation.name} is no longer invited to the {meeting.get_purpose_display().lower()} "
                f"of {when(meeting.starts_at)}: their ECM account was closed",
                actor=actor,
                link=meeting.get_absolute_url(),
            )
        withdrawn += 1
    return f"{withdrawn} future meeting invitations withdrawn"
