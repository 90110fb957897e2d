"""A person's notifications through the API, as on their notifications page (reviews/views/notifications.py).

Notifications name no child (the detail is behind the link), so reading them writes nothing to the access
log, like the page. Each person sees only their own: anyone else's is a 404, as one that does not exist.

- `GET /api/v1/notifications/`: mine, newest first by cursor; `?unread=true` for the unread only.
- `GET /api/v1/notifications/<id>/`: one of mine, with its ETag.
- `POST /api/v1/notifications/<id>/read/`: mark it read (`notification_mark_read`); If-Match is optional
  (marking read twice changes nothing).
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_view
from rest_framework import serializers

from core.api.pagination import ApiCursorPagination
from core.api.views import ApiActionView, ApiDetailView, ApiListView
from reviews.models import Notification
from reviews.notifications import get_notification_for, notification_mark_read, notifications_for


class NotificationSerializer(serializers.ModelSerializer):
    is_unread = serializers.BooleanField(read_only=True)

    class Meta:
        model = Notification
        fields = ["id", "title", "body", "link", "created_at", "read_at", "is_unread"]
        read_only_fields = fields


NOTIFICATION_EXAMPLE = OpenApiExample(
    "A notification",
    value={
        "id": 512,
        "title": "A review is due in 5 working days",
        "body": "",
        "link": "/cases/4107/reviews/",
        "created_at": "2026-11-02T07:00:00Z",
        "read_at": None,
        "is_unread": True,
    },
    response_only=True,
)


class NotificationFilters(serializers.Serializer):
    unread = serializers.BooleanField(required=False, default=False, help_text="Only the unread ones")


class NewestFirst(ApiCursorPagination):
    # The list's own index (recipient, -created_at, -id): created_at first, as the page.
    ordering = ("-created_at", "-id")


@extend_schema_view(get=extend_schema(summary="My notifications", examples=[NOTIFICATION_EXAMPLE]))
class NotificationListApi(ApiListView):
    serializer_class = NotificationSerializer
    filter_serializer_class = NotificationFilters
    pagination_class = NewestFirst
    list_name = "notifications API"
    audit_case_field = None  # notifications name no child: nothing for the access log, like the page

    def get_queryset(self) -> QuerySet[Notification]:
        notifications = notifications_for(self.request.user)
        if self.filters["unread"]:
            notifications = notifications.filter(read_at__isnull=True)
        return notifications


@extend_schema_view(get=extend_schema(summary="One of my notifications", examples=[NOTIFICATION_EXAMPLE]))
class NotificationDetailApi(ApiDetailView):
    serializer_class = NotificationSerializer

    def get_object(self) -> Notification:
        return get_notification_for(self.request.user, self.kwargs["notification_id"])


@extend_schema_view(post=extend_schema(summary="Mark one of my notifications read", request=None))
class NotificationReadApi(ApiActionView):
    serializer_class = NotificationSerializer
    if_match_required = False

    def get_object(self) -> Notification:
        return get_notification_for(self.request.user, self.kwargs["notification_id"])

    def perform_update(self, record: Notification, data: dict[str, Any]) -> Notification:
        notification_mark_read(notification=record, actor=self.person)
        record.refresh_from_db()
        return record
