"""Authorization rows for the reviews app's URLs (see tests/authz/core.py for the Row type and the cast).

Notifications and e-mail preferences are personal: everyone signed in has their own pages, and
another person's notification answers 404 exactly like one that does not exist.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone

from accounts.history import acting_as
from core.documents.models import DocumentState
from formulation.models import Meeting, MeetingPurpose, Recommendation
from formulation.services import Invitee, meeting_schedule
from reviews.models import Notification, Review, ReviewDocument, ReviewStatus
from reviews.services import review_schedule
from tests.authz.core import ANON, FULL_RECORD, INVISIBLE, Row, case_path
from tests.conftest import Cast
from tests.factories import signed_off_report
from trm_stages.services import goal_set

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


# --- Reviews and actions -------------------------------------------------------------------------
#
# Reviews (DESIGN.md): the case's full-record readers read them; covering senior practitioners chair
# them; the TRM re-assessment at a review is also the psychologist's. A partner in the network sees
# no review page, only the actions they own ("My actions") and progress on those. The review here
# has started (so every step's form opens) and walks through one action, owned by the teacher.

CASE_READERS: Expected = {ANON: 302, **FULL_RECORD, "teacher": 403, **INVISIBLE}
CASE_WRITERS: Expected = CASE_READERS  # "change": the owning YJS's case managers and the covering clinicians
CHAIRS: Expected = {
    ANON: 302,
    "case_manager": 403,
    "colleague": 403,
    "psychologist": 403,
    "senior_practitioner": 200,
    "teacher": 403,
    **INVISIBLE,
}
STAGE_RECORDERS: Expected = {**CHAIRS, "psychologist": 200}
RECORD_RETRIERS: Expected = {**CASE_READERS, **{who: 302 for who in FULL_RECORD}}
# The teacher's own action: she and the full-record readers read it; she and the covering clinicians
# post progress on it; the case managers, who do not own it, may not.
ACTION_READERS: Expected = {ANON: 302, **FULL_RECORD, "teacher": 200, **INVISIBLE}
ACTION_UPDATERS: Expected = {
    ANON: 302,
    "case_manager": 403,
    "colleague": 403,
    "psychologist": 200,
    "senior_practitioner": 200,
    "teacher": 200,
    **INVISIBLE,
}


def _teachers_action(cast: Cast) -> Recommendation:
    """An action of Kai's signed-off formulation report, owned by the teacher (made once per cast)."""
    made: Recommendation | None = cast.__dict__.get("_authz_action")
    if made is None:
        signed_at = timezone.now() - dt.timedelta(days=30)
        report = signed_off_report(
            cast,
            signed_off_at=signed_at,
            recommendations=[
                {
                    "text": "A daily check-in with Ms Marsh at the start of school",
                    "suits_from_stage": 1,
                    "owner": cast.teacher,
                    "owner_agency": cast.school,
                    "due_on": timezone.localdate() + dt.timedelta(days=14),
                }
            ],
        )
        made = report.recommendations.get()
        cast.__dict__["_authz_action"] = made
    return made


def _review(cast: Cast) -> Review:
    """A review of Kai's case that started an hour ago, chaired by the senior practitioner (one action
    to walk through, one goal to rate)."""
    made: Review | None = cast.__dict__.get("_authz_review")
    if made is None:
        _teachers_action(cast)
        goal_set(
            case=cast.case,
            actor=cast.case_manager,
            text="Stay in lessons all week",
            set_by="Kai with Sam Okafor",
            set_on=timezone.localdate() - dt.timedelta(days=30),
            start_score=3,
        )
        tomorrow = timezone.now() + dt.timedelta(days=1)
        made = review_schedule(
            case=cast.case,
            actor=cast.senior_practitioner,
            starts_at=tomorrow,
            ends_at=tomorrow + dt.timedelta(hours=1),
            location="Meeting room 2, Fernbrook Academy",
            invitees=[Invitee(name="Helen Marsh", email=cast.teacher.email, user=cast.teacher, agency=cast.school)],
        )
        started = timezone.now() - dt.timedelta(hours=1)
        Meeting.objects.filter(pk=made.meeting_id).update(starts_at=started, ends_at=started + dt.timedelta(hours=2))
        cast.__dict__["_authz_review"] = made
    return made


SAMPLE_RECORD = "reviews/records/authz-matrix-sample.pdf"


