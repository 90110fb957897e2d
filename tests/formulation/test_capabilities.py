"""Report and meeting capabilities: the version's (or meeting's) state and the access module in one object."""

from __future__ import annotations

import datetime as dt

from django.template.loader import render_to_string
from django.utils import timezone

from formulation.capabilities import case_report_capabilities, meeting_capabilities, report_capabilities
from formulation.models import Meeting
from formulation.services import meeting_cancel, report_comment_add, report_start
from tests.conftest import Cast
from tests.formulation.report_support import in_review, second_psychologist, signed_off, written


def test_the_author_edits_and_submits_a_draft_nobody_comments_on_it(cast: Cast) -> None:
    report = written(cast)
    author = report_capabilities(cast.psychologist, report)
    assert author.edit and author.submit and author.is_author and not author.comment and not author.sign_off
    reviewer = report_capabilities(cast.senior_practitioner, report)
    assert not reviewer.submit and not reviewer.comment and not reviewer.sign_off
    manager = report_capabilities(cast.case_manager, report)
    assert not manager.edit and not manager.sees_sign_off_problems


def test_in_review_the_reviewer_signs_off_and_the_author_only_answers(cast: Cast) -> None:
    report = in_review(cast)
    author = report_capabilities(cast.psychologist, report)
    assert author.edit and not author.submit and author.comment and not author.sign_off
    reviewer = report_capabilities(cast.senior_practitioner, report)
    assert reviewer.comment and reviewer.sign_off and reviewer.sees_sign_off_problems
    assert report_capabilities(second_psychologist(cast), report).sign_off


def test_a_comment_is_resolved_by_the_reports_author_or_its_own_author_only(cast: Cast) -> None:
    report = in_review(cast)
    another = second_psychologist(cast)
    comment = report_comment_add(report=report, actor=cast.senior_practitioner, text="Say more about school.")
    assert report_capabilities(cast.psychologist, report).resolve_comment(comment)
    assert report_capabilities(cast.senior_practitioner, report).resolve_comment(comment)
    assert not report_capabilities(another, report).resolve_comment(comment)
    html = render_to_string(
        "formulation/includes/report_comments.html",
        {
            "comments": [comment],
            "place": "whole",
            "report": report,
            "case": cast.case,
            "caps": report_capabilities(another, report),
        },
    )
    assert "Mark as resolved" not in html and "Comment" in html


def test_a_signed_off_version_is_locked_and_only_the_newest_is_reformulated(cast: Cast) -> None:
    report = signed_off(cast)
    caps = report_capabilities(cast.psychologist, report)
    assert caps.locked and caps.reformulate and not caps.edit and not caps.comment
    report_start(case=cast.case, actor=cast.psychologist)
    assert not report_capabilities(cast.psychologist, report).reformulate
    assert not report_capabilities(cast.case_manager, report).reformulate


def test_the_case_report_is_started_once_and_drafts_are_read_by_the_clinicians(cast: Cast) -> None:
    assert case_report_capabilities(cast.psychologist, cast.case, being_written=None).start
    report = written(cast)
    clinician = case_report_capabilities(cast.psychologist, cast.case, being_written=report)
    assert clinician.read_drafts and not clinician.start
    manager = case_report_capabilities(cast.case_manager, cast.case, being_written=None)
    assert not manager.read_drafts and not manager.start


def test_a_meeting_is_changed_while_scheduled_recorded_once_started(cast: Cast, meeting: Meeting) -> None:
    organiser = meeting_capabilities(cast.psychologist, meeting)
    assert organiser.manage and organiser.change and not organiser.record and not organiser.correct
    started = meeting_capabilities(cast.psychologist, meeting, now=meeting.starts_at + dt.timedelta(minutes=5))
    assert started.record
    reader = meeting_capabilities(cast.case_manager, meeting)
    assert reader.full_record and not reader.manage and not reader.change and not reader.see_attendance
    partner = meeting_capabilities(cast.teacher, meeting)
    assert not partner.full_record and not partner.manage


def test_a_cancelled_meeting_offers_nothing(cast: Cast, meeting: Meeting) -> None:
    meeting = meeting_cancel(meeting=meeting, actor=cast.psychologist, reason="The school is closed.")
    caps = meeting_capabilities(cast.psychologist, meeting, now=timezone.now() + dt.timedelta(days=400))
    assert caps.manage and not caps.change and not caps.record and not caps.correct
