"""The child and the ECM case. This is the minimal core the access module scopes; cases fill out later."""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.functions import Upper
from django.urls import reverse
from django.utils import timezone
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from accounts.history import history_tracked
from accounts.models import Agency
from cases.models.matching import DMetaphone
from core.documents.models import RenderedDocument


class Gender(models.TextChoices):
    GIRL = "girl", "Girl or young woman"
    BOY = "boy", "Boy or young man"
    NON_BINARY = "non_binary", "Non-binary"
    OTHER = "other", "Describes themselves another way"
    NOT_KNOWN = "not_known", "Not known"


class Ethnicity(models.TextChoices):
    """The five high-level groups of the 2021 census for England and Wales, plus not known."""

    ASIAN = "asian", "Asian or Asian British"
    BLACK = "black", "Black, Black British, Caribbean or African"
    MIXED = "mixed", "Mixed or multiple ethnic groups"
    WHITE = "white", "White"
    OTHER = "other", "Other ethnic group"
    NOT_KNOWN = "not_known", "Not known or not given"


class LookedAfter(models.TextChoices):
    NO = "no", "Not looked after"
    LOOKED_AFTER = "looked_after", "Looked after (in care)"
    CARE_LEAVER = "care_leaver", "Care leaver"
    NOT_KNOWN = "not_known", "Not known"


class LegalStatus(models.TextChoices):
    NONE = "none", "No current order"
    OUT_OF_COURT = "out_of_court", "Out-of-court disposal"
    REFERRAL_ORDER = "referral_order", "Referral order"
    YRO = "yro", "Youth rehabilitation order"
    CUSTODY = "custody", "Custody (detention and training order or longer)"
    REMAND = "remand", "On remand"
    POST_CUSTODY = "post_custody", "Licence or notice of supervision after custody"


