"""Authorization rows for transfers between services (issue 17): offering the case and withdrawing the offer (those
who may change it), the former service's page, the list, and an offer (the receiving service only)."""

from __future__ import annotations

from cases.models import CaseTransfer, TransferStatus
from cases.services.transfers import transfer_offer
from tests.authz.cases import FULL_RECORD_ONLY
from tests.authz.core import ANON, FULL_RECORD, INVISIBLE, Row, case_path
from tests.conftest import Cast


def _offer_to_banes(cast: Cast) -> str:
    """The cast's case offered to BANES, waiting (made again if a row's request decided it)."""
    pending = CaseTransfer.objects.filter(case=cast.case, status=TransferStatus.PENDING).first()
    pending = pending or transfer_offer(
        case=cast.case, actor=cast.case_manager, to_yjs=cast.banes, reason="Kai moved to live in Bath."
    )
    return f"/cases/transfers/{pending.pk}/"


# Nobody in the cast stands to the cast's case as its former service: those who see it are refused the page.
NOT_FORMER: dict[str, int | tuple[int, ...]] = {
    ANON: 302,
    **dict.fromkeys(FULL_RECORD, 403),
    "teacher": 403,
    **INVISIBLE,
}

ROWS: dict[str, Row] = {
    "cases:transfer_offer": Row(case_path("/cases/{case}/transfer/"), FULL_RECORD_ONLY),
    "cases:transfer_withdraw": Row(
        case_path("/cases/{case}/transfer/withdraw/"),
        {ANON: 302, **dict.fromkeys(FULL_RECORD, 302), "teacher": 403, **INVISIBLE},
        method="post",
    ),
    "cases:former_records": Row(case_path("/cases/{case}/recorded-by-your-service/"), NOT_FORMER),
    # The list is everyone's own (offers to their services, of the cases they change, cases that moved away).
    "cases:transfers": Row(lambda cast: "/cases/transfers/", {ANON: 302}, default=200),
    # An offer to BANES: BANES's case manager only; for everyone else it does not exist.
    "cases:transfer_detail": Row(_offer_to_banes, {ANON: 302, "banes_case_manager": 200}, default=404),
}
