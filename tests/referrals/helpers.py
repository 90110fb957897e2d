"""Referrals in each state, made through the services as a case manager would make them."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from accounts.models import Agency, User
from cases.models import Child
from referrals.models import Referral
from referrals.services import referral_save_draft, referral_start, referral_submit
from tests.conftest import Cast
from tests.factories import child as make_child

COMPLETE_ANSWERS: dict[str, Any] = {
    "reasons": "Three placement moves this year and rising violence at home.",
    "complex_needs": ["exploitation", "mental_health"],
    "current_risks": "Criminal exploitation suspected; went missing twice last month.",
    "agencies_involved": "School, children's social care, CAMHS waiting list.",
    "tried_before": "Mentoring twice; a reparation plan that broke down.",
    "urgency": "soon",
}
CONSENT: dict[str, Any] = {
    "child_consent": "given",
    "carer_consent": "given",
    "consent_covers_sharing": True,
    "consent_given_by": "The child and their foster carer",
}


def draft_referral(
    cast: Cast,
    *,
    child: Child | None = None,
    referrer: User | None = None,
    yjs: Agency | None = None,
    complete: bool = False,
    consent: bool = True,
    **answers: Any,
) -> Referral:
    """A draft for a new child of Bristol (by default), empty unless `complete`."""
    referrer = referrer or cast.case_manager
    referral = referral_start(child=child or make_child(), referring_yjs=yjs or cast.bristol, actor=referrer)
    fields: dict[str, Any] = {}
    if complete:
        fields.update(COMPLETE_ANSWERS)
        if consent:
            fields.update(CONSENT, consent_date=timezone.localdate() - dt.timedelta(days=3))
    fields.update(answers)
    if fields:
        referral = referral_save_draft(referral=referral, actor=referrer, **fields)
    return referral


def submitted_referral(cast: Cast, **kwargs: Any) -> Referral:
    """A complete referral waiting for triage."""
    referral = draft_referral(cast, complete=True, **kwargs)
    return referral_submit(referral=referral, actor=referral.referrer)