@history_tracked()
class Child(models.Model):
    """One record per child, however many times they are referred: the story is told once."""

    given_name = models.CharField(max_length=100)
    family_name = models.CharField(max_length=100)
    date_of_birth = models.DateField()
    reference = models.CharField("NHS or local reference", max_length=40, blank=True)
    gender = models.CharField(max_length=20, choices=Gender.choices, default=Gender.NOT_KNOWN)
    ethnicity = models.CharField(max_length=20, choices=Ethnicity.choices, default=Ethnicity.NOT_KNOWN)
    looked_after = models.CharField(max_length=20, choices=LookedAfter.choices, default=LookedAfter.NOT_KNOWN)
    legal_status = models.CharField(
        "Legal status or order", max_length=20, choices=LegalStatus.choices, default=LegalStatus.NONE
    )
    address_area = models.CharField("Area the child lives in", max_length=100, blank=True)
    school = models.CharField("School, college or training", max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # Set when this record was merged into another of the same child (cases.services.merges).
    merged_into = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="+")

    class Meta:
        verbose_name_plural = "children"
        indexes = [
            models.Index(fields=["family_name", "given_name"]),
            # A reference is looked up ignoring case (`reference__iexact`: UPPER(reference) = UPPER(typed)).
            models.Index(Upper("reference"), name="child_reference_upper"),
            # Near-duplicates (cases/selectors/matching.py): names by trigrams and by sound, births by date.
            GinIndex(fields=["family_name"], opclasses=["gin_trgm_ops"], name="child_family_trgm"),
            GinIndex(fields=["given_name"], opclasses=["gin_trgm_ops"], name="child_given_trgm"),
            models.Index(DMetaphone("family_name"), name="child_family_sound"),
            models.Index(DMetaphone("given_name"), name="child_given_sound"),
            models.Index(fields=["date_of_birth"], name="child_birth"),
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return f"{self.given_name} {self.family_name}"

    @property
    def initials(self) -> str:
        return f"{self.given_name[:1]}{self.family_name[:1]}".upper()

    @property
    def is_looked_after(self) -> bool:
        return self.looked_after == LookedAfter.LOOKED_AFTER

    @property
    def is_care_leaver(self) -> bool:
        return self.looked_after == LookedAfter.CARE_LEAVER


class CaseStatus(models.TextChoices):
    OPEN = "open", "Open"
    CLOSED = "closed", "Closed"


class CaseKind(models.TextChoices):
    FORMULATION = "formulation", "Formulation"
    CONSULTATION = "consultation", "Consultation only"


DEFAULT_CONTACT_FREQUENCY_DAYS = 14
LONGEST_CONTACT_FREQUENCY_DAYS = 365


class ClosureReason(models.TextChoices):
    GOALS_MET = "goals_met", "Goals met: the network can carry on without ECM"
    ORDER_ENDED = "order_ended", "Order ended"
    MOVED_AWAY = "moved_away", "Child moved out of the area"
    DISENGAGED = "disengaged", "Child or family no longer engaging"
    TRANSFERRED = "transferred", "Transferred to another service"
    CUSTODY = "custody", "Child went into custody"
    OTHER = "other", "Other"


@history_tracked()
class Case(models.Model):
    """An ECM episode for a child, owned by the referring YJS and held by one named case manager."""

    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="cases")
    # No single-column indexes on these two: the composite indexes below start with them.
    owning_yjs = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="owned_cases", db_index=False)
    case_holder = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="held_cases", db_index=False
    )
    kind = models.CharField(max_length=20, choices=CaseKind.choices, default=CaseKind.FORMULATION)
    psychologist = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cases_as_psychologist",
    )
    senior_practitioner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cases_as_senior_practitioner",
    )
    status = models.CharField(max_length=20, choices=CaseStatus.choices, default=CaseStatus.OPEN)
    opened_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    closure_reason = models.CharField(max_length=20, choices=ClosureReason.choices, blank=True)
    outcome_summary = models.TextField(blank=True)
    ending_plan = models.TextField("Ending plan (safety net)", blank=True)
    # The child's TRM stage (1 to 6) as the latest assessment has it, kept by trm_stages' services so
    # lists and reports read it without a join; copied to `final_trm_stage` when the case closes.
    trm_stage = models.PositiveSmallIntegerField(null=True, blank=True)
    final_trm_stage = models.PositiveSmallIntegerField("Final TRM stage", null=True, blank=True)
    # Set when this case was merged into another record of the same child; its pages redirect there.
    merged_into = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    # How often the child should be seen or spoken to; the workboard counts a contact overdue after it.
    contact_frequency_days = models.PositiveSmallIntegerField(
        "Days between contacts",
        default=DEFAULT_CONTACT_FREQUENCY_DAYS,
        # In the table too, so bulk loads that name their columns (devtools' scale generator) need not know it.
        db_default=DEFAULT_CONTACT_FREQUENCY_DAYS,
        validators=[MinValueValidator(1), MaxValueValidator(LONGEST_CONTACT_FREQUENCY_DAYS)],
        help_text=(
            "How many days may pass between contacts with the child before a contact is overdue. "
            "Fourteen by default: ECM children are seen at least fortnightly."
        ),
    )

    class Meta:
        indexes = [
            models.Index(fields=["owning_yjs", "status"]),
            models.Index(fields=["case_holder", "status"]),
            # The case lists' order (newest first), for people who see most cases.
            models.Index(fields=["-opened_at", "-id"], name="case_list_newest"),
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
            ("log_consultation", "Log consultations on cases in scope"),
        ]

    def __str__(self) -> str:
        return f"Case {self.pk} ({self.child.initials})"

    def get_absolute_url(self) -> str:
        return reverse("cases:detail", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.status == CaseStatus.OPEN

    @property
    def is_closed(self) -> bool:
        return self.status == CaseStatus.CLOSED


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


@history_tracked()
class CaseHolderChange(models.Model):
    """Continuity: every change of case holder, with the reason. The first holder is recorded too."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="holder_changes")
    previous_holder = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    new_holder = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField()
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    changed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-changed_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.previous_holder} → {self.new_holder}"


@history_tracked()
class NetworkMember(models.Model):
    """A professional around the child: a user of ECM or a contact without an account."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="network")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="network_places"
    )
    name = models.CharField(max_length=200)
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    agency_name = models.CharField("Agency (if not on ECM)", max_length=200, blank=True)
    role = models.CharField("Role", max_length=200)
    email = models.EmailField("E-mail", blank=True)
    phone = models.CharField(max_length=40, blank=True)
    # Sharing grants the guardian object permission to the person (or, with no account, nobody).
    may_see_summary = models.BooleanField("May see the shared summary", default=False)
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    added_at = models.DateTimeField(auto_now_add=True)
    removed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "user"],
                condition=models.Q(removed_at__isnull=True, user__isnull=False),
                name="network_one_active_place_per_user",
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def agency_display(self) -> str:
        return self.agency.name if self.agency else self.agency_name