def _signed_off_review(cast: Cast) -> Review:
    """A signed-off review of Kai's case whose record PDF is ready (made directly: the journey is elsewhere)."""
    made: Review | None = cast.__dict__.get("_authz_signed_off_review")
    if made is None:
        now = timezone.now()
        starts_at = now + dt.timedelta(days=2)
        meeting = meeting_schedule(
            case=cast.case,
            actor=cast.senior_practitioner,
            purpose=MeetingPurpose.REVIEW,
            starts_at=starts_at,
            ends_at=starts_at + dt.timedelta(hours=1),
            location="Bristol YJS",
            invitees=[Invitee(name="Helen Marsh", email=cast.teacher.email, user=cast.teacher, agency=cast.school)],
        )
        if not default_storage.exists(SAMPLE_RECORD):
            default_storage.save(SAMPLE_RECORD, ContentFile(b"%PDF-1.7 sample"))
        with acting_as(cast.senior_practitioner):
            made = Review.objects.create(
                case=cast.case,
                meeting=meeting,
                chair=cast.senior_practitioner,
                status=ReviewStatus.SIGNED_OFF,
                childs_views="Kai says school is better.",
                next_review_on=timezone.localdate() + dt.timedelta(weeks=8),
                signed_off_at=now,
                signed_off_by=cast.senior_practitioner,
            )
            ReviewDocument.objects.create(
                review=made, status=DocumentState.READY, file=SAMPLE_RECORD, pages=1, finished_at=now
            )
        cast.__dict__["_authz_signed_off_review"] = made
    return made


def record_path(suffix: str) -> Callable[[Cast], str]:
    return lambda cast: f"/cases/{cast.case.pk}/reviews/{_signed_off_review(cast).pk}/{suffix}"


def review_path(suffix: str = "") -> Callable[[Cast], str]:
    return lambda cast: f"/cases/{cast.case.pk}/reviews/{_review(cast).pk}/{suffix}"


def action_path(suffix: str = "") -> Callable[[Cast], str]:
    return lambda cast: f"/actions/{_teachers_action(cast).pk}/{suffix}"


REVIEW_ROWS: dict[str, Row] = {
    "reviews:review_list": Row(case_path("/cases/{case}/reviews/"), CASE_READERS),
    "reviews:review_cadence": Row(case_path("/cases/{case}/reviews/cadence/"), CASE_WRITERS),
    "reviews:review_schedule": Row(case_path("/cases/{case}/reviews/new/"), CHAIRS),
    "reviews:review_detail": Row(review_path(), CASE_READERS),
    "reviews:review_attendance": Row(review_path("attendance/"), CHAIRS),
    "reviews:review_stage": Row(review_path("stage/"), STAGE_RECORDERS),
    "reviews:review_walkthrough": Row(review_path("actions/"), CHAIRS),
    "reviews:review_goals": Row(review_path("goals/"), CHAIRS),
    "reviews:review_action_add": Row(review_path("actions/new/"), CHAIRS),
    "reviews:review_outcome": Row(review_path("views/"), CHAIRS),
    "reviews:review_sign_off": Row(review_path("sign-off/"), CHAIRS),
    # The signed-off review's record as a PDF: the case's full record, like the review itself.
    "reviews:review_record_status": Row(record_path("record/status/"), CASE_READERS),
    "reviews:review_record_download": Row(record_path("record.pdf"), CASE_READERS),
    # POST only: makes a failed PDF again and goes back to the review (with a message if nothing failed).
    "reviews:review_record_retry": Row(record_path("record/retry/"), RECORD_RETRIERS, method="post"),
    # Everyone signed in has their own list (empty for most).
    "reviews:my_actions": Row(lambda cast: "/actions/", {ANON: 302}, default=200),
    "reviews:action_detail": Row(action_path(), ACTION_READERS),
    "reviews:action_progress": Row(action_path("progress/"), ACTION_UPDATERS),
}
ROWS.update(REVIEW_ROWS)

# Every review and action form's POST with an empty body: those allowed get the form back with its
# errors (200) and nothing is saved; the rest 403 or 404 as for GET.
# tests/reviews/test_reviews_post_access.py runs them.
REVIEW_POST_ROWS: dict[str, Row] = {
    name: Row(REVIEW_ROWS[name].path, REVIEW_ROWS[name].expected, method="post")
    for name in (
        "reviews:review_cadence",
        "reviews:review_schedule",
        "reviews:review_attendance",
        "reviews:review_stage",
        "reviews:review_walkthrough",
        "reviews:review_goals",
        "reviews:review_action_add",
        "reviews:review_outcome",
        "reviews:review_sign_off",
        "reviews:action_progress",
    )
}
REVIEW_POST_ROWS["reviews:review_record_retry"] = REVIEW_ROWS["reviews:review_record_retry"]
