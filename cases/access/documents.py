"""Documents uploaded to a case (the case_documents app): which of them a person may see, and who may add them.

The access module never imports the apps above `cases`, so this works on field names and category slugs:

- everyone who reads the full record (Action.VIEW: the owning service's case managers, the covering
  clinicians) sees the documents of every category whose action in CATEGORY_ACTIONS they may perform
  (today every category asks for VIEW; narrowing one, e.g. health to VIEW_RESTRICTED, is one line here);
- a partner who sees the shared summary (Action.VIEW_SUMMARY) sees ONLY the documents explicitly shared with
  the network;
- anyone else does not see the case at all (404, from `get_case_for`).

Adding a document or a new version of one is Action.CHANGE (and an open case: cases.services.ensure_open).
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from cases.access.core import Action, may
from cases.models import Case

# Each category (case_documents.models.DocumentCategory; a test keeps the two in step) and the action that
# lets a person see its documents beside those shared with the network.
CATEGORY_ACTIONS: dict[str, Action] = {
    "court": Action.VIEW,
    "education": Action.VIEW,
    "health": Action.VIEW,
    "social_care": Action.VIEW,
    "consent": Action.VIEW,
    "assessment": Action.VIEW,
    "other": Action.VIEW,
}


def visible_document_categories(user: Any, case: Case) -> list[str]:
    """The categories whose every document the person sees on this case (beyond those shared with them)."""
    return [category for category, action in CATEGORY_ACTIONS.items() if may(user, action, case)]


def document_condition(
    user: Any, case: Case, *, category_field: str = "category", shared_field: str = "shared_with_network"
) -> Q:
    """The case's documents this person may see, as a condition on the documents' rows (never matches for
    someone who may not see the case)."""
    condition = Q(pk__in=[])
    categories = visible_document_categories(user, case)
    if categories:
        condition |= Q(**{f"{category_field}__in": categories})
    if may(user, Action.VIEW_SUMMARY, case):
        condition |= Q(**{shared_field: True})
    return condition


def may_add_documents(user: Any, case: Case) -> bool:
    """May upload a document (or a new version) to the case, whatever its state (closed: see capabilities)."""
    return may(user, Action.CHANGE, case)