class ContactKind(models.TextChoices):
    FACE_TO_FACE = "face_to_face", "Face to face"
    PHONE = "phone", "Phone"
    VIDEO = "video", "Video"
    TEXT = "text", "Text message"
    HOME_VISIT = "home_visit", "Home visit"
    SCHOOL_VISIT = "school_visit", "School visit"
    DID_NOT_ATTEND = "did_not_attend", "Did not attend"
    CANCELLED = "cancelled", "Cancelled"


@history_tracked()
class Contact(models.Model):
    """One logged contact. The note is never rewritten: corrections are added beside it."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="contacts", db_index=False)
    occurred_at = models.DateTimeField("Date and time")
    kind = models.CharField("Type", max_length=20, choices=ContactKind.choices)
    with_whom = models.CharField("With whom", max_length=200)
    duration_minutes = models.PositiveIntegerField("Duration in minutes", null=True, blank=True)
    note = models.TextField()
    restricted = models.BooleanField(
        "Restricted note", default=False, help_text="Only the case holder and the ECM clinicians will see it."
    )
    # db_default too: the national-scale generator (devtools/scale) bulk-loads rows naming their columns.
    significant = models.BooleanField(
        "Significant event",
        default=False,
        db_default=False,
        help_text="Marked in the chronology, and kept by its filter.",
    )
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-occurred_at", "-pk"]
        indexes = [models.Index(fields=["case", "-occurred_at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on {self.occurred_at.day} {self.occurred_at:%b %Y}"


@history_tracked()
class ContactCorrection(models.Model):
    """An addition or correction to a contact note, with why it was needed; the original stays as it was."""

    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="corrections")
    text = models.TextField("Correction or addition")
    # Required for every new correction (cases.services.contact_correct); empty only on those made before it was asked.
    reason = models.TextField("Why the note needed correcting", blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["recorded_at", "pk"]

    def __str__(self) -> str:
        return f"Correction to contact {self.contact_id}"


@history_tracked()
class Rectification(models.Model):
    """The correction of a mistake in a child's details: which details, their values before and after,
    who corrected them, when, and the statement of why they were wrong.

    The child's record holds the corrected values; this row keeps the original beside the statement
    (the child's own history keeps every change too). Made from one of the child's cases; shown on all.
    """

    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="rectifications", db_index=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="+")
    # One entry per corrected detail: {"field", "label", "before", "after"}, the values as the page shows them.
    changes = models.JSONField()
    statement = models.TextField("Why the details were wrong")
    corrected_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    corrected_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-corrected_at", "-pk"]
        indexes = [models.Index(fields=["child", "-corrected_at"], name="rectification_child")]

    def __str__(self) -> str:
        return f"Correction to child {self.child_id} on {self.corrected_at.day} {self.corrected_at:%b %Y}"

    @property
    def labels(self) -> list[str]:
        return [str(change["label"]) for change in self.changes]


@history_tracked()
class Consultation(models.Model):
    """A psychologist's advice session for the practitioners on a case."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="consultations")
    held_on = models.DateField("Date")
    attendees = models.TextField("Who attended")
    question = models.TextField("The question brought")
    advice = models.TextField("Advice given")
    follow_up = models.TextField("Follow-up", blank=True)
    minutes_spent = models.PositiveIntegerField("Minutes spent")
    psychologist = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-held_on", "-pk"]

    def __str__(self) -> str:
        return f"Consultation on {self.held_on.day} {self.held_on:%b %Y}"


class Visibility(models.TextChoices):
    """Who may see a chronology entry, by the access action it needs."""

    SUMMARY = "view_summary", "Everyone who sees the case"
    FULL = "view", "Those who see the full record"
    RESTRICTED = "view_restricted", "Case holder and ECM clinicians"


class CaseEventKind(models.TextChoices):
    REFERRAL = "referral", "Referral"
    TRIAGE = "triage", "Triage"
    CONTACT = "contact", "Contact"
    CONSULTATION = "consultation", "Consultation"
    NETWORK = "network", "Network change"
    CASE_HOLDER = "case_holder", "Case holder change"
    MEETING = "meeting", "Meeting"
    STAGE = "stage", "TRM stage"
    OUTCOMES = "outcomes", "THRIVE grouping or goals"
    FORMULATION = "formulation", "Formulation report"
    REVIEW = "review", "Review"
    ACTION = "action", "Recommendation or action"
    STATUS = "status", "Case opened, closed or reopened"
    DOCUMENT = "document", "Document"
    OTHER = "other", "Other"


@history_tracked()
class CaseEvent(models.Model):
    """One line of the case's chronology. Every service appends here inside its own transaction."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="chronology", db_index=False)
    kind = models.CharField(max_length=20, choices=CaseEventKind.choices)
    occurred_at = models.DateTimeField()
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    summary = models.CharField(max_length=300)
    link = models.CharField(max_length=300, blank=True)
    visibility = models.CharField(max_length=20, choices=Visibility.choices, default=Visibility.FULL)
    # A significant event: tagged in the chronology and kept by its "significant only" filter. For a contact's
    # line it follows Contact.significant (cases.services.contacts.contact_mark_significant).
    significant = models.BooleanField(default=False, db_default=False)

    class Meta:
        ordering = ["-occurred_at", "-pk"]
        indexes = [
            models.Index(fields=["case", "-occurred_at", "-id"], name="case_event_timeline"),
            models.Index(
                fields=["case", "-occurred_at", "-id"],
                name="case_event_significant",
                condition=models.Q(significant=True),
            ),
        ]

    def __str__(self) -> str:
        return self.summary

    @property
    def is_restricted(self) -> bool:
        return self.visibility == Visibility.RESTRICTED


class CaseTally(models.Model):
    """How many contacts and chronology lines a case has, by what decides who sees them: kept by PostgreSQL
    triggers on those tables (migration 0011), however rows are written, moved or deleted, so the lists count
    a case's rows without counting them (issue 14; cases.tallies). No personal data: counts only.

    `what`: "contact" and "contact:restricted"; "event:" and the line's visibility."""

    # No foreign key: the triggers write here while a case's rows are being deleted with it.
    case_id = models.BigIntegerField()
    what = models.CharField(max_length=40)
    n = models.IntegerField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["case_id", "what"], name="case_tally_once")]

    def __str__(self) -> str:
        return f"Case {self.case_id}: {self.n} {self.what}"


