"""Demo transfer between services (issue 17): Jay Pemberton's case offered by Bristol YJS to BANES YJS, waiting
for BANES's decision (Tom Hartley sees it under "Transfers"). Made through the service, once."""

from __future__ import annotations

from accounts.models import Agency, User
from cases.models import Case, CaseStatus, CaseTransfer
from cases.services.transfers import transfer_offer

JAY_REFERENCE = "LOC-100234"


def demo_transfers(*, agencies: dict[str, Agency], people: dict[str, User]) -> None:
    """Called from devtools/demo/seed.py after the children's stories; running it again changes nothing."""
    case = Case.objects.filter(child__reference=JAY_REFERENCE, status=CaseStatus.OPEN).order_by("pk").first()
    if case is None or CaseTransfer.objects.filter(case=case).exists():
        return
    transfer_offer(
        case=case,
        actor=people["colleague"],
        to_yjs=agencies["BANES YJS"],
        reason="Jay has moved to live with his grandmother in Bath and starts at a school there next month.",
        note="His grandmother is happy to be contacted. Jay prefers appointments after school.",
    )
