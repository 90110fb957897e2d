"""The subject access pack's section about consent to share (data_rights/pack.py): every consent record of the
child's cases, the referral's first records, withdrawals and lawful bases to continue sharing included."""

from __future__ import annotations

from typing import Any

from data_rights.pack_values import pack_day, pack_moment, pack_person
from referrals.consent_models import ConsentRecord


def consent_section(case_ids: list[int]) -> list[dict[str, Any]]:
    records = (
        ConsentRecord.objects.filter(case_id__in=case_ids)
        .select_related("recorded_by")
        .order_by("case_id", "recorded_at", "pk")
    )
    return [
        {
            "id": record.pk,
            "case_id": record.case_id,
            "kind": record.get_kind_display(),
            "purposes": record.purpose_labels(),
            "given_by": record.get_given_by_display() if record.given_by else "",
            "given_by_name": record.given_by_name,
            "method": record.get_method_display() if record.method else "",
            "on": pack_day(record.on),
            "lawful_basis": record.get_basis_display() if record.basis else "",
            "explanation": record.explanation,
            "recorded_by": pack_person(record.recorded_by),
            "recorded_at": pack_moment(record.recorded_at),
        }
        for record in records
    ]
