"""Consent over time: every time consent to share is given, refused or withdrawn, and every lawful basis to
continue sharing without it, as one append-only history per case (issue 17).

The current state of each purpose is the latest record that names it (`referrals.consent`); the access
module reads the same history in SQL to stop the network's view of the shared summary at once when the
latest record about sharing it is a withdrawal or a refusal (cases/access/consent.py). The referral's
consent is the first record of the case (backfilled by referrals/migrations/0003_consent_over_time.py,
written when triage opens the case after that).
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils import timezone

from accounts.history import history_tracked
from cases.models import Case


class ConsentKind(models.TextChoices):
    GIVEN = "given", "Consent given"
    REFUSED = "refused", "Consent refused"
    WITHDRAWN = "withdrawn", "Consent withdrawn"
    LAWFUL_BASIS = "lawful_basis", "Lawful basis to continue sharing"


# The kinds that stop what they name (the access module reads the same values: cases/access/consent.py).
STOPPING_KINDS = (ConsentKind.REFUSED, ConsentKind.WITHDRAWN)


class ConsentFrom(models.TextChoices):
    """Who gave, refused or withdrew it."""

    CHILD = "child", "The child"
    PARENT_CARER = "parent_carer", "A parent or carer"


class ConsentMethod(models.TextChoices):
    VERBAL = "verbal", "Verbally (in person or by phone)"
    WRITTEN = "written", "In writing (a letter, an email or a message)"
    SIGNED_FORM = "signed_form", "On a signed consent form"
    # Only the referral's consent, which never said how it was given (backfilled records).
    NOT_RECORDED = "not_recorded", "Not recorded (from the referral)"


class ConsentPurpose(models.TextChoices):
    SHARE_SUMMARY = "share_summary", "Sharing the case summary with the child's professional network"
    ECM_WORK = "ecm_work", "ECM's work with the child (consultation, formulation and reviews)"
    ASK_AGENCIES = "ask_agencies", "Asking other agencies for information about the child"


class LawfulBasis(models.TextChoices):
    SAFEGUARDING_CHILD = "safeguarding_child", "Safeguarding: the child is at risk of significant harm"
    SAFEGUARDING_OTHERS = "safeguarding_others", "Safeguarding: someone else is at risk of serious harm"


@history_tracked()
class ConsentRecord(models.Model):
    """One entry of a case's consent history. Never changed or deleted: a change is a new record."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="consent_records", db_index=False)
    kind = models.CharField(max_length=20, choices=ConsentKind.choices)
    purposes = ArrayField(models.CharField(max_length=20, choices=ConsentPurpose.choices), default=list)
    # Who gave, refused or withdrew it (blank for a lawful basis, which is the service's decision).
    given_by = models.CharField(max_length=20, choices=ConsentFrom.choices, blank=True)
    given_by_name = models.CharField("Their name", max_length=200, blank=True)
    method = models.CharField(max_length=20, choices=ConsentMethod.choices, blank=True)
    on = models.DateField("The date")
    basis = models.CharField(max_length=30, choices=LawfulBasis.choices, blank=True)
    explanation = models.TextField(blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)
    # The referral whose consent this record carries over (the case's first records).
    referral = models.ForeignKey(
        "referrals.Referral", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", db_index=False
    )

    class Meta:
        ordering = ["recorded_at", "pk"]
        # The latest record of a case first (the access module's and the page's one question).
        indexes = [models.Index(fields=["case", "-recorded_at", "-id"], name="consent_record_latest")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on case {self.case_id}"

    @property
    def is_lawful_basis(self) -> bool:
        return self.kind == ConsentKind.LAWFUL_BASIS

    @property
    def stops(self) -> bool:
        return self.kind in STOPPING_KINDS

    def purpose_labels(self) -> list[str]:
        return [ConsentPurpose(purpose).label for purpose in self.purposes]
