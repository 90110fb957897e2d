"""Actions (with progress posted through the actions' service) and reviews through the API (reviews/api.py)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from accounts.history import acting_as
from cases.models import CaseEvent, CaseEventKind
from cases.services import case_close
from formulation.models import Meeting, MeetingPurpose, MeetingStatus, Recommendation
from reviews.models import ActionProgress, Review, ReviewStatus
from reviews.services import action_progress_add
from tests.api.helpers import token_client
from tests.conftest import Cast
from tests.factories import signed_off_report

PROGRESS = {"status": "in_progress", "note": "Kai came to the first three check-ins."}


def _action(cast: Cast, owner: Any, text: str, **fields: Any) -> dict[str, Any]:
    return {
        "text": text,
        "suits_from_stage": 1,
        "owner": owner,
        "due_on": timezone.localdate() + dt.timedelta(days=14),
        **fields,
    }


@pytest.fixture
def actions(cast: Cast) -> dict[str, Recommendation]:
    """Two actions of Kai's signed-off report: the teacher's, and the case manager's."""
    report = signed_off_report(
        cast,
        recommendations=[
            _action(cast, cast.teacher, "A daily check-in with Ms Marsh", owner_agency=cast.school),
            _action(cast, cast.case_manager, "Find Kai a football club", owner_agency=cast.bristol),
        ],
    )
    first, second = report.recommendations.order_by("position")
    return {"teachers": first, "case_managers": second}


def action_url(action: Recommendation, suffix: str = "") -> str:
    return f"/api/v1/actions/{action.pk}/{suffix}"


# --- Reading actions -------------------------------------------------------------------------------------


def test_the_full_record_reads_every_action_the_network_its_own(cast: Cast, actions: dict[str, Recommendation]) -> None:
    url = f"/api/v1/cases/{cast.case.pk}/actions/"
    everyone = token_client(cast.colleague, cast=cast).get(url).json()["results"]
    assert {action["id"] for action in everyone} == {actions["teachers"].pk, actions["case_managers"].pk}
    mine = token_client(cast.teacher, cast=cast).get(url).json()["results"]
    assert [(action["id"], action["owner"]) for action in mine] == [
        (actions["teachers"].pk, "Helen Marsh, Fernbrook Academy")
    ]
    for person in (cast.banes_case_manager, cast.social_worker):
        assert token_client(person, cast=cast).get(url).status_code == 404


def test_one_action_for_its_owner_and_the_full_record(cast: Cast, actions: dict[str, Recommendation]) -> None:
    response = token_client(cast.teacher, cast=cast).get(action_url(actions["teachers"]))
    assert response.status_code == 200 and response["ETag"]
    assert response.json()["origin"] == "Formulation report, version 1"
    assert token_client(cast.case_manager, cast=cast).get(action_url(actions["teachers"])).status_code == 200
    # The teacher sees the case only through its summary: someone else's action needs the full record.
    assert token_client(cast.teacher, cast=cast).get(action_url(actions["case_managers"])).status_code == 403
    assert token_client(cast.banes_case_manager, cast=cast).get(action_url(actions["teachers"])).status_code == 404


def test_the_action_list_query_count_is_pinned(cast: Cast, django_assert_num_queries: Any) -> None:
    report = signed_off_report(cast, recommendations=[_action(cast, cast.teacher, f"Step {n}") for n in range(30)])
    for action in report.recommendations.all():
        action.case = cast.case
        action_progress_add(action=action, actor=cast.psychologist, status="in_progress", note="Started.")
    client = token_client(cast.case_manager, cast=cast)
    with django_assert_num_queries(7):
        body = client.get(f"/api/v1/cases/{cast.case.pk}/actions/").json()
    assert len(body["results"]) == 30 and all(len(action["progress"]) == 1 for action in body["results"])


# --- Posting progress -------------------------------------------------------------------------------------


def test_the_owner_posts_progress_through_the_service_with_the_etag_read(
    cast: Cast, actions: dict[str, Recommendation]
) -> None:
    client = token_client(cast.teacher, cast=cast)
    etag = client.get(action_url(actions["teachers"]))["ETag"]
    response = client.post(
        action_url(actions["teachers"], "progress/"),
        PROGRESS,
        content_type="application/json",
        headers={"If-Match": etag},
    )
    assert response.status_code == 200, response.content
    assert response["ETag"] != etag
    body = response.json()
    assert body["status"] == "in_progress"
    assert [(note["note"], note["author"]) for note in body["progress"]] == [(PROGRESS["note"], "Helen Marsh")]
    progress = ActionProgress.objects.get(action=actions["teachers"])
    assert (progress.author, progress.status, progress.review) == (cast.teacher, "in_progress", None)
    line = CaseEvent.objects.filter(case=cast.case, kind=CaseEventKind.ACTION).latest("pk")
    assert line.actor == cast.teacher and line.summary.startswith("Progress on an action owned by Helen Marsh")


def test_a_covering_clinician_posts_progress_on_anyones_action(cast: Cast, actions: dict[str, Recommendation]) -> None:
    client = token_client(cast.psychologist, cast=cast)
    url = action_url(actions["case_managers"], "progress/")
    response = client.post(url, PROGRESS, content_type="application/json", headers={"If-Match": "*"})
    assert response.status_code == 200
    assert ActionProgress.objects.filter(action=actions["case_managers"], author=cast.psychologist).exists()


