"""Writes to the chronology itself: marking a line, or a contact, as a significant event (or not).

A contact's significance is kept on the contact (Contact.significant) and on its chronology line (the line
contact_log wrote, CaseEvent.significant), always together: marking either marks both. Every change is in the
change history of the contact and of the line, with who made it (accounts.history).
"""

from __future__ import annotations

import re

from django.db import transaction
from django.urls import reverse

from accounts.history import acting_as
from accounts.models import User
from cases.models import CaseEvent, CaseEventKind, Contact
from cases.services.records import ensure_open


def _contact_lines(contact: Contact) -> list[CaseEvent]:
    """The chronology line contact_log wrote for this contact (its corrections' lines are left as they are)."""
    return list(
        CaseEvent.objects.filter(
            case_id=contact.case_id,
            kind=CaseEventKind.CONTACT,
            link=reverse("cases:contact_detail", args=[contact.case_id, contact.pk]),
            occurred_at=contact.occurred_at,
        )
    )


def _contact_of(event: CaseEvent) -> Contact | None:
    """The contact whose logging wrote this line, if it is such a line."""
    if event.kind != CaseEventKind.CONTACT:
        return None
    prefix = re.escape(reverse("cases:contacts", args=[event.case_id]))
    found = re.fullmatch(prefix + r"(\d+)/", event.link)
    if found is None:
        return None
    contact = Contact.objects.filter(case_id=event.case_id, pk=int(found.group(1))).first()
    return contact if contact is not None and contact.occurred_at == event.occurred_at else None


def _mark(rows: list[Contact] | list[CaseEvent], significant: bool) -> None:
    for row in rows:
        if row.significant != significant:
            row.significant = significant
            row.save(update_fields=["significant"])


@transaction.atomic
def contact_mark_significant(*, contact: Contact, actor: User, significant: bool) -> Contact:
    """Mark a contact as a significant event, or take the mark off; its chronology line follows."""
    ensure_open(contact.case)
    with acting_as(actor):
        _mark([contact], significant)
        _mark(_contact_lines(contact), significant)
    return contact


@transaction.atomic
def event_mark_significant(*, event: CaseEvent, actor: User, significant: bool) -> CaseEvent:
    """Mark a chronology line as a significant event, or take the mark off (a contact's line marks its contact)."""
    ensure_open(event.case)
    contact = _contact_of(event)
    with acting_as(actor):
        _mark([event], significant)
        if contact is not None:
            _mark([contact], significant)
    return event
