"""Review pages: the case's reviews and cadence, scheduling, each step of recording, and the sign-off.

Every page gets its case through the access module: the case's full-record readers read reviews
("view"), covering senior practitioners chair them ("chair_review"); the TRM re-assessment is also
open to the psychologist ("record_stage_assessment"). The meeting itself (time, place, invitations,
cancelling) is managed on the meeting's own pages, shared with formulation meetings.
"""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import dateformat, timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.audit import access_event_record
from accounts.models import AccessAction
from cases import access
from cases.access import Action
from cases.selectors import case_people, network_agencies
from core.documents.progress import DocumentProgress
from core.documents.services import document_retry
from core.documents.views import document_download_response, document_retry_response, document_status_response
from core.http import SignedInRequest, is_post
from core.pagination import paginate
from formulation.forms import MeetingRecordForm, MeetingScheduleForm
from formulation.selectors import current_invitations, invitation_candidates, network_members_without_email
from reviews import action_selectors, documents, selectors, services, walkthrough
from reviews.capabilities import case_review_capabilities, review_capabilities
from reviews.forms import (
    GoalRatingsForm,
    ReviewActionForm,
    ReviewCadenceForm,
    ReviewOutcomeForm,
    ReviewSignOffForm,
    WalkthroughForm,
)
from reviews.models import Review, ReviewDocument, ReviewStatus
from trm_stages import selectors as trm
from trm_stages.forms import StageAssessmentForm
from trm_stages.sequencing import hint_rules

REVIEWS_PER_PAGE = 25


def _people(count: int) -> str:
    return f"{count} {'person' if count == 1 else 'people'}"


def _closed(request: SignedInRequest, review: Review, *, started: bool = True) -> HttpResponse | None:
    """Back to the review, saying why, when nothing more can be recorded in it."""
    reason = selectors.recording_closed_reason(review, started=started)
    if reason:
        messages.error(request, reason)
        return redirect(review)
    return None


