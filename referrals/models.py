"""Referral intake and triage: a YJS case manager's request for ECM input on a child."""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.urls import reverse

from accounts.history import history_tracked
from accounts.models import Agency
from cases.models import Case, Child


class ComplexNeed(models.TextChoices):
    ABUSE = "abuse", "Abuse or neglect"
    BEHAVIOUR = "behaviour", "Behaviour that challenges"
    MENTAL_HEALTH = "mental_health", "Mental health"
    SEXUAL_HARM = "sexual_harm", "Harmful sexual behaviour"
    EXPLOITATION = "exploitation", "Exploitation (criminal or sexual)"
    SELF_HARM = "self_harm", "Self-harm"
    NEURODIVERSITY = "neurodiversity", "Learning disability, autism or special educational needs"
    SUBSTANCE_USE = "substance_use", "Substance use"
    FAMILY_CONTEXT = "family_context", "Family or social context (for example domestic abuse, bereavement)"


class Urgency(models.TextChoices):
    ROUTINE = "routine", "Routine"
    SOON = "soon", "Soon: within four weeks"
    URGENT = "urgent", "Urgent: risk is rising now"


# Each urgency's tag: its words and its colour (govuk-tag--<colour>), wherever a referral's urgency is shown.
URGENCY_TAGS: dict[str, tuple[str, str]] = {
    Urgency.URGENT: ("Urgent", "red"),
    Urgency.SOON: ("Soon", "yellow"),
    Urgency.ROUTINE: ("Routine", "grey"),
}


class ConsentAnswer(models.TextChoices):
    GIVEN = "given", "Given"
    REFUSED = "refused", "Refused"
    NOT_ASKED = "not_asked", "Not yet asked"
    NOT_APPLICABLE = "not_applicable", "Not applicable (for example no one holds parental responsibility)"


class ReferralStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Waiting for triage"
    ACCEPTED_FORMULATION = "accepted_formulation", "Accepted for formulation"
    ACCEPTED_CONSULTATION = "accepted_consultation", "Accepted for consultation"
    NOT_ACCEPTED = "not_accepted", "Not accepted"


class TriageDecision(models.TextChoices):
    FORMULATION = "formulation", "Formulation: open an ECM case"
    CONSULTATION = "consultation", "Consultation: advice to the practitioner"
    NOT_ACCEPTED = "not_accepted", "Not accepted"


DECISION_STATUS = {
    TriageDecision.FORMULATION: ReferralStatus.ACCEPTED_FORMULATION,
    TriageDecision.CONSULTATION: ReferralStatus.ACCEPTED_CONSULTATION,
    TriageDecision.NOT_ACCEPTED: ReferralStatus.NOT_ACCEPTED,
}


@history_tracked()
class Referral(models.Model):
    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="referrals")
    referring_yjs = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="referrals", db_index=False)
    referrer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="referrals_made")
    status = models.CharField(max_length=30, choices=ReferralStatus.choices, default=ReferralStatus.DRAFT)

    reasons = models.TextField("Why you are referring", blank=True)
    complex_needs = ArrayField(models.CharField(max_length=30, choices=ComplexNeed.choices), default=list, blank=True)
    current_risks = models.TextField("Current risks", blank=True)
    agencies_involved = models.TextField("Agencies involved now", blank=True)
    tried_before = models.TextField("What has been tried", blank=True)
    urgency = models.CharField(max_length=20, choices=Urgency.choices, default=Urgency.ROUTINE)

    child_consent = models.CharField(
        "The child's consent", max_length=20, choices=ConsentAnswer.choices, default=ConsentAnswer.NOT_ASKED
    )
    carer_consent = models.CharField(
        "The parent's or carer's consent",
        max_length=20,
        choices=ConsentAnswer.choices,
        default=ConsentAnswer.NOT_ASKED,
    )
    consent_covers_sharing = models.BooleanField("Consent covers sharing information with the network", default=False)
    consent_given_by = models.CharField("Who gave consent", max_length=200, blank=True)
    consent_date = models.DateField("When consent was given", null=True, blank=True)
    consent_override_reason = models.TextField(blank=True)
    consent_override_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    consent_override_at = models.DateTimeField(null=True, blank=True)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)

    decision = models.CharField(max_length=20, choices=TriageDecision.choices, blank=True)
    decision_reason = models.TextField(blank=True)
    signposting = models.TextField(blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    days_to_decision = models.PositiveIntegerField(null=True, blank=True)
    case = models.OneToOneField(Case, on_delete=models.PROTECT, null=True, blank=True, related_name="referral")

    class Meta:
        ordering = ["-created_at", "-pk"]
        permissions = [
            ("triage_referral", "Decide referrals of the services one covers"),
            ("override_consent", "Record a reasoned override of missing consent"),
        ]
        indexes = [
            models.Index(fields=["referring_yjs", "status"]),
            models.Index(fields=["status", "submitted_at"]),
        ]

    def __str__(self) -> str:
        return f"Referral {self.pk} ({self.child.initials})"

    def get_absolute_url(self) -> str:
        return reverse("referrals:detail", args=[self.pk])

    @property
    def is_draft(self) -> bool:
        return self.status == ReferralStatus.DRAFT

    @property
    def is_waiting_for_triage(self) -> bool:
        return self.status == ReferralStatus.SUBMITTED

    @property
    def is_accepted_for_formulation(self) -> bool:
        return self.status == ReferralStatus.ACCEPTED_FORMULATION

    @property
    def is_accepted_for_consultation(self) -> bool:
        return self.status == ReferralStatus.ACCEPTED_CONSULTATION

    @property
    def urgency_tag(self) -> tuple[str, str]:
        """The urgency's tag: its words and colour (`URGENCY_TAGS`)."""
        return URGENCY_TAGS.get(self.urgency, URGENCY_TAGS[Urgency.ROUTINE])

    @property
    def is_urgent(self) -> bool:
        return self.urgency == Urgency.URGENT

    @property
    def is_soon(self) -> bool:
        return self.urgency == Urgency.SOON

    @property
    def consent_complete(self) -> bool:
        """Consent from the child and the carer (or a reasoned override) before submission."""
        answered = {ConsentAnswer.GIVEN, ConsentAnswer.NOT_APPLICABLE}
        given = (
            self.child_consent == ConsentAnswer.GIVEN
            and self.carer_consent in answered
            and bool(self.consent_given_by)
            and self.consent_date is not None
        )
        return given or bool(self.consent_override_reason and self.consent_override_by_id)


# Consent over time (issue 17): its own module, imported here so Django finds the model.
from referrals.consent_models import ConsentRecord as ConsentRecord  # noqa: E402
