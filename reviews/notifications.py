"""A person's in-app notifications and e-mail preferences: the reads and the writes.

Notifications are personal: each person reaches their own only, and another person's answers
404 like a record that does not exist. They name no child; the link leads through the access
module like any other visit.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from accounts.history import acting_as
from accounts.models import User
from config.converters import record_id_or_404
from core.person_facts import PersonFact, person_fact
from reviews.models import EmailPreference, Notification

# Reads.


def notifications_for(person: Any) -> QuerySet[Notification]:
    """The person's notifications, newest first."""
    if not getattr(person, "is_authenticated", False):
        return Notification.objects.none()
    return Notification.objects.filter(recipient=person).order_by("-created_at", "-id")


def unread_count(person: Any) -> int:
    """How many of the person's notifications are unread (one indexed count)."""
    return notifications_for(person).filter(read_at__isnull=True).count()


def _unread_sql() -> str:
    return f"SELECT count(*) FROM {Notification._meta.db_table} WHERE recipient_id = %(user)s AND read_at IS NULL"  # noqa: S608


# The count in every page's navigation: on the partial index of unread rows, read with the person's
# other facts (core.person_facts) instead of a query of its own.
UNREAD_FACT = PersonFact("unread_notifications", _unread_sql, parse=lambda count: int(count or 0))


def unread_count_for_navigation(person: Any) -> int:
    """The unread count as the request's read of the person's facts found it."""
    count: int = person_fact(person, UNREAD_FACT.name)
    return count


def get_notification_for(person: Any, notification_id: int | str) -> Notification:
    """One of the person's own notifications; 404 for anyone else's, as for one that does not exist."""
    pk = record_id_or_404(notification_id, "notification")
    notification = notifications_for(person).filter(pk=pk).first()
    if notification is None:
        raise Http404("No such notification")
    return notification


def email_preference_of(person: User) -> EmailPreference:
    """The person's e-mail preferences, or the defaults (unsaved) if they never chose."""
    return EmailPreference.objects.filter(user=person).first() or EmailPreference(user=person)


# Writes.


def notification_mark_read(*, notification: Notification, actor: User) -> bool:
    """Mark one of the actor's notifications read; False if it was read already."""
    changed = Notification.objects.filter(pk=notification.pk, recipient=actor, read_at__isnull=True).update(
        read_at=timezone.now()
    )
    return changed == 1


def notifications_mark_all_read(*, actor: User) -> int:
    """Mark every unread notification of the actor read; how many changed."""
    return Notification.objects.filter(recipient=actor, read_at__isnull=True).update(read_at=timezone.now())


@transaction.atomic
def email_preference_set(*, person: User, send_email: bool, weekly_digest: bool, actor: User) -> EmailPreference:
    """Record which e-mails the person wants (kept in the change history, like every choice)."""
    preference = EmailPreference.objects.select_for_update().filter(user=person).first()
    with acting_as(actor):
        if preference is None:
            preference = EmailPreference(user=person, send_email=send_email, weekly_digest=weekly_digest)
            preference.full_clean()
            preference.save()
        elif (preference.send_email, preference.weekly_digest) != (send_email, weekly_digest):
            preference.send_email = send_email
            preference.weekly_digest = weekly_digest
            preference.save(update_fields=["send_email", "weekly_digest", "updated_at"])
    return preference
