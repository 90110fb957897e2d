"""Reviews, progress on actions, reminders, in-app notifications and e-mail preferences.

A reminder is a row in PostgreSQL (what, for whom, due when, sent when) before anything is sent,
so a Redis outage only delays it; the unique constraint makes each one exist, and go, once.

A review is a multi-agency meeting (formulation.Meeting, purpose "review") and what it records:
attendance (on the meeting's invitations), progress on every open action, a TRM re-assessment,
goal ratings, new actions, the child's views and the next review date. Signing off locks it.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from accounts.history import history_tracked
from core.documents.models import RenderedDocument
from formulation.models import ActionStatus


class ReminderOutcome(models.TextChoices):
    DELIVERED = "delivered", "Delivered"
    # The source had nothing left to say by delivery time: the referral was triaged, the digest was empty.
    NO_LONGER_DUE = "no_longer_due", "No longer due"
    RECIPIENT_INACTIVE = "recipient_inactive", "Not sent: the person's account is inactive"
    GAVE_UP = "gave_up", "Not sent: delivery kept failing"


class Reminder(models.Model):
    """One reminder for one person about one subject, due on one date.

    `kind` names the source that made it (registered in core/reminders.py); the subject is a plain
    reference such as ("referral", 42), so any later record can be a subject without a migration.
    Not history-tracked: it holds no case content and the sweep writes it in bulk.
    """

    kind = models.CharField(max_length=40)
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reminders")
    subject_type = models.CharField(max_length=40)
    subject_id = models.BigIntegerField()
    case = models.ForeignKey("cases.Case", on_delete=models.SET_NULL, null=True, blank=True, related_name="reminders")
    due_on = models.DateField("the date the reminder is for")
    created_at = models.DateTimeField(default=timezone.now)
    # Delivery waits until then: now at first, later after each failed attempt (backoff).
    next_attempt_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=20, choices=ReminderOutcome.choices, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["-due_on", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "recipient", "subject_type", "subject_id", "due_on"], name="reminder_once"
            ),
        ]
        indexes = [
            # What delivery looks for; stays small however many reminders have been sent.
            models.Index(fields=["next_attempt_at", "id"], condition=Q(sent_at__isnull=True), name="reminder_unsent"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} for {self.recipient_id} about {self.subject_type} {self.subject_id} due {self.due_on}"


class Notification(models.Model):
    """A line in a person's in-app notification list. Names no child: the detail is behind the link."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications", db_index=False
    )
    # One notification per reminder, enforced by the database as a second guard against doubles.
    reminder = models.OneToOneField(
        Reminder, on_delete=models.SET_NULL, null=True, blank=True, related_name="notification"
    )
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    link = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["recipient", "-created_at", "-id"], name="notification_list"),
            # The unread count in every page's header.
            models.Index(fields=["recipient"], condition=Q(read_at__isnull=True), name="notification_unread"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_unread(self) -> bool:
        return self.read_at is None


@history_tracked()
class EmailPreference(models.Model):
    """Which e-mails a person wants. No row means the defaults: every e-mail."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="email_preference")
    send_email = models.BooleanField("E-mail me reminders", default=True)
    weekly_digest = models.BooleanField("E-mail me the weekly digest", default=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"E-mail preferences of {self.user}"


# --- Reviews (issue 6, first half) ---------------------------------------------------------------

DEFAULT_REVIEW_WEEKS = 8
LONGEST_REVIEW_WEEKS = 52


@history_tracked()
class ReviewSchedule(models.Model):
    """How often the network reviews a case. No row means every DEFAULT_REVIEW_WEEKS weeks."""

    case = models.OneToOneField("cases.Case", on_delete=models.CASCADE, related_name="review_schedule")
    every_weeks = models.PositiveSmallIntegerField(
        "Weeks between reviews",
        default=DEFAULT_REVIEW_WEEKS,
        validators=[MinValueValidator(1), MaxValueValidator(LONGEST_REVIEW_WEEKS)],
    )
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Reviews every {self.every_weeks} weeks"


class ReviewStatus(models.TextChoices):
    OPEN = "open", "Open"
    SIGNED_OFF = "signed_off", "Signed off"
    # Its meeting was cancelled (marked when the next review is scheduled).
    CANCELLED = "cancelled", "Cancelled"


@history_tracked()
class Review(models.Model):
    """One multi-agency review of a case: its meeting, its chair and what it recorded.

    Attendance lives on the meeting's invitations while the review is open; signing off copies it
    into `attendance_record`, so the signed-off record never changes afterwards.
    """

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="reviews", db_index=False)
    meeting = models.OneToOneField("formulation.Meeting", on_delete=models.PROTECT, related_name="review")
    chair = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=20, choices=ReviewStatus.choices, default=ReviewStatus.OPEN)
    childs_views = models.TextField("The child's views", blank=True)
    next_review_on = models.DateField("Next review", null=True, blank=True)
    stage_assessment = models.OneToOneField(
        "trm_stages.StageAssessment", on_delete=models.PROTECT, null=True, blank=True, related_name="review"
    )
    stage_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # [{"name", "role", "agency", "attendance"}] as they stood at sign-off.
    attendance_record = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    signed_off_at = models.DateTimeField(null=True, blank=True)
    signed_off_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["case", "status"], name="review_case_status")]
        constraints = [
            # One review at a time is being recorded on a case.
            models.UniqueConstraint(fields=["case"], condition=Q(status="open"), name="review_one_open_per_case"),
            models.CheckConstraint(
                condition=~Q(status="signed_off") | Q(signed_off_at__isnull=False, next_review_on__isnull=False),
                name="review_signed_off_complete",
            ),
        ]
        permissions = [("chair_review", "Schedule, record and sign off reviews on cases in scope")]

    def __str__(self) -> str:
        return f"Review of case {self.case_id}"

    def get_absolute_url(self) -> str:
        return reverse("reviews:review_detail", args=[self.case_id, self.pk])

    @property
    def is_locked(self) -> bool:
        return self.status != ReviewStatus.OPEN

    @property
    def is_signed_off(self) -> bool:
        return self.status == ReviewStatus.SIGNED_OFF

    @property
    def is_cancelled(self) -> bool:
        """Cancelled itself, or its meeting cancelled (on the meeting's page)."""
        return self.status == ReviewStatus.CANCELLED or self.meeting.is_cancelled

    @property
    def held_on(self) -> dt.date:
        """The review's date: the day its meeting starts (UK time)."""
        return timezone.localdate(self.meeting.starts_at)


@history_tracked()
class ActionProgress(models.Model):
    """A dated progress note on an action, with the status it left the action in.

    Notes written at a review name the review (one per action per review); owners and clinicians
    add notes between reviews too.
    """

    action = models.ForeignKey(
        "formulation.Recommendation", on_delete=models.CASCADE, related_name="progress", db_index=False
    )
    review = models.ForeignKey(Review, on_delete=models.CASCADE, null=True, blank=True, related_name="progress")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    noted_on = models.DateField("Date of the note")
    status = models.CharField(max_length=20, choices=ActionStatus.choices)
    note = models.TextField()
    # At a review: the sequencing warning still standing then (trm_stages.sequencing), kept as shown.
    sequencing_warning = models.CharField(max_length=400, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-noted_on", "-created_at", "-pk"]
        indexes = [models.Index(fields=["action", "-noted_on"], name="action_progress_latest")]
        constraints = [
            models.UniqueConstraint(
                fields=["action", "review"], condition=Q(review__isnull=False), name="action_progress_once_per_review"
            )
        ]

    def __str__(self) -> str:
        return f"Progress on action {self.action_id} on {self.noted_on}"


@history_tracked()
class ReviewAction(models.Model):
    """An action a review added (a Recommendation without a report)."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="added_actions")
    action = models.OneToOneField(
        "formulation.Recommendation", on_delete=models.CASCADE, related_name="added_at_review"
    )

    def __str__(self) -> str:
        return f"Action {self.action_id} added at review {self.review_id}"


@history_tracked()
class ReviewGoalRating(models.Model):
    """A goal rating given at a review (the rating itself is trm_stages.GoalRating)."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="goal_ratings", db_index=False)
    goal = models.ForeignKey("trm_stages.Goal", on_delete=models.CASCADE, related_name="+")
    rating = models.OneToOneField("trm_stages.GoalRating", on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["review", "goal"], name="review_goal_rated_once")]

    def __str__(self) -> str:
        return f"Goal {self.goal_id} rated at review {self.review_id}"


@history_tracked()
class ReviewDocument(RenderedDocument):
    """The PDF of a signed-off review's record, made by the document pipeline (core/documents/)."""

    file_directory = "reviews/records/"

    review = models.OneToOneField(Review, on_delete=models.CASCADE, related_name="document")

    def __str__(self) -> str:
        return f"Record of review {self.review_id} (PDF)"
