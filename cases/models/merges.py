"""Merging two records of the same child: the audit of each merge, kept so that it can be explained later.

The merged child and case stay in the database, marked with `merged_into` (cases/models/__init__.py), and
their pages redirect to the surviving record; `CaseMerge` keeps who merged them, when, why, the value
chosen for each differing field and the ids of every record that moved (cases/services/merges.py).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone

from accounts.history import history_tracked


@history_tracked()
class CaseMerge(models.Model):
    """One merge: `merged_case` (and its child) folded into `survivor`, by a senior practitioner, with a reason."""

    # Indexed by `case_merge_survivor` (survivor, -merged_at).
    survivor = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="merges_received", db_index=False)
    merged_case = models.OneToOneField("cases.Case", on_delete=models.PROTECT, related_name="merge_as_merged")
    survivor_child = models.ForeignKey("cases.Child", on_delete=models.PROTECT, related_name="+")
    # The merged child; the same as `survivor_child` when both cases were already the one child's.
    merged_child = models.ForeignKey("cases.Child", on_delete=models.PROTECT, related_name="+")
    reason = models.TextField("Why these are the same child")
    # One entry per differing field: {"record": "child"|"case", "field", "label", "survivor", "merged",
    # "chosen": "survivor"|"merged", "value"}; values as the page showed them.
    choices = models.JSONField(default=list)
    # What moved, by model label: {"formulation.Meeting": [ids], ...}; and what needed a decision
    # (duplicates dropped, versions renumbered, records left with the merged case) as plain sentences.
    moved = models.JSONField(default=dict)
    notes = models.JSONField(default=list)
    merged_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    merged_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-merged_at", "-pk"]
        indexes = [models.Index(fields=["survivor", "-merged_at"], name="case_merge_survivor")]
        permissions = [("merge_case_records", "Merge two records of the same child in covered services")]

    def __str__(self) -> str:
        return f"Case {self.merged_case_id} merged into case {self.survivor_id}"

    def get_absolute_url(self) -> str:
        return reverse("cases:merge_detail", args=[self.survivor_id, self.pk])

    @property
    def moved_count(self) -> int:
        return sum(len(ids) for ids in self.moved.values())
