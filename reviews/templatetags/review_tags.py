"""Presentation of actions' states, so templates never compare a status string."""

from __future__ import annotations

from django import template

from formulation.models import ActionStatus

register = template.Library()

# The GOV.UK tag colour of each action status (not started: grey).
ACTION_TAG_COLOURS: dict[str, str] = {
    ActionStatus.DONE: "govuk-tag--green",
    ActionStatus.IN_PROGRESS: "govuk-tag--blue",
    ActionStatus.NO_LONGER_NEEDED: "govuk-tag--purple",
}


@register.filter
def action_tag_colour(status: str) -> str:
    """The tag's colour class for an action in this status."""
    return ACTION_TAG_COLOURS.get(status, "govuk-tag--grey")
