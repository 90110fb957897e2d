"""Multi-agency meetings (formulation meetings now, review meetings later) and their invitations.

A meeting is the same thing whatever its purpose: a time, a place or video link, an organiser,
the people invited and whether they came. Scheduling, invitations, calendar files and attendance
live in formulation/meetings.py and formulation/ics.py, so the reviews app uses the same code.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.urls import reverse

from accounts.history import history_tracked
from accounts.models import Agency
from cases.models import Case, NetworkMember


class MeetingPurpose(models.TextChoices):
    FORMULATION = "formulation", "Formulation meeting"
    REVIEW = "review", "Review meeting"


class MeetingStatus(models.TextChoices):
    SCHEDULED = "scheduled", "Scheduled"
    CANCELLED = "cancelled", "Cancelled"
    HELD = "held", "Held"


class Attendance(models.TextChoices):
    NOT_RECORDED = "not_recorded", "Not recorded"
    ATTENDED = "attended", "Attended"
    APOLOGIES = "apologies", "Sent apologies"
    DID_NOT_ATTEND = "did_not_attend", "Did not attend"


@history_tracked()
class Meeting(models.Model):
    """One multi-agency meeting about a case. Every change that reaches calendars raises `sequence`."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="meetings")
    purpose = models.CharField(max_length=20, choices=MeetingPurpose.choices)
    starts_at = models.DateTimeField("Starts")
    ends_at = models.DateTimeField("Ends")
    location = models.CharField("Place", max_length=300, blank=True)
    video_link = models.URLField("Video link", max_length=500, blank=True)
    organiser = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=20, choices=MeetingStatus.choices, default=MeetingStatus.SCHEDULED)
    notes = models.TextField("Notes of the meeting", blank=True)
    cancel_reason = models.TextField("Reason for cancelling", blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    held_recorded_at = models.DateTimeField(null=True, blank=True)
    # The calendar identity: the same UID in every invitation, update and cancellation.
    ics_uid = models.CharField(max_length=200, unique=True)
    sequence = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-starts_at", "-pk"]
        indexes = [
            models.Index(fields=["case", "-starts_at"], name="meeting_case_timeline"),
            models.Index(fields=["organiser", "status", "starts_at"], name="meeting_organiser_upcoming"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")), name="meeting_ends_after_start"
            ),
            models.CheckConstraint(
                condition=~models.Q(location="") | ~models.Q(video_link=""), name="meeting_has_place_or_video"
            ),
        ]
        permissions = [
            (
                "schedule_meeting",
                "Schedule, change and cancel meetings, invite people and record attendance on cases in scope",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_purpose_display()} on {self.starts_at:%d %b %Y}"

    def get_absolute_url(self) -> str:
        return reverse("formulation:meeting_detail", args=[self.case_id, self.pk])

    @property
    def is_scheduled(self) -> bool:
        return self.status == MeetingStatus.SCHEDULED


@history_tracked()
class Invitation(models.Model):
    """One person invited to a meeting: from the network, the case team, or added by name and e-mail."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="invitations")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="meeting_invitations"
    )
    network_member = models.ForeignKey(
        NetworkMember, on_delete=models.SET_NULL, null=True, blank=True, related_name="meeting_invitations"
    )
    name = models.CharField(max_length=200)
    email = models.EmailField("E-mail")
    role = models.CharField(max_length=200, blank=True)
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    agency_name = models.CharField("Agency (if not on ECM)", max_length=200, blank=True)
    attendance = models.CharField(max_length=20, choices=Attendance.choices, default=Attendance.NOT_RECORDED)
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    invited_at = models.DateTimeField(auto_now_add=True)
    removed_at = models.DateTimeField(null=True, blank=True)
    # The version of the meeting this person's calendar last received, and whether the last e-mail failed.
    last_sent_sequence = models.PositiveIntegerField(null=True, blank=True)
    last_sent_at = models.DateTimeField(null=True, blank=True)
    send_failed = models.BooleanField(default=False)

    class Meta:
        ordering = ["name", "pk"]
        indexes = [models.Index(fields=["user", "meeting"], name="invitation_user_meeting")]
        constraints = [
            models.UniqueConstraint(
                Lower("email"),
                "meeting",
                condition=models.Q(removed_at__isnull=True),
                name="invitation_one_current_per_email",
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} to {self.meeting}"

    @property
    def agency_display(self) -> str:
        return self.agency.name if self.agency else self.agency_name
