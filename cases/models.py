"""The child and the ECM case. This is the minimal core the access module scopes; cases fill out later."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from accounts.history import history_tracked
from accounts.models import Agency


@history_tracked()
class Child(models.Model):
    """One record per child, however many times they are referred: the story is told once."""

    given_name = models.CharField(max_length=100)
    family_name = models.CharField(max_length=100)
    date_of_birth = models.DateField()
    reference = models.CharField("NHS or local reference", max_length=40, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name_plural = "children"
        indexes = [models.Index(fields=["family_name", "given_name"]), models.Index(fields=["reference"])]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return f"{self.given_name} {self.family_name}"

    @property
    def initials(self) -> str:
        return f"{self.given_name[:1]}{self.family_name[:1]}".upper()


class CaseStatus(models.TextChoices):
    OPEN = "open", "Open"
    CLOSED = "closed", "Closed"


@history_tracked()
class Case(models.Model):
    """An ECM episode for a child, owned by the referring YJS and held by one named case manager."""

    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="cases")
    owning_yjs = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="owned_cases")
    case_holder = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="held_cases"
    )
    status = models.CharField(max_length=20, choices=CaseStatus.choices, default=CaseStatus.OPEN)
    opened_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [
            models.Index(fields=["owning_yjs", "status"]),
            models.Index(fields=["case_holder", "status"]),
        ]
        # Role capabilities (held by the role groups) and the one object-level grant (guardian).
        # None of these is ever granted to a user or group at model level except through the role
        # groups, and `view_case_summary` is only ever granted per case.
        permissions = [
            ("read_case_record", "Read child details, referral and contacts of cases in scope"),
            ("write_case_record", "Change child details, referral and contacts of cases in scope"),
            ("read_restricted_notes", "Read restricted notes of cases in scope"),
            ("read_case_access_log", "See who looked at cases in scope"),
            ("view_case_summary", "See the shared summary of one case (object permission only)"),
        ]

    def __str__(self) -> str:
        return f"Case {self.pk} ({self.child.initials})"

    def get_absolute_url(self) -> str:
        return reverse("cases:detail", args=[self.pk])


@history_tracked()
class CaseUserObjectPermission(UserObjectPermissionBase):
    """Guardian's direct foreign-key grant of a case permission to one named professional."""

    content_object = models.ForeignKey(Case, on_delete=models.CASCADE)

    class Meta(UserObjectPermissionBase.Meta):
        pass


@history_tracked()
class CaseGroupObjectPermission(GroupObjectPermissionBase):
    """Guardian's direct foreign-key grant of a case permission to an agency's group."""

    content_object = models.ForeignKey(Case, on_delete=models.CASCADE)

    class Meta(GroupObjectPermissionBase.Meta):
        pass
