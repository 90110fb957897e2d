"""Authorization rows for the reviews app's URLs (see tests/authz/core.py for the Row type and the cast).

Notifications and e-mail preferences are personal: everyone signed in has their own pages, and
another person's notification answers 404 exactly like one that does not exist.
"""

from __future__ import annotations

from collections.abc import Callable

from reviews.models import Notification
from tests.authz.core import ANON, Row
from tests.conftest import Cast

Expected = dict[str, int | tuple[int, ...]]

# The psychologist's own notification: hers to mark read, invisible to everyone else.
ONLY_THE_PSYCHOLOGIST: Expected = {ANON: 302, "psychologist": 302}


def _notification(cast: Cast) -> Notification:
    """One notification for the psychologist, made once per cast (the matrix calls the path per person)."""
    made: Notification | None = cast.__dict__.get("_authz_notification")
    if made is None:
        made = Notification.objects.create(
            recipient=cast.psychologist,
            title="A referral has waited 11 working days for triage",
            body="Referral 1 from Bristol YJS is still waiting for a triage decision.",
            link="/referrals/triage/",
        )
        cast.__dict__["_authz_notification"] = made
    return made


def notification_path(path: str) -> Callable[[Cast], str]:
    return lambda cast: path.format(notification=_notification(cast).pk)


ROWS: dict[str, Row] = {
    "reviews:notifications": Row(lambda cast: "/notifications/", {ANON: 302}, default=200),
    "reviews:email_preferences": Row(lambda cast: "/notifications/preferences/", {ANON: 302}, default=200),
    # Marking your own notifications read redirects back to the list (the sign-in page when signed out).
    "reviews:notifications_read_all": Row(lambda cast: "/notifications/read-all/", {}, method="post", default=302),
    "reviews:notification_read": Row(
        notification_path("/notifications/{notification}/read/"), ONLY_THE_PSYCHOLOGIST, method="post", default=404
    ),
}

# Every POST of the app, for the triad test in tests/reviews/test_post_access.py. An empty
# preferences form is valid (no e-mails wanted), so it saves and redirects for everyone signed in.
POST_ROWS: dict[str, Row] = {
    "reviews:notification_read": ROWS["reviews:notification_read"],
    "reviews:notifications_read_all": ROWS["reviews:notifications_read_all"],
    "reviews:email_preferences": Row(
        lambda cast: "/notifications/preferences/", {ANON: 302}, method="post", default=302
    ),
}
