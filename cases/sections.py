"""Sections that the apps above `cases` add to the case page (the TRM stage, goals, meetings...).

`cases` never imports those apps: each registers its section here from its AppConfig.ready(), and
the case page renders the registered sections in order. A section's `context` function is given
the person, the case and what they may do with it (cases.capabilities.CaseCapabilities) and
returns the template's context, or None to leave the section out for this person.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils.safestring import SafeString

from cases.capabilities import CaseCapabilities
from cases.models import Case

SectionContext = Callable[[Any, Case, CaseCapabilities], dict[str, Any] | None]


@dataclass(frozen=True)
class CaseSection:
    name: str
    order: int  # smaller first
    template: str
    context: SectionContext


_SECTIONS: dict[str, CaseSection] = {}


def register(section: CaseSection) -> None:
    """Add (or replace, on a reload) a section of the case page."""
    _SECTIONS[section.name] = section


def render_sections(request: HttpRequest, case: Case, caps: CaseCapabilities) -> list[SafeString]:
    """The registered sections this person may see, rendered in order."""
    rendered = []
    for section in sorted(_SECTIONS.values(), key=lambda section: (section.order, section.name)):
        context = section.context(request.user, case, caps)
        if context is not None:
            rendered.append(render_to_string(section.template, {"case": case, **context}, request=request))
    return rendered
