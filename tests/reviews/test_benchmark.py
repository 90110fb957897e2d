"""The benchmark command runs end to end at a small size, prints its figures and leaves nothing behind."""

from __future__ import annotations

import re
from io import StringIO

import pytest
from django.core.management import call_command

from accounts.models import Agency, User
from referrals.models import Referral
from reviews.models import Notification, Reminder


@pytest.mark.django_db(transaction=True)
def test_the_benchmark_times_the_sweep_and_cleans_up() -> None:
    output = StringIO()
    call_command("benchmark_reminders", count=300, runs=3, deliver=20, stdout=output)
    text = output.getvalue()
    assert "Made 300 referrals waiting for triage" in text
    # Two reminders a referral (and, on the digest weekday, the two clinicians' digests).
    first_sweep = re.search(r"First sweep \(writes (\d+) reminders\): median [0-9.]+ s of 3", text)
    assert first_sweep is not None, text
    assert int(first_sweep.group(1)) >= 600
    assert re.search(r"Repeat sweep \(every reminder exists already, adds none\): median [0-9.]+ s of 3", text)
    assert "Delivered 20 (notification and e-mail each)" in text
    assert "Cleaned up" in text
    assert not Referral.objects.exists()
    assert not Reminder.objects.exists()
    assert not Notification.objects.exists()
    assert not User.objects.filter(username__startswith="bench-").exists()
    assert not Agency.objects.filter(name__startswith="Benchmark").exists()
