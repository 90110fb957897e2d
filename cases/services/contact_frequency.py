"""How often the child should be in contact with the case holder: the per-case contact frequency that the
workboard and the caseload count overdue contacts against."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from accounts.history import acting_as
from cases.models import LONGEST_CONTACT_FREQUENCY_DAYS, Case, CaseStatus


@transaction.atomic
def case_contact_frequency_set(*, case: Case, days: int, actor: Any) -> Case:
    """Set the days that may pass between contacts before one is overdue; kept in the case's history."""
    if not 1 <= days <= LONGEST_CONTACT_FREQUENCY_DAYS:
        raise ValidationError({"days": f"Enter a number of days between 1 and {LONGEST_CONTACT_FREQUENCY_DAYS}"})
    case = Case.objects.select_for_update().get(pk=case.pk)
    if case.status != CaseStatus.OPEN:
        raise ValidationError("The case is closed: reopen it to change how often the child is contacted")
    if case.contact_frequency_days == days:
        return case
    with acting_as(actor):
        case.contact_frequency_days = days
        case.full_clean(validate_unique=False, validate_constraints=False)
        case.save(update_fields=["contact_frequency_days"])
    return case
