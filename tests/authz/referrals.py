"""Authorization rows for the referrals app's URLs (see tests/authz/core.py for the Row type and the cast).

The matrix calls a row's path once per person, so the referrals a row needs are made once per
cast and kept on it (`_referral`). POST rows send an empty form: the people allowed get the
form back with its errors (200, or 400 for the autosave) and nothing changes, so every person
meets the same referral in the same state.
"""

from __future__ import annotations

from collections.abc import Callable

from referrals.models import Referral
from tests.authz.core import ANON, Row
from tests.conftest import Cast
from tests.referrals.helpers import draft_referral, submitted_referral

Expected = dict[str, int | tuple[int, ...]]

CASE_MANAGERS: Expected = {"case_manager": 200, "colleague": 200, "banes_case_manager": 200}
CLINICIANS: Expected = {"psychologist": 200, "senior_practitioner": 200}
# A Bristol draft: Bristol's case managers only. Clinicians do not see drafts.
BRISTOL_DRAFT: Expected = {
    ANON: 302,
    "case_manager": 200,
    "colleague": 200,
    "banes_case_manager": 404,
    "psychologist": 404,
    "senior_practitioner": 404,
    "teacher": 404,
    "social_worker": 404,
    "commissioner": 404,
    "administrator": 404,
}
# A submitted Bristol referral: Bristol's case managers and the covering clinicians.
SUBMITTED: Expected = {**BRISTOL_DRAFT, **CLINICIANS}


def _referral(cast: Cast, state: str) -> Referral:
    made: dict[str, Referral] = cast.__dict__.setdefault("_authz_referrals", {})
    if state not in made:
        if state == "draft":
            made[state] = draft_referral(cast)
        elif state == "draft_without_consent":
            made[state] = draft_referral(cast, complete=True, consent=False)
        else:
            made[state] = submitted_referral(cast)
    return made[state]


def referral_path(path: str, state: str) -> Callable[[Cast], str]:
    return lambda cast: path.format(referral=_referral(cast, state).pk)


ROWS: dict[str, Row] = {
    "referrals:mine": Row(lambda cast: "/referrals/", {ANON: 302, **CASE_MANAGERS}, default=403),
    "referrals:start": Row(lambda cast: "/referrals/new/", {ANON: 302, **CASE_MANAGERS}, default=403),
    "referrals:triage_queue": Row(lambda cast: "/referrals/triage/", {ANON: 302, **CLINICIANS}, default=403),
    "referrals:detail": Row(referral_path("/referrals/{referral}/", "submitted"), SUBMITTED),
    "referrals:section": Row(referral_path("/referrals/{referral}/reasons/", "draft"), BRISTOL_DRAFT),
    "referrals:check": Row(referral_path("/referrals/{referral}/check/", "draft"), BRISTOL_DRAFT),
    # Submitting an incomplete draft shows what is missing: 200, and the draft stays a draft.
    "referrals:submit": Row(referral_path("/referrals/{referral}/submit/", "draft"), BRISTOL_DRAFT, method="post"),
    # No section named: 400 for the people who may edit; a plain 401 (never a redirect) when signed out.
    "referrals:autosave": Row(
        referral_path("/referrals/{referral}/autosave/", "draft"),
        {**BRISTOL_DRAFT, ANON: 401, "case_manager": 400, "colleague": 400},
        method="post",
    ),
    # The override reaches drafts for the covering team; only senior practitioners may record it.
    "referrals:consent_override": Row(
        referral_path("/referrals/{referral}/consent-override/", "draft_without_consent"),
        {
            ANON: 302,
            "case_manager": 403,
            "colleague": 403,
            "banes_case_manager": 404,
            "psychologist": 403,
            "senior_practitioner": 200,
            "teacher": 404,
            "social_worker": 404,
            "commissioner": 404,
            "administrator": 404,
        },
    ),
    # An empty decision: the form comes back with its errors for the covering clinicians.
    "referrals:triage": Row(
        referral_path("/referrals/{referral}/decision/", "submitted"),
        {**SUBMITTED, "case_manager": 403, "colleague": 403},
        method="post",
    ),
}