@login_required
@require_GET
def review_list(request: SignedInRequest, case_id: int) -> HttpResponse:
    """The case's reviews, when the next one is due, and the cadence."""
    case = access.get_case_for(request.user, case_id, Action.VIEW)
    context = {
        "case": case,
        "next_review": selectors.next_review(case),
        "caps": case_review_capabilities(request.user, case),
        **paginate(request, selectors.reviews_of(case), REVIEWS_PER_PAGE),
    }
    return render(request, "reviews/review_list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def review_cadence(request: SignedInRequest, case_id: int) -> HttpResponse:
    """How many weeks between reviews (case managers and clinicians)."""
    case = access.get_case_for(request.user, case_id, Action.CHANGE)
    form = ReviewCadenceForm(
        request.POST if is_post(request) else None, initial={"every_weeks": selectors.review_weeks(case)}
    )
    if is_post(request) and form.is_valid():
        try:
            schedule = services.review_cadence_set(
                case=case, actor=request.user, every_weeks=form.cleaned_data["every_weeks"]
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, f"Reviews are now every {schedule.every_weeks} weeks")
            return redirect("reviews:review_list", case.pk)
    return render(request, "reviews/review_cadence.html", {"case": case, "form": form})


@login_required
@require_http_methods(["GET", "POST"])
def review_schedule(request: SignedInRequest, case_id: int) -> HttpResponse:
    """A covering senior practitioner schedules the review meeting and chairs the review."""
    case = access.get_case_for(request.user, case_id, Action.CHAIR_REVIEW)
    upcoming = selectors.next_review(case)
    proposed = upcoming.due_on if upcoming.due_on and upcoming.due_on > timezone.localdate() else None
    form = MeetingScheduleForm(
        request.POST if is_post(request) else None,
        initial={"day": proposed} if proposed else None,
        candidates=invitation_candidates(case=case, organiser=request.user),
        agencies=network_agencies(),
    )
    if is_post(request) and form.is_valid():
        try:
            review = services.review_schedule(
                case=case, actor=request.user, invitees=form.cleaned_data["invitees"], **form.details()
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            invited = len(form.cleaned_data["invitees"])
            messages.success(request, f"Review scheduled: invitations sent to {_people(invited)}")
            return redirect(review)
    context = {
        "case": case,
        "form": form,
        "next_review": upcoming,
        "without_email": network_members_without_email(case=case),
    }
    return render(request, "reviews/review_schedule.html", context)


@login_required
@require_GET
def review_detail(request: SignedInRequest, case_id: int, review_id: int) -> HttpResponse:
    """One review: while open, the steps to record and what is recorded so far; once signed off, the record."""
    review = selectors.review_for(
        user=request.user, case_id=case_id, review_id=review_id, action=Action.VIEW, for_review_page=True
    )
    case = review.case
    attendance = selectors.attendance_of(review)
    caps = review_capabilities(request.user, review)
    standing = None if review.is_locked else selectors.standing_of(review)  # sequencing is judged while open
    items, added_actions = walkthrough.walkthrough_and_added(review, standing=standing)
    goal_ratings = walkthrough.rated_goals(review)
    steps = (
        walkthrough.review_steps(
            review,
            items=items,
            added_actions=added_actions,
            goal_ratings=goal_ratings,
            goals_to_rate=getattr(review, "goals_to_rate"),  # noqa: B009 - an annotation (for_review_page)
        )
        if caps.is_open
        else None
    )
    context = {
        "case": case,
        "review": review,
        "caps": caps,
        "meeting": review.meeting,
        "steps": steps,
        "items": items,
        "added_actions": added_actions,
        "goal_ratings": goal_ratings,
        "attendance_groups": selectors.attendance_by_agency(attendance),
        "attended": sum(1 for line in attendance if line.attendance == "attended"),
        "invited": len(attendance),
        "record": _record_progress(request, review),
    }
    return render(request, "reviews/review_detail.html", context)


def _record_progress(request: SignedInRequest, review: Review) -> DocumentProgress | None:
    """The signed-off review's PDF and its job's progress, if it has been asked for."""
    document = (
        ReviewDocument.objects.filter(review=review).first() if review.status == ReviewStatus.SIGNED_OFF else None
    )
    if document is None:
        return None
    return documents.review_document_progress(document, review=review, may_retry=True)


@login_required
@require_http_methods(["GET", "POST"])
def review_attendance(request: SignedInRequest, case_id: int, review_id: int) -> HttpResponse:
    """Who attended, sent apologies or did not attend, per person (and so per agency), and the meeting's notes."""
    review = selectors.review_for(user=request.user, case_id=case_id, review_id=review_id, action=Action.CHAIR_REVIEW)
    refused = _closed(request, review)
    if refused:
        return refused
    invitations = list(current_invitations(review.meeting))
    form = MeetingRecordForm(
        request.POST if is_post(request) else None, invitations=invitations, initial={"notes": review.meeting.notes}
    )
    if is_post(request) and form.is_valid():
        try:
            services.review_attendance_record(
                review=review, actor=request.user, attendance=form.attendance(), notes=form.cleaned_data["notes"]
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, "Attendance saved")
            return redirect(review)
    return render(request, "reviews/review_attendance.html", {"case": review.case, "review": review, "form": form})


@login_required
@require_http_methods(["GET", "POST"])
def review_stage(request: SignedInRequest, case_id: int, review_id: int) -> HttpResponse:
    """The TRM re-assessment at the review, by the psychologist or entered for them by the chair."""
    psychologist = access.has_role_permission(request.user, "trm_stages.record_stage_assessment")
    action = Action.RECORD_STAGE_ASSESSMENT if psychologist else Action.CHAIR_REVIEW
    review = selectors.review_for(user=request.user, case_id=case_id, review_id=review_id, action=action)
    refused = _closed(request, review)
    if refused:
        return refused
    if review.stage_assessment_id is not None:
        messages.error(request, "The TRM re-assessment of this review is recorded already")
        return redirect(review)
    case = review.case
    version = trm.current_version()
    assessors = selectors.assessor_candidates(case=case)
    chosen = next(
        (person for person in assessors if person.pk in (request.user.pk, case.psychologist_id)),
        assessors[0] if len(assessors) == 1 else None,
    )
    form = StageAssessmentForm(
        request.POST if is_post(request) else None,
        initial={"assessor": chosen.pk if chosen else None},
        stages=trm.stages(version),
        thresholds=trm.thresholds(version),
        assessors=assessors,
    )
    if is_post(request) and form.is_valid():
        data = form.cleaned_data
        try:
            services.review_stage_record(
                review=review, actor=request.user, assessor=data["assessor"], **form.assessment()
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, f"TRM re-assessment saved: stage {data['stage']}")
            return redirect(review)
    context = {
        "case": case,
        "review": review,
        "form": form,
        "intro": f"The stage is recorded as assessed at the review, on {dateformat.format(review.held_on, 'j F Y')}, "
        "by the psychologist you choose.",
        "latest": trm.latest_assessment(case),
        "version": version,
    }
    return render(request, "reviews/review_stage.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def review_walkthrough(request: SignedInRequest, case_id: int, review_id: int) -> HttpResponse:
    """Every open action: its status now and a progress note, with any sequencing warning still standing."""
    review = selectors.review_for(user=request.user, case_id=case_id, review_id=review_id, action=Action.CHAIR_REVIEW)
    refused = _closed(request, review)
    if refused:
        return refused
    items = walkthrough.walkthrough(review)
    form = WalkthroughForm(request.POST if is_post(request) else None, items=items)
    if is_post(request) and form.is_valid():
        try:
            saved = services.review_walkthrough_record(review=review, actor=request.user, entries=form.entries())
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, f"Progress saved on {len(saved)} action{'' if len(saved) == 1 else 's'}")
            return redirect(review)
    return render(request, "reviews/review_walkthrough.html", {"case": review.case, "review": review, "form": form})


@login_required
@require_http_methods(["GET", "POST"])
def review_goals(request: SignedInRequest, case_id: int, review_id: int) -> HttpResponse:
    """A rating from 0 to 10 for each of the child's open goals."""
    review = selectors.review_for(user=request.user, case_id=case_id, review_id=review_id, action=Action.CHAIR_REVIEW)
    refused = _closed(request, review)
    if refused:
        return refused
    goals = walkthrough.open_goals_to_rate(review)
    form = GoalRatingsForm(request.POST if is_post(request) else None, goals=goals)
    if is_post(request) and goals and form.is_valid():
        try:
            saved = services.review_goals_rate(review=review, actor=request.user, ratings=form.ratings())
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, f"Ratings saved for {len(saved)} goal{'' if len(saved) == 1 else 's'}")
            return redirect(review)
    context = {"case": review.case, "review": review, "form": form, "rated": walkthrough.goal_ratings_at(review)}
    return render(request, "reviews/review_goals.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def review_action_add(request: SignedInRequest, case_id: int, review_id: int) -> HttpResponse:
    """A new action agreed at the review: what, who, by when, and the TRM stage it suits."""
    review = selectors.review_for(user=request.user, case_id=case_id, review_id=review_id, action=Action.CHAIR_REVIEW)
    refused = _closed(request, review)
    if refused:
        return refused
    case = review.case
    form = ReviewActionForm(
        request.POST if is_post(request) else None,
        candidates=case_people(case),
        agencies=network_agencies(),
        stages=trm.stages(),
    )
    if is_post(request) and form.is_valid():
        data = form.cleaned_data
        try:
            action = services.review_action_add(
                review=review,
                actor=request.user,
                text=data["text"],
                due_on=data["due_on"],
                suits_from_stage=data["suits_from_stage"],
                justification=data["justification"],
                **form.owner_details(),
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, f"Action added for {action_selectors.owner_label(action)}")
            return redirect(review)
    latest = trm.latest_assessment(case)
    context = {
        "case": case,
        "review": review,
        "form": form,
        "latest": latest,
        # For static/ecm/sequencing.js: the warning shows as soon as a stage is chosen.
        "sequencing_rules": hint_rules(trm.sequencing_for_stages(case=case, stages=range(1, 7)), []),
    }
    return render(request, "reviews/review_action_form.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def review_outcome(request: SignedInRequest, case_id: int, review_id: int) -> HttpResponse:
    """The child's views and the date of the next review."""
    review = selectors.review_for(user=request.user, case_id=case_id, review_id=review_id, action=Action.CHAIR_REVIEW)
    refused = _closed(request, review)
    if refused:
        return refused
    weeks = selectors.review_weeks(review.case)
    proposed = review.next_review_on or review.held_on + dt.timedelta(weeks=weeks)
    form = ReviewOutcomeForm(
        request.POST if is_post(request) else None,
        initial={"childs_views": review.childs_views, "next_review_on": proposed},
    )
    if is_post(request) and form.is_valid():
        try:
            services.review_outcome_set(
                review=review,
                actor=request.user,
                childs_views=form.cleaned_data["childs_views"],
                next_review_on=form.cleaned_data["next_review_on"],
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, "The child's views and the next review date are saved")
            return redirect(review)
    context = {"case": review.case, "review": review, "form": form, "every_weeks": weeks}
    return render(request, "reviews/review_outcome.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def review_sign_off(request: SignedInRequest, case_id: int, review_id: int) -> HttpResponse:
    """Check what the review recorded, then sign it off: nothing in it can change afterwards."""
    review = selectors.review_for(user=request.user, case_id=case_id, review_id=review_id, action=Action.CHAIR_REVIEW)
    refused = _closed(request, review)
    if refused:
        return refused
    form = ReviewSignOffForm(request.POST if is_post(request) else None)
    if is_post(request) and form.is_valid():
        try:
            services.review_sign_off(review=review, actor=request.user)
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, "Review signed off: it can no longer be changed")
            return redirect(review)
    context = {"case": review.case, "review": review, "form": form, "steps": walkthrough.review_steps(review)}
    return render(request, "reviews/review_sign_off.html", context)


@login_required
@require_GET
def review_record_status(request: SignedInRequest, case_id: int, review_id: int) -> JsonResponse:
    """Where the review record's PDF job is, as JSON for static/ecm/document_progress.js (polled: not logged)."""
    case = access.get_case_for(request.user, case_id, Action.VIEW, log=False)
    review = get_object_or_404(selectors.reviews_of(case), pk=review_id)
    document = documents.review_document_of(review)
    return document_status_response(
        request, documents.review_document_progress(document, review=review, may_retry=True)
    )


@login_required
@require_GET
def review_record_download(request: SignedInRequest, case_id: int, review_id: int) -> FileResponse:
    """The stored PDF, named by case number and date; the download is in the access log."""
    case = access.get_case_for(request.user, case_id, Action.VIEW, log=False)
    review = get_object_or_404(selectors.reviews_of(case), pk=review_id)
    document = documents.review_document_of(review)
    return document_download_response(
        request,
        documents.REVIEW_RECORD,
        document,
        log_download=lambda: access_event_record(
            user=request.user,
            action=AccessAction.DOWNLOAD,
            record_type="review_document",
            record_id=document.pk,
            case_id=case.pk,
            description=f"Record of the review of {review.held_on:%d %B %Y} (PDF)",
        ),
    )


@login_required
@require_POST
def review_record_retry(request: SignedInRequest, case_id: int, review_id: int) -> HttpResponse:
    """Make a failed PDF again, then back to the review."""
    review = selectors.review_for(user=request.user, case_id=case_id, review_id=review_id, action=Action.VIEW)
    document = documents.review_document_of(review)
    return document_retry_response(
        request,
        lambda: document_retry(documents.REVIEW_RECORD, document, actor=request.user),
        made_again="The review record is being made again",
        back_to=review.get_absolute_url(),
    )
