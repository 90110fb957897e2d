"""The weekly digest: on the configured weekday, per person, only when there is something in it."""

from __future__ import annotations

import datetime as dt

from django.conf import LazySettings
from django.core import mail

from accounts.models import Role
from referrals.models import TriageDecision
from referrals.services import referral_triage
from reviews.models import Notification, ReminderOutcome
from reviews.reminders import reminders_deliver, reminders_sweep
from tests.conftest import Cast
from tests.factories import person
from tests.reviews.helpers import emails_to, on, referral_submitted_on, reminders_of, subjects

DIGEST = "weekly_digest"
MONDAY = dt.date(2026, 3, 16)


def test_the_digest_counts_the_referrals_waiting_and_the_longest_wait(cast: Cast) -> None:
    referral_submitted_on(cast, dt.date(2026, 3, 2))
    referral_submitted_on(cast, dt.date(2026, 3, 11))
    with on(MONDAY, 7):
        reminders_sweep()
        reminders_deliver()
    message = emails_to("alex@")[0]
    assert message.subject == "ECM: your ECM week from 16 March 2026"
    assert "2 referrals are waiting for your triage; the longest has waited 10 working days." in message.body
    assert "http://127.0.0.1:8000/referrals/triage/" in message.body
    notification = Notification.objects.get(recipient=cast.senior_practitioner)
    assert notification.title == "Your ECM week from 16 March 2026"
    assert notification.link == "/referrals/triage/"


def test_no_digest_for_a_person_with_nothing_in_it(cast: Cast) -> None:
    """The case manager, the partners and BANES have nothing waiting for them: no digest, no e-mail."""
    referral_submitted_on(cast, dt.date(2026, 3, 11))
    with on(MONDAY):
        reminders_sweep()
        reminders_deliver()
    assert sorted(reminder.recipient.username for reminder in reminders_of(DIGEST)) == ["alex", "jordan"]
    assert sorted(message.to[0] for message in mail.outbox) == ["alex@test.ecm.invalid", "jordan@test.ecm.invalid"]


def test_nobody_gets_a_digest_in_a_quiet_week(cast: Cast) -> None:
    with on(MONDAY):
        assert reminders_sweep()[DIGEST] == 0
        reminders_deliver()
    assert mail.outbox == []


def test_the_digest_comes_only_on_its_weekday_and_once(cast: Cast) -> None:
    referral_submitted_on(cast, dt.date(2026, 3, 11))
    for day in range(16, 23):  # Monday 16 to Sunday 22 March
        for hour in (0, 9, 17):
            with on(dt.date(2026, 3, day), hour):
                reminders_sweep()
                reminders_deliver()
    assert [(reminder.recipient.username, reminder.due_on) for reminder in reminders_of(DIGEST)] == [
        ("alex", MONDAY),
        ("jordan", MONDAY),
    ]
    assert subjects(emails_to("alex@")) == ["ECM: your ECM week from 16 March 2026"]


def test_the_digest_weekday_is_a_setting(cast: Cast, settings: LazySettings) -> None:
    settings.ECM_REMINDERS = {**settings.ECM_REMINDERS, "DIGEST_WEEKDAY": 4}  # Friday
    referral_submitted_on(cast, dt.date(2026, 3, 11))
    with on(MONDAY):
        assert reminders_sweep()[DIGEST] == 0
    with on(dt.date(2026, 3, 20)):
        assert reminders_sweep()[DIGEST] == 2
        reminders_deliver()
    assert subjects(emails_to("jordan@")) == ["ECM: your ECM week from 20 March 2026"]


def test_a_digest_emptied_before_delivery_is_not_sent(cast: Cast) -> None:
    referral = referral_submitted_on(cast, dt.date(2026, 3, 11))
    with on(MONDAY, 6):
        reminders_sweep()
    with on(MONDAY, 7):
        referral_triage(
            referral=referral,
            actor=cast.psychologist,
            decision=TriageDecision.NOT_ACCEPTED,
            reason="Needs are met by the current plan.",
            signposting="Speak to the YJS health worker.",
        )
        mail.outbox.clear()  # the referrer's decision e-mail
        reminders_deliver()
    assert mail.outbox == []
    assert {reminder.outcome for reminder in reminders_of(DIGEST)} == {ReminderOutcome.NO_LONGER_DUE}
    assert not Notification.objects.exists()


def test_each_person_sees_only_what_waits_for_them(cast: Cast) -> None:
    """Robin covers BANES only: the digest counts BANES's referral, not Bristol's."""
    person("robin", "Robin", "Hale", agency=cast.ecm_team, role=Role.PSYCHOLOGIST, covers=(cast.banes,))
    referral_submitted_on(cast, dt.date(2026, 3, 2))
    referral_submitted_on(cast, dt.date(2026, 3, 11))
    referral_submitted_on(cast, dt.date(2026, 3, 12), referrer=cast.banes_case_manager, yjs=cast.banes)
    with on(MONDAY):
        reminders_sweep()
        reminders_deliver()
    assert (
        "1 referral is waiting for your triage; the longest has waited 2 working days." in emails_to("robin@")[0].body
    )
    assert "2 referrals are waiting" in emails_to("alex@")[0].body
