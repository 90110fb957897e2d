"""People, agencies, roles and coverage, plus the access log. Who may see what is decided in access.py."""

from __future__ import annotations

import pgtrigger
from django.conf import settings
from django.contrib.auth.models import AbstractUser, Group
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.core.exceptions import ValidationError
from django.db import models

from accounts.history import history_tracked


class AgencyKind(models.TextChoices):
    YOUTH_JUSTICE = "yjs", "Youth justice service"
    ECM_TEAM = "ecm", "ECM team / forensic CAMHS"
    EDUCATION = "education", "Education"
    SOCIAL_CARE = "social_care", "Social care"
    HEALTH = "health", "Health"
    POLICE = "police", "Police"
    VOLUNTARY = "voluntary", "Voluntary sector"
    COMMISSIONER = "commissioner", "Commissioner"


PARTNER_KINDS = frozenset(
    {AgencyKind.EDUCATION, AgencyKind.SOCIAL_CARE, AgencyKind.HEALTH, AgencyKind.POLICE, AgencyKind.VOLUNTARY}
)


class Role(models.TextChoices):
    CASE_MANAGER = "case_manager", "Case manager"
    PSYCHOLOGIST = "psychologist", "Clinical psychologist"
    SENIOR_PRACTITIONER = "senior_practitioner", "Senior practitioner"
    PARTNER = "partner", "Partner professional"
    COMMISSIONER = "commissioner", "Commissioner"
    ADMINISTRATOR = "administrator", "Service administrator"
    # Invites, changes and deactivates the people of their own agency only; never sees case content.
    AGENCY_ADMINISTRATOR = "agency_administrator", "Agency administrator"


CLINICIAN_ROLES = frozenset({Role.PSYCHOLOGIST, Role.SENIOR_PRACTITIONER})

# Which kinds of agency each role can belong to. Administrators can sit in any agency.
ROLE_AGENCY_KINDS: dict[str, frozenset[str]] = {
    Role.CASE_MANAGER: frozenset({AgencyKind.YOUTH_JUSTICE}),
    Role.PSYCHOLOGIST: frozenset({AgencyKind.ECM_TEAM}),
    Role.SENIOR_PRACTITIONER: frozenset({AgencyKind.ECM_TEAM}),
    Role.PARTNER: PARTNER_KINDS | {AgencyKind.YOUTH_JUSTICE},
    Role.COMMISSIONER: frozenset({AgencyKind.COMMISSIONER}),
    Role.ADMINISTRATOR: frozenset(AgencyKind.values),
    Role.AGENCY_ADMINISTRATOR: frozenset(AgencyKind.values),
}

ADMINISTRATOR_ROLES = frozenset({Role.ADMINISTRATOR, Role.AGENCY_ADMINISTRATOR})


@history_tracked()
class Agency(models.Model):
    name = models.CharField(max_length=200, unique=True)
    kind = models.CharField(max_length=20, choices=AgencyKind.choices)
    # The group that guardian grants point at when a case is shared with this agency as a whole.
    group = models.OneToOneField(Group, on_delete=models.PROTECT, related_name="agency")
    is_active = models.BooleanField(default=True)
    # Partner professionals of this agency must sign in with a second factor (staff roles always must).
    partner_mfa_required = models.BooleanField("partners need a second factor", default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name_plural = "agencies"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


# Who changed a person and how is kept like case data; the password hash and sign-in times are left out.
@history_tracked(exclude=["password", "last_login"])
class User(AbstractUser):
    """A person who signs in. Everyone belongs to at least one agency through a membership."""

    email = models.EmailField("e-mail address", unique=True)
    job_title = models.CharField(max_length=200, blank=True)
    phone = models.CharField(max_length=40, blank=True)
    # Demo people (made by seed_demo) can never sign in where DEMO_LOGINS_ALLOWED is off.
    is_demo = models.BooleanField(default=False)

    REQUIRED_FIELDS = ["email"]

    class Meta:
        ordering = ["last_name", "first_name"]
        permissions = [
            ("manage_people", "Invite, change, deactivate and reactivate people"),
            ("manage_service", "Manage agencies, coverage and commissioning across the service"),
        ]

    def __str__(self) -> str:
        return self.get_full_name() or self.username


@history_tracked()
class Membership(models.Model):
    """A person's role in one agency. Adding one also puts the person in the role's group."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships", db_index=False
    )
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="memberships", db_index=False)
    role = models.CharField(max_length=30, choices=Role.choices)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "agency", "role"], name="membership_unique_role")]
        indexes = [models.Index(fields=["agency", "role"])]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()}, {self.agency}"

    def clean(self) -> None:
        if self.agency_id and self.agency.kind not in ROLE_AGENCY_KINDS[self.role]:
            raise ValidationError(
                {"role": f"A {self.get_role_display().lower()} cannot belong to a {self.agency.get_kind_display()}."}
            )


@history_tracked()
class Coverage(models.Model):
    """Which youth justice services an ECM clinician covers: they see and work those services' cases."""

    clinician = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="coverage", db_index=False
    )
    yjs = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="covered_by")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name_plural = "coverage"
        constraints = [models.UniqueConstraint(fields=["clinician", "yjs"], name="coverage_unique")]

    def __str__(self) -> str:
        return f"{self.clinician} covers {self.yjs}"

    def clean(self) -> None:
        if self.yjs_id and self.yjs.kind != AgencyKind.YOUTH_JUSTICE:
            raise ValidationError({"yjs": "Only a youth justice service can be covered."})
        if (
            self.clinician_id
            and not self.clinician.memberships.filter(role__in=CLINICIAN_ROLES, is_active=True).exists()
        ):
            raise ValidationError({"clinician": "Only an ECM psychologist or senior practitioner covers a service."})