def test_progress_without_the_etag_is_428_and_with_a_stale_one_412(
    cast: Cast, actions: dict[str, Recommendation]
) -> None:
    client = token_client(cast.teacher, cast=cast)
    stale = client.get(action_url(actions["teachers"]))["ETag"]
    action = actions["teachers"]
    action.case = cast.case
    action_progress_add(action=action, actor=cast.psychologist, status="in_progress", note="Started.")
    url = action_url(actions["teachers"], "progress/")
    assert client.post(url, PROGRESS, content_type="application/json").status_code == 428
    assert client.post(url, PROGRESS, content_type="application/json", headers={"If-Match": stale}).status_code == 412
    assert ActionProgress.objects.filter(action=action).count() == 1


def test_bad_progress_is_400_naming_the_fields(cast: Cast, actions: dict[str, Recommendation]) -> None:
    client = token_client(cast.teacher, cast=cast)
    response = client.post(
        action_url(actions["teachers"], "progress/"),
        {"status": "finished-ish", "note": ""},
        content_type="application/json",
        headers={"If-Match": "*"},
    )
    assert response.status_code == 400
    assert set(response.json()) == {"status", "note"}
    assert not ActionProgress.objects.exists()


def test_progress_on_a_closed_case_is_refused_by_the_service(cast: Cast, actions: dict[str, Recommendation]) -> None:
    case_close(
        case=cast.case,
        actor=cast.case_manager,
        reason="goals_met",
        outcome_summary="Kai is settled at school.",
        ending_plan="Ms Marsh carries on the check-ins.",
    )
    response = token_client(cast.teacher, cast=cast).post(
        action_url(actions["teachers"], "progress/"),
        PROGRESS,
        content_type="application/json",
        headers={"If-Match": "*"},
    )
    assert response.status_code == 400
    assert "non_field_errors" in response.json()


def test_who_may_not_post_progress(cast: Cast, actions: dict[str, Recommendation]) -> None:
    def post(person: Any, action: Recommendation, **token: Any) -> int:
        client = token_client(person, cast=cast, **token)
        url = action_url(action, "progress/")
        return client.post(url, PROGRESS, content_type="application/json", headers={"If-Match": "*"}).status_code

    # A case manager reads every action but posts progress on their own only (the covering clinicians on any).
    assert post(cast.colleague, actions["teachers"]) == 403
    assert post(cast.teacher, actions["teachers"], scopes=("read",)) == 403
    assert post(cast.teacher, actions["case_managers"]) == 403
    assert post(cast.banes_case_manager, actions["teachers"]) == 404
    assert post(cast.social_worker, actions["teachers"]) == 404
    assert not ActionProgress.objects.exists()


# --- Reviews ---------------------------------------------------------------------------------------------


def _signed_off_review(cast: Cast, *, days_ago: int) -> Review:
    starts_at = timezone.now() - dt.timedelta(days=days_ago)
    with acting_as(cast.senior_practitioner):
        meeting = Meeting.objects.create(
            case=cast.case,
            purpose=MeetingPurpose.REVIEW,
            starts_at=starts_at,
            ends_at=starts_at + dt.timedelta(hours=1),
            location="Bristol YJS",
            organiser=cast.senior_practitioner,
            status=MeetingStatus.HELD,
            ics_uid=f"review-{days_ago}@ecm.test",
        )
        return Review.objects.create(
            case=cast.case,
            meeting=meeting,
            chair=cast.senior_practitioner,
            status=ReviewStatus.SIGNED_OFF,
            childs_views="Kai says school is better.",
            next_review_on=timezone.localdate() + dt.timedelta(weeks=8),
            signed_off_at=starts_at + dt.timedelta(hours=2),
            signed_off_by=cast.senior_practitioner,
            attendance_record=[
                {
                    "name": "Helen Marsh",
                    "role": "Designated teacher",
                    "agency": "Fernbrook Academy",
                    "attendance": "attended",
                }
            ],
        )


def test_the_full_record_reads_reviews(cast: Cast) -> None:
    review = _signed_off_review(cast, days_ago=3)
    client = token_client(cast.case_manager, cast=cast)
    [listed] = client.get(f"/api/v1/cases/{cast.case.pk}/reviews/").json()["results"]
    assert (listed["id"], listed["status"], listed["chair"]) == (review.pk, "signed_off", "Jordan Reeve")
    response = client.get(f"/api/v1/cases/{cast.case.pk}/reviews/{review.pk}/")
    assert response.status_code == 200 and response["ETag"]
    body = response.json()
    assert body["childs_views"] == "Kai says school is better."
    assert body["attendance"] == [
        {"name": "Helen Marsh", "role": "Designated teacher", "agency": "Fernbrook Academy", "attendance": "attended"}
    ]


def test_the_network_may_not_read_reviews_and_other_services_do_not_find_them(cast: Cast) -> None:
    review = _signed_off_review(cast, days_ago=3)
    for url in (f"/api/v1/cases/{cast.case.pk}/reviews/", f"/api/v1/cases/{cast.case.pk}/reviews/{review.pk}/"):
        assert token_client(cast.teacher, cast=cast).get(url).status_code == 403
        assert token_client(cast.banes_case_manager, cast=cast).get(url).status_code == 404
        assert token_client(cast.case_manager, cast=cast, scopes=("write",)).get(url).status_code == 403


def test_the_review_list_query_count_is_pinned(cast: Cast, django_assert_num_queries: Any) -> None:
    for days_ago in range(1, 31):
        _signed_off_review(cast, days_ago=days_ago)
    client = token_client(cast.psychologist, cast=cast)
    with django_assert_num_queries(6):
        assert len(client.get(f"/api/v1/cases/{cast.case.pk}/reviews/").json()["results"]) == 30
