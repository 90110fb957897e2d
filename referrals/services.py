"""Writes for referrals: drafting, consent, submission and triage."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from accounts.history import acting_as
from accounts.models import Agency, Coverage, Membership, Role, User
from cases.access import Action
from cases.models import Case, CaseEventKind, CaseKind, CaseStatus, Child, Visibility
from cases.services import StaleState, case_event_add, case_open, child_create
from referrals.consent import referral_consent_records
from referrals.models import DECISION_STATUS, Referral, ReferralStatus, TriageDecision
from referrals.selectors import referral_may

# A child has at most one referral in progress at a time (drafting or waiting for triage).
IN_PROGRESS = (ReferralStatus.DRAFT, ReferralStatus.SUBMITTED)

DRAFT_FIELDS = (
    "reasons",
    "complex_needs",
    "current_risks",
    "agencies_involved",
    "tried_before",
    "urgency",
    "child_consent",
    "carer_consent",
    "consent_covers_sharing",
    "consent_given_by",
    "consent_date",
)


def _is_case_manager_of(user: User, yjs: Agency) -> bool:
    return Membership.objects.filter(
        user=user, agency=yjs, role=Role.CASE_MANAGER, is_active=True, agency__is_active=True
    ).exists()


def _covers_with_role(user: User, yjs: Agency, role: str) -> bool:
    return (
        Coverage.objects.filter(clinician=user, yjs=yjs).exists()
        and Membership.objects.filter(user=user, role=role, is_active=True, agency__is_active=True).exists()
    )


@transaction.atomic
def referral_start(*, child: Child, referring_yjs: Agency, actor: User) -> Referral:
    """Start a draft referral for a child (new or already known) from one of the actor's services."""
    if not _is_case_manager_of(actor, referring_yjs):
        raise ValidationError({"referring_yjs": "Only a case manager of the referring service can refer a child"})
    # Lock the child so two colleagues starting at once cannot both open a referral.
    Child.objects.select_for_update().filter(pk=child.pk).first()
    if child.referrals.filter(status__in=IN_PROGRESS).exists():
        raise ValidationError({"child": "This child already has a referral in progress: carry on with that one"})
    if child.cases.filter(status=CaseStatus.OPEN).exists():
        raise ValidationError({"child": "This child already has an open ECM case"})
    with acting_as(actor):
        referral = Referral(child=child, referring_yjs=referring_yjs, referrer=actor)
        referral.full_clean()
        referral.save()
    return referral


@transaction.atomic
def referral_refer_new_child(*, referring_yjs: Agency, actor: User, **child_fields: Any) -> Referral:
    """Create the one record of a child not yet known to ECM and start their draft referral."""
    child = child_create(actor=actor, **child_fields)
    return referral_start(child=child, referring_yjs=referring_yjs, actor=actor)


def referral_version(referral: Referral) -> int:
    """The version of a draft that autosave compares: milliseconds of its last change."""
    return int(referral.updated_at.timestamp() * 1000)


@transaction.atomic
def referral_save_draft(*, referral: Referral, actor: User, if_version: int | None = None, **fields: Any) -> Referral:
    """Save whatever has been typed so far. Only drafts change; nothing is required yet.

    With `if_version` (autosave), the save happens only if nobody saved since that version: a
    background save that arrives after the person's own Save button never undoes it.
    """
    referral = Referral.objects.select_for_update().get(pk=referral.pk)
    if referral.status != ReferralStatus.DRAFT:
        raise StaleState("This referral has been submitted and can no longer be changed.")
    if if_version is not None and referral_version(referral) != if_version:
        raise StaleState("This draft has been saved from somewhere else since this page was opened.")
    changed = [name for name in DRAFT_FIELDS if name in fields and getattr(referral, name) != fields[name]]
    if changed:
        with acting_as(actor):
            for name in changed:
                setattr(referral, name, fields[name])
            referral.full_clean()
            referral.save(update_fields=[*changed, "updated_at"])
    return referral


def referral_missing(referral: Referral) -> dict[str, str]:
    """What stops a draft being submitted, as field errors in the words the form shows."""
    errors: dict[str, str] = {}
    if not referral.reasons.strip():
        errors["reasons"] = "Enter why you are referring the child"
    if not referral.complex_needs:
        errors["complex_needs"] = "Choose at least one area of complex need"
    if not referral.current_risks.strip():
        errors["current_risks"] = "Enter the current risks"
    if not referral.tried_before.strip():
        errors["tried_before"] = "Enter what has been tried so far"
    if not referral.consent_complete:
        errors["child_consent"] = (
            "Record the child's and the parent's or carer's consent, who gave it and when, "
            "or ask a senior practitioner to record an override"
        )
    return errors


@transaction.atomic
def referral_submit(*, referral: Referral, actor: User) -> Referral:
    """Send a complete draft to the covering ECM team for triage."""
    referral = Referral.objects.select_for_update().get(pk=referral.pk)
    if referral.status != ReferralStatus.DRAFT:
        raise StaleState("This referral has already been submitted.")
    errors = referral_missing(referral)
    if errors:
        raise ValidationError(errors)
    with acting_as(actor):
        referral.status = ReferralStatus.SUBMITTED
        referral.submitted_at = timezone.now()
        referral.save(update_fields=["status", "submitted_at", "updated_at"])
    return referral


