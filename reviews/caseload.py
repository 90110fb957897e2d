"""What the reviews app adds to each row of the caseload (registered in ReviewsConfig.ready() through
cases/list_facts.py): when the next review is due and how many actions are overdue."""

from __future__ import annotations

from django.db.models import OuterRef
from django.db.models.functions import Coalesce
from django.utils import timezone

from cases.list_facts import ListFact
from cases.sections import count_of
from formulation.models import Recommendation
from reviews.action_selectors import OPEN_ACTION_STATUSES, is_action
from reviews.selectors import review_due_on


def overdue_actions() -> Coalesce:
    """How many of the case's actions are open past their due date (an index range per case row:
    `recommendation_open_due`)."""
    overdue = Recommendation.objects.filter(
        is_action(), case=OuterRef("pk"), status__in=OPEN_ACTION_STATUSES, due_on__lt=timezone.localdate()
    )
    return count_of(overdue)


NEXT_REVIEW = ListFact("next_review_on", review_due_on)
OVERDUE_ACTIONS = ListFact("overdue_actions", overdue_actions)
