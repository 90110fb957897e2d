"""The subject access section of the case page (registered in DataRightsConfig.ready() through cases/sections.py):
a link to start a request about the case's child, for those who handle subject access requests."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cases.models import Case
from data_rights.capabilities import may_handle_subject_access_requests


def subject_access_section_context(
    user: Any, case: Case, caps: Any, facts: Mapping[str, Any] | None = None
) -> dict[str, Any] | None:
    """Shown only to senior practitioners and service administrators (the role layer, read once per request)."""
    if not may_handle_subject_access_requests(user):
        return None
    return {"child": case.child}
