"""The Consent panel of the case's Details page (registered in ReferralsConfig.ready() through cases/sections.py):
the consent as it stands for each purpose, the whole history, and the forms to record consent, a withdrawal
and (covering senior practitioners, once sharing has stopped) a lawful basis to continue."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cases.models import Case
from referrals.consent import consent_now, may_record_lawful_basis


def consent_section_context(
    user: Any, case: Case, caps: Any, facts: Mapping[str, Any] | None = None
) -> dict[str, Any] | None:
    """For those who read the full record; the forms only while the case is open (closed cases are read-only)."""
    if not caps.full_record:
        return None
    now = consent_now(case)
    return {
        "consent": now,
        "may_record_consent": caps.change and caps.is_open,
        "may_record_lawful_basis": caps.is_open and now.sharing.stopped and may_record_lawful_basis(user, case),
    }
