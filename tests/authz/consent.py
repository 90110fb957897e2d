"""Authorization rows for consent over time on a case (issue 17; referrals/consent_views.py). See tests/authz/core.py
for the Row type and the cast.

On the cast's case, where nothing is withdrawn: those who may change the case record consent and withdrawals (the
teacher, who sees the shared summary, may not); only a covering senior practitioner reaches the lawful basis form
(it says no basis is needed while sharing has not stopped). What a withdrawal does to everyone else's access is
tested in tests/referrals/test_consent_matrix.py.
"""

from __future__ import annotations

from tests.authz.core import ANON, FULL_RECORD, INVISIBLE, Row, case_path

RECORDERS: dict[str, int | tuple[int, ...]] = {ANON: 302, **FULL_RECORD, "teacher": 403, **INVISIBLE}

ROWS: dict[str, Row] = {
    "referrals:consent_record": Row(case_path("/referrals/cases/{case}/consent/record/"), RECORDERS),
    "referrals:consent_withdraw": Row(case_path("/referrals/cases/{case}/consent/withdraw/"), RECORDERS),
    "referrals:consent_lawful_basis": Row(
        case_path("/referrals/cases/{case}/consent/lawful-basis/"),
        {ANON: 302, **dict.fromkeys(FULL_RECORD, 403), "senior_practitioner": 200, "teacher": 403, **INVISIBLE},
    ),
}
