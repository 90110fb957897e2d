"""`caps|resolves:comment`: whether the person may mark this review comment as resolved.

The rule is `ReportCapabilities.resolve_comment` (formulation/capabilities.py), the one the service
enforces; templates ask it here instead of repeating it.
"""

from __future__ import annotations

from django import template

from formulation.capabilities import ReportCapabilities
from formulation.models import ReportComment

register = template.Library()


@register.filter
def resolves(caps: ReportCapabilities | None, comment: ReportComment) -> bool:
    return caps is not None and caps.resolve_comment(comment)
