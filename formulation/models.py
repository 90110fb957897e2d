"""Multi-agency meetings (formulation meetings now, review meetings later) and their invitations.

A meeting is the same thing whatever its purpose: a time, a place or video link, an organiser,
the people invited and whether they came. Scheduling, invitations, calendar files and attendance
live in formulation/services/meetings.py and formulation/ics.py, so the reviews app uses the same code.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.urls import reverse

from accounts.history import history_tracked
from accounts.models import Agency
from cases.models import Case, NetworkMember
from core.documents.models import RenderedDocument


class MeetingPurpose(models.TextChoices):
    FORMULATION = "formulation", "Formulation meeting"
    REVIEW = "review", "Review meeting"


class MeetingStatus(models.TextChoices):
    SCHEDULED = "scheduled", "Scheduled"
    CANCELLED = "cancelled", "Cancelled"
    HELD = "held", "Held"


class Attendance(models.TextChoices):
    NOT_RECORDED = "not_recorded", "Not recorded"
    ATTENDED = "attended", "Attended"
    APOLOGIES = "apologies", "Sent apologies"
    DID_NOT_ATTEND = "did_not_attend", "Did not attend"


@history_tracked()
class Meeting(models.Model):
    """One multi-agency meeting about a case. Every change that reaches calendars raises `sequence`."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="meetings", db_index=False)
    purpose = models.CharField(max_length=20, choices=MeetingPurpose.choices)
    starts_at = models.DateTimeField("Starts")
    ends_at = models.DateTimeField("Ends")
    location = models.CharField("Place", max_length=300, blank=True)
    video_link = models.URLField("Video link", max_length=500, blank=True)
    organiser = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", db_index=False)
    status = models.CharField(max_length=20, choices=MeetingStatus.choices, default=MeetingStatus.SCHEDULED)
    notes = models.TextField("Notes of the meeting", blank=True)
    cancel_reason = models.TextField("Reason for cancelling", blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    held_recorded_at = models.DateTimeField(null=True, blank=True)
    # The calendar identity: the same UID in every invitation, update and cancellation.
    ics_uid = models.CharField(max_length=200, unique=True)
    sequence = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-starts_at", "-pk"]
        indexes = [
            models.Index(fields=["case", "-starts_at"], name="meeting_case_timeline"),
            models.Index(fields=["organiser", "status", "starts_at"], name="meeting_organiser_upcoming"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")), name="meeting_ends_after_start"
            ),
            models.CheckConstraint(
                condition=~models.Q(location="") | ~models.Q(video_link=""), name="meeting_has_place_or_video"
            ),
        ]
        permissions = [
            (
                "schedule_meeting",
                "Schedule, change and cancel meetings, invite people and record attendance on cases in scope",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_purpose_display()} on {self.starts_at.day} {self.starts_at:%b %Y}"

    def get_absolute_url(self) -> str:
        return reverse("formulation:meeting_detail", args=[self.case_id, self.pk])

    @property
    def is_scheduled(self) -> bool:
        return self.status == MeetingStatus.SCHEDULED

    @property
    def is_held(self) -> bool:
        return self.status == MeetingStatus.HELD

    @property
    def is_cancelled(self) -> bool:
        return self.status == MeetingStatus.CANCELLED


@history_tracked()
class Invitation(models.Model):
    """One person invited to a meeting: from the network, the case team, or added by name and e-mail."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="invitations")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="meeting_invitations",
        db_index=False,
    )
    network_member = models.ForeignKey(
        NetworkMember, on_delete=models.SET_NULL, null=True, blank=True, related_name="meeting_invitations"
    )
    name = models.CharField(max_length=200)
    email = models.EmailField("E-mail")
    role = models.CharField(max_length=200, blank=True)
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    agency_name = models.CharField("Agency (if not on ECM)", max_length=200, blank=True)
    attendance = models.CharField(max_length=20, choices=Attendance.choices, default=Attendance.NOT_RECORDED)
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    invited_at = models.DateTimeField(auto_now_add=True)
    removed_at = models.DateTimeField(null=True, blank=True)
    # The version of the meeting this person's calendar last received, and whether the last e-mail failed.
    last_sent_sequence = models.PositiveIntegerField(null=True, blank=True)
    last_sent_at = models.DateTimeField(null=True, blank=True)
    send_failed = models.BooleanField(default=False)

    class Meta:
        ordering = ["name", "pk"]
        indexes = [models.Index(fields=["user", "meeting"], name="invitation_user_meeting")]
        constraints = [
            models.UniqueConstraint(
                Lower("email"),
                "meeting",
                condition=models.Q(removed_at__isnull=True),
                name="invitation_one_current_per_email",
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} to {self.meeting}"

    @property
    def agency_display(self) -> str:
        return self.agency.name if self.agency else self.agency_name

    @property
    def attended(self) -> bool:
        return self.attendance == Attendance.ATTENDED

    @property
    def sent_apologies(self) -> bool:
        return self.attendance == Attendance.APOLOGIES

    @property
    def did_not_attend(self) -> bool:
        return self.attendance == Attendance.DID_NOT_ATTEND


# --- Formulation reports --------------------------------------------------------------------------


class ReportStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    IN_REVIEW = "in_review", "In review"
    SIGNED_OFF = "signed_off", "Signed off"


# The report's sections in the order DESIGN.md gives them: (field name, heading, guidance for the author).
REPORT_SECTIONS: list[tuple[str, str, str]] = [
    ("reason_for_referral", "Reason for referral", "Why the child was referred to ECM, in brief."),
    ("childs_story", "The child's story", "The child's history and experiences, as the network understands them."),
    ("presenting_behaviour", "Presenting behaviour", "What the network sees now, and where and when."),
    ("underlying_needs", "Underlying needs", "The needs the behaviour may be meeting or signalling."),
    ("presenting_factors", "Presenting factors", "The five Ps: what the problem is now."),
    ("predisposing_factors", "Predisposing factors", "The five Ps: what made the child vulnerable."),
    ("precipitating_factors", "Precipitating factors", "The five Ps: what triggered the current difficulties."),
    ("perpetuating_factors", "Perpetuating factors", "The five Ps: what keeps the difficulties going."),
    ("protective_factors", "Protective factors", "The five Ps: what helps and protects."),
    ("childs_voice", "The child's own voice and goals", "What the child says about their life and what they want."),
    ("strengths", "Strengths", "The child's strengths and interests, and those of the people around them."),
    ("trm_rationale", "TRM stage and rationale", "The stage the child is at and why, with the evidence."),
]
REPORT_SECTION_FIELDS = [name for name, _, _ in REPORT_SECTIONS]
SECTION_HEADINGS = {name: heading for name, heading, _ in REPORT_SECTIONS}
# Where a reviewer's comment can point: a section, the summary, the recommendations, or "" (the whole).
COMMENT_PLACES: dict[str, str] = {
    **SECTION_HEADINGS,
    "child_friendly_summary": "Child-friendly summary",
    "recommendations": "Recommendations",
}
# A version being written: at most one per case; a signed-off version is locked.
OPEN_STATUSES = (ReportStatus.DRAFT, ReportStatus.IN_REVIEW)


@history_tracked()
class FormulationReport(models.Model):
    """One version of a case's formulation report. Re-formulation starts a new version from the last.

    `revision` rises with every save: a save names the revision it was edited from, and a save from
    an older revision is a conflict (two editors never overwrite each other silently).
    """

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="formulation_reports", db_index=False)
    version = models.PositiveIntegerField()
    based_on = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    meeting = models.ForeignKey(Meeting, on_delete=models.SET_NULL, null=True, blank=True, related_name="reports")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=20, choices=ReportStatus.choices, default=ReportStatus.DRAFT)
    revision = models.PositiveIntegerField(default=1)
    reason_for_referral = models.TextField(blank=True)
    childs_story = models.TextField(blank=True)
    presenting_behaviour = models.TextField(blank=True)
    underlying_needs = models.TextField(blank=True)
    presenting_factors = models.TextField(blank=True)
    predisposing_factors = models.TextField(blank=True)
    precipitating_factors = models.TextField(blank=True)
    perpetuating_factors = models.TextField(blank=True)
    protective_factors = models.TextField(blank=True)
    childs_voice = models.TextField(blank=True)
    strengths = models.TextField(blank=True)
    trm_stage = models.PositiveSmallIntegerField("TRM stage", null=True, blank=True)
    trm_rationale = models.TextField(blank=True)
    # Written for the child and family in plain words; shown and printed on its own.
    child_friendly_summary = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    submitted_for_review_at = models.DateTimeField(null=True, blank=True)
    signed_off_at = models.DateTimeField(null=True, blank=True)
    signed_off_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["case", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["case", "version"], name="report_unique_version"),
            # One version at a time is being written: a new one starts only from a signed-off one.
            models.UniqueConstraint(
                fields=["case"], condition=~models.Q(status="signed_off"), name="report_one_open_version"
            ),
        ]
        permissions = [
            ("write_formulation_report", "Write formulation reports on cases in scope"),
            ("read_report_drafts", "Read formulation reports before they are signed off, on cases in scope"),
            ("review_formulation_report", "Comment on and sign off formulation reports on cases in scope"),
        ]

    def __str__(self) -> str:
        return f"Formulation report, version {self.version}"

    def get_absolute_url(self) -> str:
        return reverse("formulation:report_detail", args=[self.case_id, self.pk])

    @property
    def is_locked(self) -> bool:
        return self.status == ReportStatus.SIGNED_OFF

    @property
    def is_draft(self) -> bool:
        return self.status == ReportStatus.DRAFT

    @property
    def is_in_review(self) -> bool:
        return self.status == ReportStatus.IN_REVIEW


@history_tracked()
class ReportComment(models.Model):
    """A reviewer's comment on a report in review (a senior practitioner or a second psychologist)."""

    report = models.ForeignKey(FormulationReport, on_delete=models.CASCADE, related_name="comments")
    section = models.CharField(max_length=40, blank=True)  # a REPORT_SECTIONS field name, or blank for the whole
    text = models.TextField()
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"Comment by {self.author_id} on {self.report}"


class ActionStatus(models.TextChoices):
    NOT_STARTED = "not_started", "Not started"
    IN_PROGRESS = "in_progress", "In progress"
    DONE = "done", "Done"
    NO_LONGER_NEEDED = "no_longer_needed", "No longer needed"


OPEN_ACTION_STATUSES = (ActionStatus.NOT_STARTED, ActionStatus.IN_PROGRESS)


@history_tracked()
class Recommendation(models.Model):
    """A recommendation of the report; once the report is signed off it is a trackable action.

    `suits_from_stage` is the lowest TRM stage it suits; when that is above the child's stage at the
    time of writing, `justification` says why it is recommended now (trm_stages.sequencing decides).
    Reviews add progress to it (status and dated notes) and add actions of their own.
    """

    # Blank for an action a review adds (reviews/ links it to its review).
    report = models.ForeignKey(
        FormulationReport, on_delete=models.CASCADE, null=True, blank=True, related_name="recommendations"
    )
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="recommendations", db_index=False)
    position = models.PositiveSmallIntegerField(default=0)
    text = models.TextField()
    intervention_type = models.ForeignKey(
        "trm_stages.InterventionType", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    suits_from_stage = models.PositiveSmallIntegerField("Lowest TRM stage it suits")
    justification = models.TextField(blank=True)
    sequencing_warning = models.CharField(max_length=400, blank=True)  # as shown when it was saved
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="owned_recommendations",
        db_index=False,
    )
    owner_name = models.CharField(max_length=200, blank=True)
    owner_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    owner_agency_name = models.CharField(max_length=200, blank=True)
    due_on = models.DateField()
    status = models.CharField(max_length=20, choices=ActionStatus.choices, default=ActionStatus.NOT_STARTED)
    became_action_at = models.DateTimeField(null=True, blank=True)  # the report's sign-off
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["report", "position", "pk"]
        indexes = [
            models.Index(fields=["case", "status", "due_on"], name="recommendation_open_due"),
            models.Index(fields=["owner", "status", "due_on"], name="recommendation_owner_due"),
        ]

    def __str__(self) -> str:
        return self.text[:80]


class DocumentKind(models.TextChoices):
    FULL = "full", "Full report"
    SUMMARY = "summary", "Summary for the network"
    CHILD = "child", "Child-friendly summary"


@history_tracked()
class ReportDocument(RenderedDocument):
    """A PDF of a signed-off report (one per kind), made by the document pipeline (core/documents/)."""

    file_directory = "formulation/reports/"

    report = models.ForeignKey(FormulationReport, on_delete=models.CASCADE, related_name="documents", db_index=False)
    kind = models.CharField(max_length=20, choices=DocumentKind.choices)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["report", "kind"], name="report_document_one_per_kind")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} of {self.report}"
