"""Moving a case between youth justice services (issue 17): the offer, its decision, and which service
held the case when.

A service offers a case to another youth justice service (`CaseTransfer`, pending); the receiving service
accepts it (choosing a holder from its own case managers) or declines it with a reason; the offering
service may withdraw it while it is pending. At most one offer per case is pending (a partial unique
constraint). Accepting moves the case (cases/services/transfers.py).

`CaseHolding` is the case's holding history: one row per spell with a service, the current one open
(`ended_at` null). Every case has one from the moment it is made: a database trigger (written by
cases/migrations/0008_transfers.py) adds the first spell when a case row is inserted, however it is
inserted (the services, the factories, the scale generator's bulk load). The first spell starts with the
case (`started_at` null: read as the case's `opened_at`, so a corrected opening date follows). Reports
count a case in each service for the days of its spells there (reporting/queries/statements.py), and
the access module lets a former service read what it wrote for ECM_TRANSFER_READ_DAYS after its spell
ended (cases/access/former.py).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from accounts.history import history_tracked
from accounts.models import Agency
from cases.models import Case


class TransferStatus(models.TextChoices):
    PENDING = "pending", "Waiting for a decision"
    ACCEPTED = "accepted", "Accepted"
    DECLINED = "declined", "Declined"
    WITHDRAWN = "withdrawn", "Withdrawn"


@history_tracked()
class CaseTransfer(models.Model):
    """One offer of a case to another youth justice service, and what became of it."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="transfers")
    from_yjs = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="transfers_offered")
    # Indexed by `case_transfer_to` (to_yjs, status).
    to_yjs = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="transfers_received", db_index=False)
    status = models.CharField(max_length=20, choices=TransferStatus.choices, default=TransferStatus.PENDING)
    reason = models.TextField("Why the case should move")
    note = models.TextField("Note for the receiving service", blank=True)
    offered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    offered_at = models.DateTimeField()
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decline_reason = models.TextField("Why the offer was declined", blank=True)
    # The receiving service's case manager who holds the case once it is accepted.
    new_holder = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-offered_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["case"], condition=models.Q(status="pending"), name="case_transfer_one_pending"
            )
        ]
        indexes = [models.Index(fields=["to_yjs", "status"], name="case_transfer_to")]

    def __str__(self) -> str:
        return f"Transfer of case {self.case_id} to {self.to_yjs_id} ({self.status})"

    @property
    def is_pending(self) -> bool:
        return self.status == TransferStatus.PENDING


@history_tracked()
class CaseHolding(models.Model):
    """One spell of a case with a youth justice service: from (null: since the case opened) to (null: now)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="holdings", db_index=False)
    agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, related_name="+", db_index=False
    )  # case_holding_agency
    started_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    transfer = models.ForeignKey(
        CaseTransfer, on_delete=models.PROTECT, null=True, blank=True, related_name="+", db_index=False
    )

    class Meta:
        ordering = ["case", "started_at", "pk"]
        indexes = [
            models.Index(fields=["case", "ended_at"], name="case_holding_case"),
            # The former service's read access and the reports: spells of a service by when they ended.
            models.Index(fields=["agency", "ended_at"], name="case_holding_agency"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["case"], condition=models.Q(ended_at__isnull=True), name="case_holding_one_current"
            )
        ]

    def __str__(self) -> str:
        return f"Case {self.case_id} with {self.agency_id}"
