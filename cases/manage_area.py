"""The administration area's landing page: the links each administrator is offered.

`cases` holds the area (its pages go through the access module), but some of what a service
administrator manages lives in apps above `cases` (commissioning in `reporting`, the TRM reference
data in `trm_stages`). `cases` never imports them, not even by URL name: each registers its link
here from its AppConfig.ready(), as the case page's sections do (cases/sections.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.urls import reverse

from cases import access


@dataclass(frozen=True)
class ManageLink:
    name: str
    order: int  # smaller first
    label: str
    url_name: str
    description: str
    service_only: bool = True  # for service administrators only (agency administrators manage people only)


_LINKS: dict[str, ManageLink] = {}


def register(link: ManageLink) -> None:
    """Add (or replace, on a reload) a link on the administration landing page."""
    _LINKS[link.name] = link


def links_for(user: Any) -> list[dict[str, str]]:
    """The links this administrator may follow, in order."""
    service = access.may_manage_service(user)
    return [
        {"label": link.label, "url": reverse(link.url_name), "description": link.description}
        for link in sorted(_LINKS.values(), key=lambda link: (link.order, link.name))
        if service or not link.service_only
    ]


register(
    ManageLink(
        "people",
        10,
        "People",
        "manage:people",
        "Find people, invite someone, change roles and memberships, deactivate leavers.",
        service_only=False,
    )
)
register(
    ManageLink("agencies", 20, "Agencies", "manage:agencies", "Create, rename and close agencies; partner sign-in.")
)
register(
    ManageLink("coverage", 30, "Coverage", "manage:coverage", "Which ECM clinicians cover which youth justice service.")
)
register(
    ManageLink("access-log", 90, "Access log", "cases:access_log", "Who opened which record, and who was refused.")
)
register(
    ManageLink(
        "api-tokens",
        80,
        "API tokens",
        "manage:api_tokens",
        "Tokens that let your agencies' systems use the ECM API as one of your people: create, revoke.",
        service_only=False,
    )
)
