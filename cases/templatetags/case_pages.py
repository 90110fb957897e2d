"""The sub-navigation between a case's pages (templates/cases/includes/case_subnav.html).

A tag, so that every page extending templates/cases/case_page_base.html gets it whatever its view put in the
context: it asks the capabilities (no queries once the case came through the access module) when the view
did not pass `caps`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import template

from cases.capabilities import case_capabilities
from core.rows import id_url

register = template.Library()


@dataclass(frozen=True)
class SubnavItem:
    label: str
    href: str
    current: bool


# (label, URL name, the URL names that show it as the current page), in the order they are shown.
FULL_RECORD_PAGES: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("Overview", "cases:detail", ()),
    ("Contacts", "cases:contacts", ("cases:consultations",)),
    ("Chronology", "cases:chronology", ()),
    ("Network", "cases:network", ()),
    ("Documents", "case_documents:list", ("case_documents:detail", "case_documents:upload", "case_documents:replace")),
    ("Plan and actions", "cases:plan", ()),
    ("TRM and goals", "cases:trm", ()),
    ("Meetings and reviews", "cases:meetings", ()),
    ("Details", "cases:details", ()),
)
# The network's shared summary: the overview, the chronology lines and the documents shared with them, the network.
SUMMARY_PAGES = ("cases:detail", "cases:chronology", "cases:network", "case_documents:list")


@register.simple_tag(takes_context=True)
def case_caps(context: template.Context, case: Any) -> Any:
    """The page's case capabilities (cases.capabilities): the view's `caps`, or asked afresh."""
    caps = context.get("caps")
    if caps is not None and hasattr(caps, "full_record") and hasattr(caps, "log_contact"):
        return caps
    request = context.get("request")
    return case_capabilities(request.user, case) if request is not None else None


@register.inclusion_tag("cases/includes/case_subnav.html", takes_context=True)
def case_subnav(context: template.Context, case: Any) -> dict[str, Any]:
    """The links to the case's pages this person may open, the page they are on marked current."""
    request = context.get("request")
    caps = case_caps(context, case)
    match = getattr(request, "resolver_match", None)
    here = match.view_name if match is not None else ""
    pages = [page for page in FULL_RECORD_PAGES if caps is not None and (caps.full_record or page[1] in SUMMARY_PAGES)]
    items = [SubnavItem(label, id_url(name)(case.pk), here == name or here in also) for label, name, also in pages]
    return {"items": items}