@history_tracked()
class Commissioning(models.Model):
    """A commissioning body funds ECM for a youth justice service, so its commissioners see that service's figures.

    Kept here, beside coverage, because the access module reads it to decide which services a
    commissioner may report on (cases.access.reportable_agencies); reporting manages the lines.
    """

    commissioner_agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, related_name="commissions", db_index=False
    )
    yjs = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="commissioned_by")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["commissioner_agency", "yjs"]
        constraints = [
            models.UniqueConstraint(fields=["commissioner_agency", "yjs"], name="commissioning_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.commissioner_agency} commissions ECM for {self.yjs}"

    def clean(self) -> None:
        if self.commissioner_agency_id and self.commissioner_agency.kind != AgencyKind.COMMISSIONER:
            raise ValidationError({"commissioner_agency": "Only a commissioning body commissions a service."})
        if self.yjs_id and self.yjs.kind != AgencyKind.YOUTH_JUSTICE:
            raise ValidationError({"yjs": "Only a youth justice service is commissioned."})


class AccessAction(models.TextChoices):
    VIEW = "view", "Viewed"
    DOWNLOAD = "download", "Downloaded"
    EXPORT = "export", "Exported"
    SEARCH = "search", "Searched"
    DENIED = "denied", "Was refused"


class AccessEvent(models.Model):
    """One read of a record, written by the access module itself. Append-only in the database."""

    at = models.DateTimeField(auto_now_add=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="access_events", db_index=False
    )
    action = models.CharField(max_length=20, choices=AccessAction.choices)
    record_type = models.CharField(max_length=100)
    record_id = models.CharField(max_length=64, blank=True)
    # A plain column, not a foreign key: accounts sits below cases, and the log outlives any record.
    case_id = models.BigIntegerField(null=True, blank=True)
    description = models.CharField(max_length=300, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)
    path = models.CharField(max_length=500, blank=True)
    # A list page (caseload, search results, triage queue...) writes one event naming every case it
    # showed (accounts.audit.list_view_record); a case's log finds them through the GIN index
    # (case_ids @> ARRAY[id]). Referrals shown before they have a case are named in referral_ids.
    case_ids = ArrayField(models.BigIntegerField(), default=list, db_default=[], blank=True)
    referral_ids = ArrayField(models.BigIntegerField(), default=list, db_default=[], blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        # No add/change/delete permissions exist for the log: it is written only by the access path.
        default_permissions = ()
        permissions = [("read_access_log", "Read the whole access log")]
        # The whole log is read newest first a page at a time (keyset paging on at, id); one case's
        # log and one person's by case_id or user first. No single-column index the others cover.
        indexes = [
            models.Index(fields=["-at", "-id"], name="access_event_newest"),
            models.Index(fields=["case_id", "-at"]),
            models.Index(fields=["user", "-at"]),
            GinIndex(fields=["case_ids"], name="access_event_case_ids"),
        ]
        triggers = [
            pgtrigger.Protect(name="access_event_append_only", operation=pgtrigger.Update | pgtrigger.Delete),
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.get_action_display().lower()} {self.record_type} {self.record_id}"


from accounts.api_tokens import ApiToken  # noqa: E402, F401 - the API's tokens (issue 19), in their own module
