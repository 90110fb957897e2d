"""Reads about people and their roles."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from accounts.models import AccessEvent, Membership


def active_memberships(user: Any) -> list[Membership]:
    """The person's active memberships with their agencies, cached on the user for the request."""
    cached: list[Membership] | None = getattr(user, "_ecm_memberships", None)
    if cached is None:
        if not getattr(user, "is_authenticated", False):
            return []
        cached = list(
            Membership.objects.filter(user=user, is_active=True, agency__is_active=True)
            .select_related("agency")
            .order_by("created_at", "pk")
        )
        user._ecm_memberships = cached
    return cached


def roles_of(user: Any) -> set[str]:
    return {membership.role for membership in active_memberships(user)}


def access_events(*, user_query: str = "", case_id: int | None = None, action: str = "") -> QuerySet[AccessEvent]:
    """The access log, newest first, filtered for the administrators' log page."""
    events = AccessEvent.objects.select_related("user").order_by("-at", "-id")
    if user_query:
        events = events.filter(Q(user__username__icontains=user_query) | Q(user__last_name__icontains=user_query))
    if case_id is not None:
        events = events.filter(case_id=case_id)
    if action:
        events = events.filter(action=action)
    return events
