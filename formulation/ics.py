"""Calendar files (iCalendar, RFC 5545/5546) for meetings of any purpose.

Times go out in UTC, so no VTIMEZONE is needed and every client (Outlook included) shows the
local time itself. Nothing here names the child: the summary carries the case number and the
child's initials only, because calendars are shared, synced to phones and printed.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable
from enum import StrEnum
from urllib.parse import urlsplit

from django.conf import settings
from django.utils import timezone
from icalendar import Calendar, Event, vCalAddress

from formulation.models import Invitation, Meeting, MeetingStatus

PRODID = "-//ECM//Enhanced Case Management meetings//EN"


class Method(StrEnum):
    """The iTIP methods ECM sends (RFC 5546)."""

    REQUEST = "REQUEST"  # an invitation, or an update of one (higher SEQUENCE)
    CANCEL = "CANCEL"  # the meeting is cancelled, or one person's invitation is withdrawn
    PUBLISH = "PUBLISH"  # a file to add to one's own calendar (the download link)


def new_uid() -> str:
    """A UID for a new meeting, stable for its whole life: every update and cancellation reuses it."""
    host = urlsplit(settings.ECM_BASE_URL).hostname or "ecm.invalid"
    return f"ecm-meeting-{uuid.uuid4()}@{host}"


def meeting_title(meeting: Meeting) -> str:
    """What calendars show: purpose, case number and initials, never the child's name."""
    initials = ".".join(meeting.case.child.initials) + "."
    return f"ECM {meeting.get_purpose_display().lower()} – case {meeting.case_id} ({initials})"


def meeting_url(meeting: Meeting) -> str:
    return f"{settings.ECM_BASE_URL}{meeting.get_absolute_url()}"


def calendar_for(
    meeting: Meeting,
    *,
    method: Method,
    attendees: Iterable[Invitation] = (),
    withdrawn: bool = False,
    now: dt.datetime | None = None,
) -> bytes:
    """The .ics file for one meeting.

    REQUEST and CANCEL name the `attendees` (everyone still invited; for a withdrawn invitation,
    only the person withdrawn). A cancelled meeting says STATUS:CANCELLED; a withdrawn
    invitation does not, because the meeting still goes ahead for everyone else.
    """
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("method", str(method))
    event = Event()
    event.add("uid", meeting.ics_uid)
    event.add("sequence", meeting.sequence)
    event.add("dtstamp", (now or timezone.now()).astimezone(dt.UTC))
    event.add("dtstart", meeting.starts_at.astimezone(dt.UTC))
    event.add("dtend", meeting.ends_at.astimezone(dt.UTC))
    event.add("summary", meeting_title(meeting))
    event.add("location", meeting.location or meeting.video_link)
    event.add("description", _description(meeting, withdrawn=withdrawn))
    event.add("url", meeting_url(meeting))
    # Private: a delegate or a shared calendar sees the time as busy, not the details.
    event.add("class", "PRIVATE")
    event.add("transp", "OPAQUE")
    cancelled = meeting.status == MeetingStatus.CANCELLED
    if not withdrawn:
        event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    event.add("organizer", _address(meeting.organiser.email, meeting.organiser.get_full_name()))
    if method != Method.PUBLISH:  # RFC 5546: a PUBLISH names no attendees
        for invitation in attendees:
            event.add("attendee", _attendee(invitation, expects_reply=method == Method.REQUEST))
    calendar.add_component(event)
    return calendar.to_ical()


def _address(email: str, name: str) -> vCalAddress:
    address = vCalAddress(f"mailto:{email}")
    if name:
        address.params["cn"] = name
    return address


def _attendee(invitation: Invitation, *, expects_reply: bool) -> vCalAddress:
    address = _address(invitation.email, invitation.name)
    address.params["cutype"] = "INDIVIDUAL"
    address.params["role"] = "REQ-PARTICIPANT"
    if expects_reply:
        address.params["partstat"] = "NEEDS-ACTION"
        address.params["rsvp"] = "TRUE"
    return address


def _description(meeting: Meeting, *, withdrawn: bool) -> str:
    lines = [f"{meeting_title(meeting)}."]
    if withdrawn:
        lines.append("Your invitation to this meeting has been withdrawn. The meeting goes ahead without you.")
    elif meeting.status == MeetingStatus.CANCELLED:
        lines.append("This meeting has been cancelled.")
        if meeting.cancel_reason:
            lines.append(f"Reason: {meeting.cancel_reason}")
    if meeting.location:
        lines.append(f"Place: {meeting.location}")
    if meeting.video_link:
        lines.append(f"Join by video: {meeting.video_link}")
    lines.append(f"Organiser: {meeting.organiser.get_full_name()} ({meeting.organiser.email})")
    lines.append(f"Meeting page, for people who use ECM: {meeting_url(meeting)}")
    return "\n".join(lines)
