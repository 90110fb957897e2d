"""The "Notifications (3 unread)" link in every page's navigation."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.functional import SimpleLazyObject

from reviews.notifications import unread_count_for_navigation


def notifications(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"notifications_nav": None}
    url = reverse("reviews:notifications")

    def link() -> dict[str, Any]:
        # Read with the person's other facts once per request (reviews.notifications.UNREAD_FACT).
        return {"url": url, "unread": unread_count_for_navigation(user), "active": request.path == url}

    return {"notifications_nav": SimpleLazyObject(link)}
