"""The e-mails a meeting sends: an invitation, an update, a withdrawal or a cancellation, each with its .ics.

Sent after the transaction commits, so nobody is told about a meeting that was rolled back. A failed
e-mail is flagged on the invitation (the meeting page offers to send it again); it never undoes the
meeting.
"""

from __future__ import annotations

import logging
import smtplib
from collections.abc import Sequence
from enum import StrEnum
from functools import partial
from typing import Any

from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.dateformat import format as format_date

from accounts.history import acting_as
from accounts.models import User
from formulation import ics
from formulation.models import Invitation, Meeting
from formulation.selectors import current_invitations

logger = logging.getLogger(__name__)


class Notice(StrEnum):
    """What an e-mail to one invitee says; each carries an .ics file."""

    INVITATION = "invitation"  # METHOD:REQUEST, the first this person hears of it
    UPDATE = "update"  # METHOD:REQUEST, same UID, higher SEQUENCE
    WITHDRAWN = "withdrawn"  # METHOD:CANCEL naming only this person; the meeting goes ahead
    CANCELLED = "cancelled"  # METHOD:CANCEL with STATUS:CANCELLED, to everyone


def send_after_commit(*, meeting: Meeting, invitations: Sequence[Invitation], notice: Notice, actor: User) -> None:
    invitation_ids = [invitation.pk for invitation in invitations]
    if invitation_ids:
        transaction.on_commit(
            partial(
                send_notices, meeting_id=meeting.pk, invitation_ids=invitation_ids, notice=notice, actor_id=actor.pk
            )
        )


def send_notices(*, meeting_id: int, invitation_ids: Sequence[int], notice: str, actor_id: int | None = None) -> int:
    """E-mail each invitation its notice with the .ics; note the version each calendar now holds.

    A failed e-mail is logged and flagged on the invitation (the meeting page offers to send it
    again); it never undoes the meeting. Returns how many e-mails went.
    """
    meeting = Meeting.objects.select_related("case__child", "organiser").get(pk=meeting_id)
    invitations = list(Invitation.objects.filter(pk__in=invitation_ids).order_by("pk"))
    notice = Notice(notice)
    withdrawn = notice == Notice.WITHDRAWN
    method = ics.Method.CANCEL if notice in (Notice.WITHDRAWN, Notice.CANCELLED) else ics.Method.REQUEST
    attendees = invitations if withdrawn else list(current_invitations(meeting))
    calendar = ics.calendar_for(meeting, method=method, attendees=attendees, withdrawn=withdrawn).decode()
    sent = 0
    for invitation in invitations:
        message = _message(meeting=meeting, invitation=invitation, notice=notice, method=method, calendar=calendar)
        try:
            message.send()
        except (smtplib.SMTPException, OSError):
            logger.exception("Meeting %s: the %s e-mail to invitation %s failed", meeting.pk, notice, invitation.pk)
            delivered: dict[str, Any] = {"send_failed": True}
        else:
            sent += 1
            delivered = {"send_failed": False, "last_sent_sequence": meeting.sequence, "last_sent_at": timezone.now()}
        with acting_as(User(pk=actor_id) if actor_id else None):
            Invitation.objects.filter(pk=invitation.pk).update(**delivered)
    return sent


class CalendarEmail(EmailMultiAlternatives):
    """An e-mail whose calendar parts say `text/calendar; method=…; charset=UTF-8` exactly.

    Python's email package quotes every parameter (`method="REQUEST"`); some calendar clients
    only recognise an invitation from the unquoted form Outlook itself sends.
    """

    calendar_method = ics.Method.REQUEST

    def message(self) -> Any:
        message = super().message()
        for part in message.walk():
            if part.get_content_type() == "text/calendar":
                part.replace_header("Content-Type", f"text/calendar; method={self.calendar_method}; charset=UTF-8")
        return message


SUBJECTS = {
    Notice.INVITATION: "Invitation",
    Notice.UPDATE: "Updated invitation",
    Notice.WITHDRAWN: "Invitation withdrawn",
    Notice.CANCELLED: "Cancelled",
}


def _message(
    *, meeting: Meeting, invitation: Invitation, notice: Notice, method: ics.Method, calendar: str
) -> CalendarEmail:
    local_start, local_end = timezone.localtime(meeting.starts_at), timezone.localtime(meeting.ends_at)
    title = ics.meeting_title(meeting)
    context = {
        "meeting": meeting,
        "invitation": invitation,
        "notice": str(notice),
        "title": title,
        "day": format_date(local_start, "l j F Y"),
        "times": f"{local_start:%H:%M} to {local_end:%H:%M}",
        "meeting_url": ics.meeting_url(meeting),
    }
    subject = f"{SUBJECTS[notice]}: {title}, {context['day']} at {local_start:%H:%M}"
    body = render_to_string("formulation/email/meeting_notice.txt", context)
    message = CalendarEmail(
        subject=subject,
        body=body,
        to=[invitation.email],
        reply_to=[meeting.organiser.email] if meeting.organiser.email else None,
    )
    # Outlook and Gmail read the calendar part to offer accept/decline; the attachment is the same
    # file for everything else.
    message.calendar_method = method
    mimetype = f"text/calendar; method={method}"
    message.attach_alternative(calendar, mimetype)
    message.attach("invitation.ics" if method == ics.Method.REQUEST else "cancellation.ics", calendar, mimetype)
    return message
