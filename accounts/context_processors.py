"""Header and navigation for every page: who is signed in, for which agency, and what their role offers."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse

from accounts.models import ADMINISTRATOR_ROLES, CLINICIAN_ROLES, Role
from accounts.selectors import active_memberships


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": [], "current_memberships": []}
    memberships = active_memberships(user)
    roles = {membership.role for membership in memberships}
    items: list[tuple[str, str]] = [("Home", reverse("home"))]
    if Role.CASE_MANAGER in roles:
        items.append(("My caseload", reverse("cases:list")))
        items.append(("My referrals", reverse("referrals:mine")))
    if roles & CLINICIAN_ROLES:
        items.append(("ECM cases", reverse("cases:list")))
        items.append(("Triage queue", reverse("referrals:triage_queue")))
    if roles & (CLINICIAN_ROLES | {Role.CASE_MANAGER}):
        items.append(("Find a child", reverse("cases:search")))
    if Role.PARTNER in roles and not roles & (CLINICIAN_ROLES | {Role.CASE_MANAGER}):
        items.append(("Shared cases", reverse("cases:list")))
    if roles & (CLINICIAN_ROLES | {Role.CASE_MANAGER, Role.PARTNER}):
        items.append(("My meetings", reverse("formulation:my_meetings")))
        items.append(("My actions", reverse("reviews:my_actions")))
    if roles & (CLINICIAN_ROLES | {Role.CASE_MANAGER, Role.COMMISSIONER}):
        items.append(("Reports", reverse("reporting:dashboard")))
    if roles & ADMINISTRATOR_ROLES:
        items.append(("Manage", reverse("manage:home")))
    if Role.ADMINISTRATOR in roles:
        items.append(("Access log", reverse("cases:access_log")))
    seen: set[str] = set()
    nav = []
    for label, url in items:
        if url in seen:
            continue
        seen.add(url)
        active = request.path == url
        nav.append({"label": label, "url": url, "active": active})
    return {"nav_items": nav, "current_memberships": memberships}
