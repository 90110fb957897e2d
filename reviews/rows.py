"""What each row of "My actions" says, as words (`templates/reviews/action_list.html`).

The template only places them: resolving links, dates and two included tags per row there cost more than the
page's queries (core.rows).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import TypedDict

from django.utils.text import Truncator

from core.rows import id_url, table_date
from formulation.models import ActionStatus, Recommendation
from reviews.templatetags.review_tags import action_tag_colour

_STATUSES = dict(ActionStatus.choices)


class ActionRow(TypedDict):
    url: str
    text: str  # at most 140 characters, as `|truncatechars:140` cuts it
    child: str
    case_id: int
    due: str
    overdue: bool
    status: str
    status_colour: str  # the GOV.UK tag's colour class
    last_update: str  # "" when there is no progress note yet


def action_rows(actions: Iterable[Recommendation], today: dt.date) -> list[ActionRow]:
    """Each action of `reviews.action_selectors.my_actions` as its row (its `last_noted_on` annotated)."""
    url_of = id_url("reviews:action_detail")
    return [
        {
            "url": url_of(action.pk),
            "text": Truncator(action.text).chars(140),
            "child": action.case.child.full_name,
            "case_id": action.case_id,
            "due": table_date(action.due_on),
            "overdue": action.due_on < today,
            "status": _STATUSES.get(action.status, action.status),
            "status_colour": action_tag_colour(action.status),
            "last_update": table_date(getattr(action, "last_noted_on", None)),
        }
        for action in actions
    ]
