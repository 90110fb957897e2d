"""Demo consent histories (issue 17): Kai's consent confirmed on a signed form, then his foster carer withdrawing
consent to ask other agencies (sharing goes on); Jay's mother withdrawing consent to share his summary, so his
Network page says sharing stopped. Made through the services, as a case manager would record them."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from accounts.models import User
from cases.models import Case
from referrals.consent import consent_record, consent_withdraw


def demo_consent(case: Case, story: str, *, holder: User) -> None:
    """Called from devtools/demo/seed.py for every case it opens; the story decides what is recorded."""
    today = timezone.localdate()
    if story == "formulation":
        consent_record(
            case=case,
            actor=holder,
            kind="given",
            given_by="child",
            method="signed_form",
            purposes=["share_summary", "ecm_work", "ask_agencies"],
            on=today - dt.timedelta(days=20),
            explanation="Kai signed the ECM consent form at the youth centre after we went through it together.",
        )
        consent_withdraw(
            case=case,
            actor=holder,
            given_by="parent_carer",
            given_by_name="Ann Lowe, foster carer",
            method="verbal",
            purposes=["ask_agencies"],
            on=today - dt.timedelta(days=4),
            explanation="Ann asked that we do not contact Kai's previous school without talking to her first.",
        )
    elif story == "consultation":
        consent_withdraw(
            case=case,
            actor=holder,
            given_by="parent_carer",
            given_by_name="Dee Pemberton, mother",
            method="written",
            purposes=["share_summary"],
            on=today - dt.timedelta(days=6),
            explanation="Email from Jay's mother: she does not want the school to see ECM's summary.",
        )
