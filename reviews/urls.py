"""URLs of the reviews app, full paths (included at the site root). Each has rows in tests/authz/reviews.py."""

from django.urls import path

import config.converters  # noqa: F401 - registers <id:...>, the path converter for record ids
from reviews.views import actions, notifications, reviews

app_name = "reviews"

REVIEWS = "cases/<id:case_id>/reviews/"
REVIEW = "cases/<id:case_id>/reviews/<id:review_id>/"

urlpatterns = [
    path("notifications/", notifications.notification_list, name="notifications"),
    path("notifications/read-all/", notifications.notifications_read_all, name="notifications_read_all"),
    path(
        "notifications/<id:notification_id>/read/",
        notifications.notification_read,
        name="notification_read",
    ),
    path("notifications/preferences/", notifications.email_preferences, name="email_preferences"),
    # Reviews of a case, and recording one review step by step.
    path(REVIEWS, reviews.review_list, name="review_list"),
    path(f"{REVIEWS}cadence/", reviews.review_cadence, name="review_cadence"),
    path(f"{REVIEWS}new/", reviews.review_schedule, name="review_schedule"),
    path(REVIEW, reviews.review_detail, name="review_detail"),
    path(f"{REVIEW}attendance/", reviews.review_attendance, name="review_attendance"),
    path(f"{REVIEW}stage/", reviews.review_stage, name="review_stage"),
    path(f"{REVIEW}actions/", reviews.review_walkthrough, name="review_walkthrough"),
    path(f"{REVIEW}goals/", reviews.review_goals, name="review_goals"),
    path(f"{REVIEW}actions/new/", reviews.review_action_add, name="review_action_add"),
    path(f"{REVIEW}views/", reviews.review_outcome, name="review_outcome"),
    path(f"{REVIEW}sign-off/", reviews.review_sign_off, name="review_sign_off"),
    # The signed-off review's record as a PDF (made by a Celery job).
    path(f"{REVIEW}record/status/", reviews.review_record_status, name="review_record_status"),
    path(f"{REVIEW}record.pdf", reviews.review_record_download, name="review_record_download"),
    path(f"{REVIEW}record/retry/", reviews.review_record_retry, name="review_record_retry"),
    # Actions: everyone's own, and one action with its progress.
    path("actions/", actions.my_actions, name="my_actions"),
    path("actions/<id:action_id>/", actions.action_detail, name="action_detail"),
    path("actions/<id:action_id>/progress/", actions.action_progress, name="action_progress"),
]