@transaction.atomic
def referral_override_consent(*, referral: Referral, actor: User, reason: str) -> Referral:
    """A covering senior practitioner records why the referral may go ahead without full consent."""
    if not referral_may(actor, Action.OVERRIDE_CONSENT, referral):
        raise PermissionDenied("Only a senior practitioner covering the referring service can override consent.")
    reason = reason.strip()
    if len(reason) < 20:
        raise ValidationError({"reason": "Give the reason for the override in at least 20 characters"})
    referral = Referral.objects.select_for_update().get(pk=referral.pk)
    if referral.status != ReferralStatus.DRAFT:
        raise StaleState("Consent can only be overridden before the referral is submitted.")
    with acting_as(actor):
        referral.consent_override_reason = reason
        referral.consent_override_by = actor
        referral.consent_override_at = timezone.now()
        referral.save(
            update_fields=["consent_override_reason", "consent_override_by", "consent_override_at", "updated_at"]
        )
    return referral


@transaction.atomic
def referral_triage(
    *,
    referral: Referral,
    actor: User,
    decision: str,
    reason: str = "",
    signposting: str = "",
    psychologist: User | None = None,
    senior_practitioner: User | None = None,
) -> Case | None:
    """Record the triage decision; open the ECM case when accepted. Only the first decision counts."""
    errors: dict[str, str] = {}
    if decision not in TriageDecision.values:
        errors["decision"] = "Choose a decision"
    if decision == TriageDecision.NOT_ACCEPTED and not reason.strip():
        errors["decision_reason"] = "Enter why the referral is not accepted"
    if decision == TriageDecision.NOT_ACCEPTED and not signposting.strip():
        errors["signposting"] = "Enter where the referrer could turn instead"
    if decision == TriageDecision.FORMULATION and psychologist is None:
        errors["psychologist"] = "Choose the psychologist for the formulation"
    if decision == TriageDecision.FORMULATION and senior_practitioner is None:
        errors["senior_practitioner"] = "Choose the senior practitioner for the formulation"
    yjs = referral.referring_yjs
    if psychologist is not None and not _covers_with_role(psychologist, yjs, Role.PSYCHOLOGIST):
        errors["psychologist"] = f"Choose a psychologist who covers {yjs.name}"
    if senior_practitioner is not None and not _covers_with_role(senior_practitioner, yjs, Role.SENIOR_PRACTITIONER):
        errors["senior_practitioner"] = f"Choose a senior practitioner who covers {yjs.name}"
    if errors:
        raise ValidationError(errors)
    # The row lock makes two people deciding at once take turns; the second finds it decided.
    referral = Referral.objects.select_for_update().select_related("child", "referrer").get(pk=referral.pk)
    if referral.status != ReferralStatus.SUBMITTED:
        raise StaleState("This referral has already been decided.")
    now = timezone.now()
    case = None
    with acting_as(actor):
        if decision in (TriageDecision.FORMULATION, TriageDecision.CONSULTATION):
            case = case_open(
                child=referral.child,
                owning_yjs=referral.referring_yjs,
                case_holder=referral.referrer,
                actor=actor,
                kind=CaseKind.FORMULATION if decision == TriageDecision.FORMULATION else CaseKind.CONSULTATION,
                psychologist=psychologist,
                senior_practitioner=senior_practitioner,
            )
        assert referral.submitted_at is not None  # noqa: S101 - guaranteed by the SUBMITTED status
        referral.status = DECISION_STATUS[TriageDecision(decision)]
        referral.decision = decision
        referral.decision_reason = reason.strip()
        referral.signposting = signposting.strip()
        referral.decided_by = actor
        referral.decided_at = now
        referral.days_to_decision = (timezone.localdate(now) - timezone.localdate(referral.submitted_at)).days
        referral.case = case
        referral.save()
        if case is not None:
            case_event_add(
                case=case,
                kind=CaseEventKind.REFERRAL,
                summary=f"Referred by {referral.referrer.get_full_name()}",
                actor=referral.referrer,
                occurred_at=referral.submitted_at,
                visibility=Visibility.FULL,
                link=referral.get_absolute_url(),
            )
            case_event_add(
                case=case,
                kind=CaseEventKind.TRIAGE,
                summary=f"Triage: {referral.get_decision_display()} after {referral.days_to_decision} days",
                actor=actor,
                occurred_at=now,
                visibility=Visibility.FULL,
                link=referral.get_absolute_url(),
            )
            referral_consent_records(referral)  # the referral's consent: the case's first consent records
    transaction.on_commit(lambda: _tell_the_referrer(referral.pk))
    return case


def _tell_the_referrer(referral_id: int) -> None:
    """E-mail the referrer the decision. It names no child: the detail is behind sign-in."""
    referral = Referral.objects.select_related("referrer").get(pk=referral_id)
    send_mail(
        subject=f"ECM referral {referral.pk}: {referral.get_status_display().lower()}",
        message=(
            f"Your ECM referral {referral.pk} has been triaged: {referral.get_decision_display()}.\n\n"
            f"Sign in to ECM to read the decision: {settings.ECM_BASE_URL}{referral.get_absolute_url()}\n"
        ),
        from_email=None,
        recipient_list=[referral.referrer.email],
        fail_silently=True,
    )
