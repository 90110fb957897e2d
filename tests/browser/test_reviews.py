"""A review in a real browser: the senior practitioner schedules Kai's review, records who came, the TRM
re-assessment with the psychologist, progress on every action (CBT still carries its sequencing
warning), a goal rating, a new action for the teacher and Kai's views, and signs it off; the teacher
finds the new action in "My actions" and posts its progress.

Every page reached is screenshotted, checked for failed loads and checked with axe (support.look).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.utils import timezone
from playwright.sync_api import Page, expect

from formulation.models import ActionStatus, Meeting, Recommendation
from reviews.models import ActionProgress, Review, ReviewStatus
from tests.browser.support import look, sign_in, sign_out, visit
from tests.conftest import Cast
from tests.factories import signed_off_report
from tests.reviews.review_helpers import allocate_clinicians
from trm_stages.models import AssessmentSource, StageAssessment
from trm_stages.services import goal_set, stage_assessment_record

CBT = "Start CBT sessions on anger with the CAMHS practitioner"
NEW_ACTION = "Find Kai a place at the Saturday football club and go with him the first time"


def banner(page: Page) -> Any:
    return page.locator(".govuk-notification-banner--success")


def error_summary(page: Page) -> Any:
    return page.locator(".govuk-error-summary")


def fill_date(page: Page, legend: str, day: dt.date) -> None:
    group = page.get_by_role("group", name=legend)
    group.get_by_label("Day").fill(str(day.day))
    group.get_by_label("Month").fill(str(day.month))
    group.get_by_label("Year").fill(str(day.year))


def kai_after_formulation(cast: Cast) -> None:
    """Kai at stage 2, one open goal, and the report signed off six weeks ago with three actions."""
    allocate_clinicians(cast)
    today = timezone.localdate()
    signed_on = today - dt.timedelta(weeks=6)
    stage_assessment_record(
        case=cast.case,
        actor=cast.psychologist,
        assessed_on=signed_on,
        stage_number=2,
        evidence="Kai has begun to trust Ms Marsh and keeps his Tuesday sessions.",
        source=AssessmentSource.FORMULATION,
    )
    goal_set(
        case=cast.case,
        actor=cast.case_manager,
        text="Stay in lessons all week",
        set_by="Kai with Sam Okafor",
        set_on=signed_on,
        start_score=3,
    )
    actions = [
        ("A daily check-in with Ms Marsh at the start of school", cast.teacher, cast.school, 1),
        ("Weekly one-to-one sessions with Sam at the same time and place", cast.case_manager, cast.bristol, 2),
        (CBT, cast.psychologist, cast.ecm_team, 4),
    ]
    signed_off_report(
        cast,
        signed_off_at=timezone.now() - dt.timedelta(weeks=6),
        recommendations=[
            {
                "position": position,
                "text": text,
                "suits_from_stage": stage,
                "justification": "Kai asked for it himself." if stage > 2 else "",
                "owner": owner,
                "owner_agency": agency,
                "due_on": today + dt.timedelta(days=21 * position),
            }
            for position, (text, owner, agency, stage) in enumerate(actions, start=1)
        ],
    )


def test_the_senior_practitioner_runs_a_review_and_the_teacher_posts_progress_on_her_new_action(
    page: Page, live_server: Any, cast: Cast
) -> None:
    kai_after_formulation(cast)
    today = timezone.localdate()
    tomorrow = today + dt.timedelta(days=1)
    reviews_url = f"/cases/{cast.case.pk}/reviews/"

    sign_in(page, live_server, cast.senior_practitioner.username, name="reviews - senior practitioner")
    visit(page, live_server, reviews_url, "reviews - the case's reviews")
    expect(page.get_by_text("Every 8 weeks")).to_be_visible()
    page.get_by_role("link", name="Schedule a review").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Schedule a review")
    look(page, "reviews - schedule form")
    fill_date(page, "Date of the meeting", tomorrow)
    page.get_by_label("Start time").fill("10:00")
    page.get_by_label("End time").fill("11:30")
    page.get_by_label("Place", exact=True).fill("Meeting room 2, Fernbrook Academy")
    page.get_by_label("Helen Marsh (Designated teacher, Fernbrook Academy)").check()
    page.get_by_label("Sam Okafor (Case holder, Bristol YJS)").check()
    page.get_by_label("Alex Morgan (Psychologist, ECM Team)").check()
    page.get_by_role("button", name="Schedule and send invitations").click()
    expect(banner(page)).to_contain_text("Review scheduled: invitations sent to 3 people")
    expect(page.get_by_text("You can record the review once its meeting has started.")).to_be_visible()
    look(page, "reviews - scheduled review")
    review = Review.objects.get(case=cast.case)

    # The review day comes: the meeting started an hour ago.
    started = timezone.now() - dt.timedelta(hours=1)
    Meeting.objects.filter(pk=review.meeting_id).update(starts_at=started, ends_at=started + dt.timedelta(hours=2))
    page.reload()
    look(page, "reviews - review to record")

    # Who came.
    page.get_by_role("link", name="Who attended").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Who attended the review")
    page.get_by_role("button", name="Save attendance").click()
    expect(error_summary(page).get_by_role("link", name="Choose whether Helen Marsh attended")).to_be_visible()
    look(page, "reviews - attendance errors")
    page.get_by_role("group", name="Helen Marsh (Designated teacher, Fernbrook Academy)").get_by_label(
        "Attended", exact=True
    ).check()
    page.get_by_role("group", name="Sam Okafor (Case holder, Bristol YJS)").get_by_label("Attended", exact=True).check()
    page.get_by_role("group", name="Alex Morgan (Psychologist, ECM Team)").get_by_label("Sent apologies").check()
    page.get_by_role("button", name="Save attendance").click()
    expect(banner(page)).to_contain_text("Attendance saved")

    # The TRM re-assessment, entered by the chair for the psychologist.
    page.get_by_role("link", name="TRM re-assessment").click()
    expect(page.get_by_role("combobox", name="Which psychologist assessed the stage?")).to_have_value(
        str(cast.psychologist.pk)
    )
    look(page, "reviews - TRM re-assessment form")
    page.get_by_role("radio", name=re.compile(r"^Stage 3")).check()
    page.get_by_label("Evidence").fill("Kai told Ms Marsh about his brother; he is working through it with her.")
    page.get_by_role("button", name="Save the stage").click()
    expect(banner(page)).to_contain_text("TRM re-assessment saved: stage 3")

    # Every open action, CBT still above Kai's stage.
    page.get_by_role("link", name="Progress on every open action").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Progress on actions")
    warning = page.locator(".govuk-warning-text")
    expect(warning).to_have_count(1)
    expect(warning).to_contain_text("This suits children from stage 4; the child is at stage 3")
    look(page, "reviews - walk-through")
    statuses = {1: "Done", 2: "In progress", 3: "Not started"}
    notes = {
        1: "Check-ins happen every morning; Kai asked to keep them going.",
        2: "Seven of eight sessions kept.",
        3: "",
    }
    for number in (1, 2, 3):
        page.get_by_role("group", name=f"Status of action {number}").get_by_label(statuses[number], exact=True).check()
        page.get_by_label(f"Progress on action {number}").fill(notes[number])
    page.get_by_role("button", name="Save progress on every action").click()
    expect(error_summary(page).get_by_role("link", name="Enter a progress note for action 3")).to_be_visible()
    look(page, "reviews - walk-through errors")
    assert not ActionProgress.objects.exists()
    page.get_by_label("Progress on action 3").fill("Not yet: Kai is not ready for cognitive work.")
    page.get_by_role("button", name="Save progress on every action").click()
    expect(banner(page)).to_contain_text("Progress saved on 3 actions")

    # The goal.
    page.get_by_role("link", name="Goal ratings").click()
    page.get_by_label("Score for goal 1, from 0 to 10").fill("7")
    look(page, "reviews - goal ratings")
    page.get_by_role("button", name="Save the ratings").click()
    expect(banner(page)).to_contain_text("Ratings saved for 1 goal")

    # A new action for the teacher.
    page.get_by_role("link", name="Add a new action").click()
    page.get_by_label("What is the action?").fill(NEW_ACTION)
    page.get_by_label("Helen Marsh (Designated teacher, Fernbrook Academy)").check()
    fill_date(page, "When is it due?", today + dt.timedelta(days=28))
    page.get_by_role("group", name="What is the lowest TRM stage this action suits?").get_by_role(
        "radio", name=re.compile(r"^Stage 2")
    ).check()
    look(page, "reviews - new action form")
    page.get_by_role("button", name="Add the action").click()
    expect(banner(page)).to_contain_text("Action added for Helen Marsh, Fernbrook Academy")

    # Kai's views and the next review (proposed eight weeks on).
    page.get_by_role("link", name="The child's views and the next review").click()
    expect(page.get_by_role("group", name="Date of the next review").get_by_label("Day")).not_to_have_value("")
    page.get_by_label("The child's views").fill("Kai says school is better since the check-ins started.")
    look(page, "reviews - views and next review")
    page.get_by_role("button", name="Save").click()
    look(page, "reviews - every step recorded")

    page.get_by_role("link", name="Check and sign off the review").click()
    look(page, "reviews - sign off")
    page.get_by_role("button", name="Sign off the review").click()
    expect(banner(page)).to_contain_text("Review signed off: it can no longer be changed")
    expect(page.get_by_role("link", name="Who attended")).to_have_count(0)
    look(page, "reviews - signed-off review")
    review.refresh_from_db()
    assert review.status == ReviewStatus.SIGNED_OFF
    assert StageAssessment.objects.get(review__pk=review.pk).assessor == cast.psychologist

    # The teacher: her new action, and progress on it.
    sign_out(page, live_server)
    sign_in(page, live_server, cast.teacher.username, name="reviews - teacher")
    visit(page, live_server, "/actions/", "reviews - teacher's actions")
    table = page.get_by_role("table")
    expect(table.get_by_role("row")).to_have_count(2)  # the header and the new action: the check-in is done
    expect(table).not_to_contain_text(CBT)
    expect(table).not_to_contain_text("A daily check-in")
    page.get_by_role("link", name=NEW_ACTION).click()
    look(page, "reviews - teacher's action")
    page.get_by_role("link", name="Post progress").click()
    page.get_by_role("button", name="Save progress").click()
    expect(error_summary(page)).to_contain_text("Enter what has happened since the last update")
    look(page, "reviews - progress errors")
    page.get_by_label("In progress").check()
    page.get_by_label("What has happened?").fill("Kai came to the first session with me on Saturday.")
    page.get_by_role("button", name="Save progress").click()
    expect(banner(page)).to_contain_text("Progress saved")
    expect(page.get_by_role("main")).to_contain_text("Kai came to the first session with me on Saturday.")
    look(page, "reviews - teacher's progress saved")
    new_action = Recommendation.objects.get(text=NEW_ACTION)
    assert new_action.status == ActionStatus.IN_PROGRESS
    visit(page, live_server, reviews_url, "reviews - the reviews as the teacher", status=403)
    visit(page, live_server, review.get_absolute_url(), "reviews - the review as the teacher", status=403)
