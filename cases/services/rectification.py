"""Rectification: correcting a mistake in a child's details, keeping the original and a statement of why.

An ordinary update (a new school, a move) goes through `case_child_update`; a correction of something
that was wrong all along goes through `child_rectify`, which keeps the details as they were beside the
corrected ones and the statement, writes the chronology of every case the child has, and leaves the
people the summary was shared with to be told by the reminder sweep (cases/reminders.py), in the same
transaction as the correction.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import dateformat, timezone

from accounts.history import acting_as
from accounts.models import User
from cases.models import Case, CaseEventKind, Child, Rectification, Visibility
from cases.services.records import CHILD_FIELDS, case_event_add, child_update

# The child's details the shared summary shows (its heading): a correction to one of them is named
# to the network in the chronology; the others are only said to have been corrected.
SUMMARY_CHILD_FIELDS = ("given_name", "family_name")


def child_field_label(name: str) -> str:
    """A detail's name as the page words it ("date of birth")."""
    labels = {"given_name": "first name", "family_name": "last name", "reference": "NHS or local reference"}
    return labels.get(name, str(getattr(Child._meta.get_field(name), "verbose_name", name)).lower())


def _shown(child: Child, name: str) -> str:
    """A detail's value as the page shows it."""
    value = getattr(child, name)
    if name == "date_of_birth":
        return dateformat.format(value, "j F Y")
    display = getattr(child, f"get_{name}_display", None)
    if display is not None:
        return str(display())
    return str(value) if value not in ("", None) else "Not recorded"


@transaction.atomic
def child_rectify(*, case: Case, actor: User, statement: str, **fields: Any) -> Rectification:
    """Correct a mistake in the child's details from one of their cases: the values before and after,
    who, when and why are kept; every case of the child notes it in its chronology.

    Allowed on a closed case too (no `ensure_open`): correcting inaccurate personal data is the child's
    right (UK GDPR article 16), which does not end when the case closes."""
    statement = statement.strip()
    child = Child.objects.select_for_update().get(pk=case.child_id)
    changed = [name for name in CHILD_FIELDS if name in fields and getattr(child, name) != fields[name]]
    errors = {}
    if not changed:
        errors["__all__"] = "Change at least one detail: nothing was different from the details on record"
    if not statement:
        errors["statement"] = "Enter why the details were wrong"
    if errors:
        raise ValidationError(errors)
    before = {name: _shown(child, name) for name in changed}
    child_update(child=child, actor=actor, **{name: fields[name] for name in changed})
    labels = [child_field_label(name) for name in changed]
    with acting_as(actor):
        rectification = Rectification(
            child=child,
            case=case,
            changes=[
                {"field": name, "label": label, "before": before[name], "after": _shown(child, name)}
                for name, label in zip(changed, labels, strict=True)
            ],
            statement=statement,
            corrected_by=actor,
            corrected_at=timezone.now(),
        )
        rectification.full_clean()
        rectification.save()
        named_to_network = [child_field_label(name) for name in changed if name in SUMMARY_CHILD_FIELDS]
        for each in Case.objects.filter(child=child).order_by("pk"):
            link = reverse("cases:rectifications", args=[each.pk])
            # The full record: which details and why (never the values: they are on the corrections page).
            case_event_add(
                case=each,
                kind=CaseEventKind.OTHER,
                summary=f"Details corrected: {', '.join(labels)}. Why: {statement}",
                actor=actor,
                link=link,
                occurred_at=rectification.corrected_at,
            )
            # The network: that a correction was made, naming only the details the summary shows.
            case_event_add(
                case=each,
                kind=CaseEventKind.OTHER,
                summary="A correction was made to the child's details"
                + (f" ({', '.join(named_to_network)})" if named_to_network else ""),
                actor=actor,
                visibility=Visibility.SUMMARY,
                occurred_at=rectification.corrected_at,
            )
    return rectification
