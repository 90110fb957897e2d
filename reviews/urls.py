"""URLs of the reviews app, full paths (included at the site root). Each has rows in tests/authz/reviews.py."""

from django.urls import path

from reviews.views import notifications

app_name = "reviews"

urlpatterns = [
    path("notifications/", notifications.notification_list, name="notifications"),
    path("notifications/read-all/", notifications.notifications_read_all, name="notifications_read_all"),
    path(
        "notifications/<int:notification_id>/read/",
        notifications.notification_read,
        name="notification_read",
    ),
    path("notifications/preferences/", notifications.email_preferences, name="email_preferences"),
]
