"""Reminders, in-app notifications and e-mail preferences (reviews themselves come with issue 6's first half).

A reminder is a row in PostgreSQL (what, for whom, due when, sent when) before anything is sent,
so a Redis outage only delays it; the unique constraint makes each one exist, and go, once.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from accounts.history import history_tracked


class ReminderOutcome(models.TextChoices):
    DELIVERED = "delivered", "Delivered"
    # The source had nothing left to say by delivery time: the referral was triaged, the digest was empty.
    NO_LONGER_DUE = "no_longer_due", "No longer due"
    RECIPIENT_INACTIVE = "recipient_inactive", "Not sent: the person's account is inactive"
    GAVE_UP = "gave_up", "Not sent: delivery kept failing"


class Reminder(models.Model):
    """One reminder for one person about one subject, due on one date.

    `kind` names the source that made it (reviews/reminder_sources.py); the subject is a plain
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

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
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