@history_tracked()
class ChronologyDocument(RenderedDocument):
    """A PDF of a case's chronology as one person filtered it, made by the document pipeline (core/documents/).

    Only the person who asked downloads it, while they may still read the chronology; it shows the lines
    they may see when it is made (cases/documents.py).
    """

    file_directory = "cases/chronologies/"

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="+", db_index=False)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    # The filters of the chronology page when it was asked for (empty: not filtered).
    date_from = models.DateField(null=True, blank=True)
    date_to = models.DateField(null=True, blank=True)
    search = models.CharField(max_length=200, blank=True)
    kinds = ArrayField(models.CharField(max_length=20, choices=CaseEventKind.choices), default=list, blank=True)
    significant_only = models.BooleanField(default=False)

    class Meta:
        ordering = ["-requested_at", "-pk"]
        indexes = [models.Index(fields=["case", "requested_by", "-requested_at"], name="chronology_document_latest")]

    def __str__(self) -> str:
        return f"Chronology of case {self.case_id} for {self.requested_by_id}"


from cases.models.merges import CaseMerge as CaseMerge  # noqa: E402
from cases.models.transfers import CaseHolding as CaseHolding  # noqa: E402 - after the models it refers to
from cases.models.transfers import CaseTransfer as CaseTransfer  # noqa: E402
from cases.models.transfers import TransferStatus as TransferStatus  # noqa: E402
