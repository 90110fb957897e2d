"""Hand-offs of transfers between services (core/handoffs.py), delivered as reminders: an in-app notification
and, as the person's preference says, an e-mail, once.

The services write them in their own transaction (cases/services/transfers.py); these sources say what each
means at delivery, after checking again that it still stands (an offer still pending and still theirs to
decide; a decision still visible to them). No message names a child: the case number and a link.
Registered from CasesConfig.ready().
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import QuerySet
from django.urls import reverse

from cases import access
from cases.access import Action
from cases.models import CaseTransfer, TransferStatus
from cases.services.transfers import TRANSFER_DECIDED, TRANSFER_OFFERED
from core.reminders import DueReminder, Message


class _TransferHandoff:
    subject_type = "case_transfer"
    preference = "send_email"
    kind = ""

    def due(self, today: dt.date) -> QuerySet[Any]:
        """Written by the services, never by the sweep (an empty query: the sweep inserts nothing)."""
        return CaseTransfer.objects.none()

    def _transfer(self, reminder: DueReminder) -> CaseTransfer | None:
        return (
            CaseTransfer.objects.select_related("case", "from_yjs", "to_yjs", "decided_by")
            .filter(pk=reminder.subject_id)
            .first()
        )


class TransferOffered(_TransferHandoff):
    """A case was offered to the recipient's service: they may accept or decline it."""

    kind = TRANSFER_OFFERED

    def message(self, reminder: DueReminder, today: dt.date) -> Message | None:
        transfer = self._transfer(reminder)
        if transfer is None or transfer.status != TransferStatus.PENDING:
            return None
        if not access.may_decide_transfer(reminder.recipient, transfer):
            return None
        return Message(
            title="A case was offered to your service",
            body=(
                f"{transfer.from_yjs.name} offered case {transfer.case_id} to {transfer.to_yjs.name}. "
                "Accept it, choosing who will hold it, or decline it with a reason."
            ),
            link=reverse("cases:transfer_detail", args=[transfer.pk]),
        )


class TransferDecided(_TransferHandoff):
    """An offer was accepted or declined: the person who offered it (and, on acceptance, the new holder) hear."""

    kind = TRANSFER_DECIDED

    def message(self, reminder: DueReminder, today: dt.date) -> Message | None:
        transfer = self._transfer(reminder)
        if transfer is None or transfer.status not in {TransferStatus.ACCEPTED, TransferStatus.DECLINED}:
            return None
        if not access.may(reminder.recipient, Action.VIEW_SUMMARY, transfer.case):
            return None
        if transfer.status == TransferStatus.ACCEPTED and transfer.new_holder_id == reminder.recipient_id:
            return Message(
                title="A case moved to your service and you hold it",
                body=f"Case {transfer.case_id} moved from {transfer.from_yjs.name} to {transfer.to_yjs.name}. "
                "You are its case holder.",
                link=transfer.case.get_absolute_url(),
            )
        if transfer.status == TransferStatus.ACCEPTED:
            return Message(
                title="Your offer of a case was accepted",
                body=f"{transfer.to_yjs.name} accepted the transfer of case {transfer.case_id}. Your service reads "
                "what it recorded for a while; the case is now theirs.",
                link=transfer.case.get_absolute_url(),
            )
        return Message(
            title="Your offer of a case was declined",
            body=f"{transfer.to_yjs.name} declined the transfer of case {transfer.case_id}. Their reason is on the "
            "case's transfer page.",
            link=reverse("cases:transfer_offer", args=[transfer.case_id]),
        )
