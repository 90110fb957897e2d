"""The reminder machinery: sources say what is due, the sweep writes it down, delivery sends it once.

1. A *source* answers "which reminders are due today?" as one queryset of rows (`due_rows`), and
   later "what does this reminder say?" (`message`). Sources live with what they remind of
   (referrals/reminders.py, reviews/reminders/sources/) and register in core/reminders.py from
   their app's AppConfig.ready(), so this package never imports the apps that fill it.
2. `reminders_sweep` (sweep.py) turns every source's rows into Reminder rows with one
   ``INSERT ... SELECT ... ON CONFLICT DO NOTHING`` each: set-based, so it stays fast over
   100,000 open items, and the unique constraint makes running it twice (two beats, a retry,
   a restart) harmless.
3. `reminders_deliver` (delivery.py) takes unsent reminders one at a time with ``FOR UPDATE SKIP
   LOCKED``, creates the in-app notification, sends the e-mail and sets `sent_at` in the same
   transaction, so two workers never deliver the same reminder and a crash delivers it again
   rather than never. A failure is retried later with a growing wait (`next_attempt_at`).

Everything lives in PostgreSQL: when Redis is down, beat cannot start a sweep or a delivery,
and the next run after it comes back delivers everything still unsent. The one gap no database
closes: if the commit fails after the mail server accepted an e-mail, that e-mail goes again on
the next run (the notification cannot: it is in the transaction that failed).
"""

from core.reminders import (
    DigestItem,
    DigestSource,
    Message,
    ReminderSource,
    Week,
    digest_week,
    due_rows,
    reminder_setting,
)
from reviews.reminders.delivery import (
    DeliveryReport,
    email_wanted,
    reminder_deliver_next,
    reminders_deliver,
    retry_wait,
)
from reviews.reminders.sweep import registered_sources, reminders_sweep, source_for

__all__ = [
    "DeliveryReport",
    "DigestItem",
    "DigestSource",
    "Message",
    "ReminderSource",
    "Week",
    "digest_week",
    "due_rows",
    "email_wanted",
    "registered_sources",
    "reminder_deliver_next",
    "reminder_setting",
    "reminders_deliver",
    "reminders_sweep",
    "retry_wait",
    "source_for",
]
