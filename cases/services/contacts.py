"""Writes for the work with the child: contacts (and their corrections) and consultations."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import dateformat, timezone

from accounts.history import acting_as
from accounts.models import User
from cases.models import (
    Case,
    CaseEventKind,
    Consultation,
    Contact,
    ContactCorrection,
    Visibility,
)
from cases.services.records import case_event_add, ensure_open


@transaction.atomic
def contact_log(
    *,
    case: Case,
    actor: User,
    occurred_at: dt.datetime,
    kind: str,
    with_whom: str,
    note: str,
    duration_minutes: int | None = None,
    restricted: bool = False,
    significant: bool = False,
) -> Contact:
    """Log one contact; a restricted note shows only to the case holder and the ECM clinicians. A significant
    one is tagged in the chronology (and kept by its "significant only" filter)."""
    ensure_open(case)
    if occurred_at > timezone.now() + dt.timedelta(minutes=5):
        raise ValidationError({"occurred_at": "The date and time of a contact must not be in the future"})
    with acting_as(actor):
        contact = Contact(
            case=case,
            occurred_at=occurred_at,
            kind=kind,
            with_whom=with_whom,
            duration_minutes=duration_minutes,
            note=note,
            restricted=restricted,
            significant=significant,
            recorded_by=actor,
        )
        contact.full_clean()
        contact.save()
        case_event_add(
            case=case,
            kind=CaseEventKind.CONTACT,
            summary=f"{contact.get_kind_display()} with {with_whom}" + (" (restricted note)" if restricted else ""),
            actor=actor,
            visibility=Visibility.RESTRICTED if restricted else Visibility.FULL,
            occurred_at=occurred_at,
            link=reverse("cases:contact_detail", args=[case.pk, contact.pk]),
            significant=significant,
        )
    return contact


@transaction.atomic
def contact_correct(*, contact: Contact, actor: User, text: str, reason: str) -> ContactCorrection:
    """Add a correction or addition to a contact, with why it was needed; the original note stays as written."""
    ensure_open(contact.case)
    text = text.strip()
    reason = reason.strip()
    errors = {}
    if not text:
        errors["text"] = "Enter the correction or addition"
    if not reason:
        errors["reason"] = "Enter why the note needed correcting"
    if errors:
        raise ValidationError(errors)
    with acting_as(actor):
        correction = ContactCorrection.objects.create(contact=contact, text=text, reason=reason, recorded_by=actor)
        case_event_add(
            case=contact.case,
            kind=CaseEventKind.CONTACT,
            summary=f"Correction added to the {contact.get_kind_display().lower()} contact of "
            f"{dateformat.format(timezone.localtime(contact.occurred_at), 'j F Y')}",
            actor=actor,
            visibility=Visibility.RESTRICTED if contact.restricted else Visibility.FULL,
            link=reverse("cases:contact_detail", args=[contact.case_id, contact.pk]),
        )
    return correction


@transaction.atomic
def consultation_log(
    *,
    case: Case,
    actor: User,
    held_on: dt.date,
    attendees: str,
    question: str,
    advice: str,
    minutes_spent: int,
    follow_up: str = "",
) -> Consultation:
    """Record a psychologist's consultation on a case."""
    ensure_open(case)
    if held_on > timezone.localdate():
        raise ValidationError({"held_on": "The date of a consultation must not be in the future"})
    with acting_as(actor):
        consultation = Consultation(
            case=case,
            held_on=held_on,
            attendees=attendees,
            question=question,
            advice=advice,
            follow_up=follow_up,
            minutes_spent=minutes_spent,
            psychologist=actor,
        )
        consultation.full_clean()
        consultation.save()
        case_event_add(
            case=case,
            kind=CaseEventKind.CONSULTATION,
            summary=f"Consultation with {attendees[:120]} ({minutes_spent} minutes)",
            actor=actor,
            occurred_at=timezone.make_aware(dt.datetime.combine(held_on, dt.time(12, 0))),
            link=reverse("cases:consultation_detail", args=[case.pk, consultation.pk]),
        )
    return consultation
