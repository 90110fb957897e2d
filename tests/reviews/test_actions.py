"""Actions between reviews: "My actions" for everyone who owns one, and progress on an action, posted by
its owner (a partner professional included) or a covering clinician, and by nobody else."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone
from django.utils.text import Truncator

from accounts.history import acting_as
from accounts.models import User
from cases.models import CaseEvent, CaseEventKind, CaseStatus, NetworkMember, Visibility
from cases.services import network_member_remove
from formulation.models import ActionStatus, FormulationReport, Recommendation, ReportStatus
from reviews.models import ActionProgress
from reviews.services import action_progress_add
from tests.clock import hold_today
from tests.conftest import Cast
from tests.factories import recommendation, signed_off_report
from tests.reviews.helpers import at
from tests.reviews.review_helpers import REASON

TODAY = timezone.localdate()
_held = hold_today(TODAY)


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def body(response: Any) -> str:
    return response.content.decode()


@pytest.fixture
def report(cast: Cast) -> FormulationReport:
    return signed_off_report(cast, signed_off_at=at(TODAY - dt.timedelta(days=40), 12), reason_for_referral=REASON)


def action_of(cast: Cast, report: FormulationReport | None, owner: User, text: str, **kwargs: Any) -> Recommendation:
    kwargs.setdefault("due_on", TODAY + dt.timedelta(days=14))
    kwargs.setdefault("suits_from_stage", 1)
    return recommendation(cast, report, text, owner=owner, **kwargs)


def test_my_actions_lists_the_persons_open_actions_soonest_due_first(cast: Cast, report: FormulationReport) -> None:
    later = action_of(
        cast, report, cast.teacher, "Meet Kai's mother at parents' evening", due_on=TODAY + dt.timedelta(days=30)
    )
    sooner = action_of(
        cast, report, cast.teacher, "A daily check-in with Ms Marsh", due_on=TODAY - dt.timedelta(days=2)
    )
    action_of(cast, report, cast.teacher, "Book the school nurse", status=ActionStatus.DONE)
    action_of(cast, report, cast.case_manager, "Weekly sessions with Sam")
    with acting_as(cast.psychologist):
        draft = FormulationReport.objects.create(
            case=cast.case, version=2, author=cast.psychologist, updated_by=cast.psychologist
        )
    action_of(cast, draft, cast.teacher, "A draft recommendation, not an action yet")
    page = body(signed_in(cast.teacher).get("/actions/"))
    assert page.index("A daily check-in with Ms Marsh") < page.index("Meet Kai&#x27;s mother at parents&#x27; evening")
    assert len(re.findall(r'href="/actions/\d+/"', page)) == 2  # the navigation links to /actions/ itself
    assert f'href="/actions/{sooner.pk}/"' in page and f'href="/actions/{later.pk}/"' in page
    assert "Overdue" in page
    assert "Kai Brennan" in page
    for absent in ("Book the school nurse", "Weekly sessions with Sam", "A draft recommendation"):
        assert absent not in page
    assert "You have no open actions." in body(signed_in(cast.social_worker).get("/actions/"))


def test_my_actions_rows_cut_long_actions_and_say_the_status_and_the_last_update(
    cast: Cast, report: FormulationReport
) -> None:
    """Each row's words are worked out before the template (reviews/rows.py): the same as its filters wrote."""
    long_text = "Weekly check-ins with Ms Marsh about the timetable, " * 4
    action = action_of(cast, report, cast.teacher, long_text, due_on=TODAY + dt.timedelta(days=3))
    action_of(cast, report, cast.teacher, "Book the school nurse")
    page = body(signed_in(cast.teacher).get("/actions/"))
    assert "None yet" in page and "Not started" in page and "Overdue" not in page
    shown = re.search(rf'href="/actions/{action.pk}/">([^<]*)</a>', page)
    assert shown is not None and shown.group(1) == Truncator(long_text).chars(140) and shown.group(1).endswith("…")
    action_progress_add(action=action, actor=cast.teacher, status=ActionStatus.IN_PROGRESS, note="Two held.")
    page = body(signed_in(cast.teacher).get("/actions/"))
    assert '<strong class="govuk-tag govuk-tag--blue">In progress</strong>' in page
    assert f"{TODAY.day} {TODAY:%b} {TODAY.year}" in page  # the last update, as tables write dates


def test_the_teacher_posts_progress_on_her_action(cast: Cast, report: FormulationReport) -> None:
    action = action_of(cast, report, cast.teacher, "A daily check-in with Ms Marsh")
    client = signed_in(cast.teacher)
    url = f"/actions/{action.pk}/progress/"
    errors = body(client.post(url, {"status": ActionStatus.IN_PROGRESS, "note": " "}))
    assert "There is a problem" in errors and "Enter what has happened since the last update" in errors
    assert not ActionProgress.objects.exists()
    response = client.post(url, {"status": ActionStatus.IN_PROGRESS, "note": "Check-ins every morning this week."})
    assert response["Location"] == f"/actions/{action.pk}/"
    progress = ActionProgress.objects.get()
    assert (progress.review, progress.author, progress.noted_on, progress.status) == (
        None,
        cast.teacher,
        TODAY,
        ActionStatus.IN_PROGRESS,
    )
    action.refresh_from_db()
    assert action.status == ActionStatus.IN_PROGRESS
    line = CaseEvent.objects.filter(case=cast.case, kind=CaseEventKind.ACTION).get()
    assert (
        line.summary
        == "Progress on an action owned by Helen Marsh, Fernbrook Academy: in progress, noted by Helen Marsh"
    )
    assert line.visibility == Visibility.FULL  # the chronology line is for the full record, not the network
    page = body(client.get(f"/actions/{action.pk}/"))
    assert "Check-ins every morning this week." in page and "Post progress" in page


def test_the_teacher_reaches_her_own_actions_and_nothing_else(cast: Cast, report: FormulationReport) -> None:
    hers = action_of(cast, report, cast.teacher, "A daily check-in with Ms Marsh")
    not_hers = action_of(cast, report, cast.case_manager, "Weekly sessions with Sam")
    teacher = signed_in(cast.teacher)
    assert teacher.get(f"/actions/{hers.pk}/").status_code == 200
    assert teacher.get(f"/actions/{not_hers.pk}/").status_code == 403
    assert teacher.get(f"/actions/{not_hers.pk}/progress/").status_code == 403
    assert teacher.post(f"/actions/{not_hers.pk}/progress/", {"status": "done", "note": "Done"}).status_code == 403
    assert teacher.get(f"/cases/{cast.case.pk}/reviews/").status_code == 403
    assert teacher.get("/actions/999999/").status_code == 404
    outsider = signed_in(cast.social_worker)
    assert outsider.get(f"/actions/{hers.pk}/").status_code == 404
    assert outsider.post(f"/actions/{hers.pk}/progress/", {"status": "done", "note": "Done"}).status_code == 404
    assert not ActionProgress.objects.exists()
    not_hers.refresh_from_db()
    assert not_hers.status == ActionStatus.NOT_STARTED


def test_an_owner_who_leaves_the_network_loses_sight_of_the_action(cast: Cast, report: FormulationReport) -> None:
    action = action_of(cast, report, cast.teacher, "A daily check-in with Ms Marsh")
    member = NetworkMember.objects.get(case=cast.case, user=cast.teacher, removed_at__isnull=True)
    network_member_remove(member=member, actor=cast.case_manager)
    teacher = signed_in(cast.teacher)
    assert "You have no open actions." in body(teacher.get("/actions/"))
    assert teacher.get(f"/actions/{action.pk}/").status_code == 404
    assert teacher.post(f"/actions/{action.pk}/progress/", {"status": "done", "note": "Done"}).status_code == 404


def test_a_case_manager_updates_her_own_actions_and_reads_the_others(cast: Cast, report: FormulationReport) -> None:
    hers = action_of(cast, report, cast.case_manager, "Weekly sessions with Sam")
    clinicians = action_of(cast, report, cast.psychologist, "Consultation for Ms Marsh", suits_from_stage=2)
    client = signed_in(cast.case_manager)
    assert (
        client.post(f"/actions/{hers.pk}/progress/", {"status": "done", "note": "All eight held."}).status_code == 302
    )
    assert client.get(f"/actions/{clinicians.pk}/").status_code == 200
    assert "Post progress" not in body(client.get(f"/actions/{clinicians.pk}/"))
    assert client.get(f"/actions/{clinicians.pk}/progress/").status_code == 403
    assert signed_in(cast.colleague).get(f"/actions/{hers.pk}/progress/").status_code == 403


def test_covering_clinicians_post_progress_on_any_action(cast: Cast, report: FormulationReport) -> None:
    action = action_of(cast, report, cast.teacher, "A daily check-in with Ms Marsh")
    for clinician in (cast.psychologist, cast.senior_practitioner):
        response = signed_in(clinician).post(
            f"/actions/{action.pk}/progress/",
            {"status": "in_progress", "note": f"Checked with Ms Marsh ({clinician})."},
        )
        assert response.status_code == 302
    assert ActionProgress.objects.filter(action=action).count() == 2


def test_a_draft_recommendation_is_not_an_action(cast: Cast) -> None:
    with acting_as(cast.psychologist):
        draft = FormulationReport.objects.create(
            case=cast.case, version=1, author=cast.psychologist, updated_by=cast.psychologist
        )
    recommendation_in_draft = action_of(cast, draft, cast.teacher, "Not agreed yet")
    assert draft.status == ReportStatus.DRAFT
    for who in (cast.teacher, cast.psychologist):
        assert signed_in(who).get(f"/actions/{recommendation_in_draft.pk}/").status_code == 404
    with pytest.raises(ValidationError):
        action_progress_add(action=recommendation_in_draft, actor=cast.psychologist, status="done", note="Done")


def test_nobody_updates_the_actions_of_a_closed_case(cast: Cast, report: FormulationReport) -> None:
    action = action_of(cast, report, cast.teacher, "A daily check-in with Ms Marsh")
    type(cast.case).objects.filter(pk=cast.case.pk).update(status=CaseStatus.CLOSED)
    client = signed_in(cast.psychologist)
    response = client.post(f"/actions/{action.pk}/progress/", {"status": "done", "note": "Done"}, follow=True)
    assert "The case is closed: its actions can no longer be updated" in body(response)
    assert not ActionProgress.objects.exists()
    assert "You have no open actions." in body(signed_in(cast.teacher).get("/actions/"))


def test_my_actions_costs_the_same_queries_for_50_actions(
    cast: Cast, report: FormulationReport, django_assert_max_num_queries: Any
) -> None:
    for number in range(50):
        action_of(cast, report, cast.teacher, f"Action {number}", due_on=TODAY + dt.timedelta(days=number))
    client = signed_in(cast.teacher)
    client.get("/actions/")
    with django_assert_max_num_queries(12):
        page = body(client.get("/actions/"))
    assert len(re.findall(r'href="/actions/\d+/"', page)) == 50
