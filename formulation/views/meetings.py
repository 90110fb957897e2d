"""Meeting pages: schedule a formulation meeting, invite, change, withdraw, cancel, record attendance and notes.

Reading goes through formulation.selectors (the case through the access module first, then only the
meetings this person may see); every page that acts asks for SCHEDULE_MEETING.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.audit import LIST_MEETINGS, list_view_record
from accounts.models import AccessAction
from cases import access
from cases.access import Action
from cases.capabilities import case_capabilities
from cases.selectors import network_agencies
from core.http import SignedInRequest, is_post
from core.pagination import paginate
from formulation import ics, selectors, services
from formulation.capabilities import meeting_capabilities
from formulation.forms import (
    InviteesForm,
    MeetingCancelForm,
    MeetingDetailsForm,
    MeetingRecordForm,
    MeetingScheduleForm,
)
from formulation.models import MeetingPurpose

MEETINGS_PER_PAGE = 25


def _people(count: int) -> str:
    return f"{count} {'person' if count == 1 else 'people'}"


@login_required
@require_GET
def my_meetings(request: SignedInRequest) -> HttpResponse:
    """Upcoming meetings the signed-in person organises or is invited to; for organisers, meetings to record."""
    organises = access.has_role_permission(request.user, "formulation.schedule_meeting")
    context = {
        "to_record": list(selectors.meetings_to_record(user=request.user)[:MEETINGS_PER_PAGE]) if organises else [],
        **paginate(request, selectors.my_meetings(user=request.user), MEETINGS_PER_PAGE),
    }
    page = context["page_obj"]
    page.object_list = list(page.object_list)  # fetched once, here: the log names the cases the page shows
    list_view_record(
        user=request.user,
        list_name=LIST_MEETINGS,
        case_ids=[meeting.case_id for meeting in (*context["to_record"], *page.object_list)],
    )
    return render(request, "formulation/meeting_mine.html", context)


@login_required
@require_GET
def case_meetings(request: SignedInRequest, case_id: int) -> HttpResponse:
    """The case's meetings this person may see, newest first."""
    case = access.get_case_for(request.user, case_id, Action.VIEW_SUMMARY)
    context = {
        "case": case,
        "caps": case_capabilities(request.user, case),
        **paginate(request, selectors.meetings_for_case(user=request.user, case=case), MEETINGS_PER_PAGE),
    }
    return render(request, "formulation/meeting_list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def meeting_schedule(request: SignedInRequest, case_id: int) -> HttpResponse:
    """A covering clinician schedules the formulation meeting and chooses who to invite."""
    case = access.get_case_for(request.user, case_id, Action.SCHEDULE_MEETING)
    form = MeetingScheduleForm(
        request.POST if is_post(request) else None,
        candidates=selectors.invitation_candidates(case=case, organiser=request.user),
        agencies=network_agencies(),
    )
    if is_post(request) and form.is_valid():
        try:
            meeting = services.meeting_schedule(
                case=case,
                actor=request.user,
                purpose=MeetingPurpose.FORMULATION,
                invitees=form.cleaned_data["invitees"],
                **form.details(),
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            invited = len(form.cleaned_data["invitees"])
            messages.success(request, f"Formulation meeting scheduled: invitations sent to {_people(invited)}")
            return redirect(meeting)
    context = {
        "case": case,
        "form": form,
        "purpose_label": MeetingPurpose.FORMULATION.label,
        "without_email": selectors.network_members_without_email(case=case),
    }
    return render(request, "formulation/meeting_schedule.html", context)


@login_required
@require_GET
def meeting_detail(request: SignedInRequest, case_id: int, meeting_id: int) -> HttpResponse:
    """One meeting: details, who is invited; attendance and notes for those who read the full record."""
    meeting = selectors.meeting_for(user=request.user, case_id=case_id, meeting_id=meeting_id)
    caps = meeting_capabilities(request.user, meeting)
    invitations = list(selectors.current_invitations(meeting))
    context = {
        "case": meeting.case,
        "meeting": meeting,
        "caps": caps,
        "invitations": invitations,
        "my_invitations": [invitation for invitation in invitations if invitation.user_id == request.user.pk],
        "agencies": selectors.attendance_by_agency(invitations) if caps.full_record else [],
        "totals": selectors.attendance_totals(invitations),
        "any_failed": any(invitation.send_failed for invitation in invitations),
    }
    return render(request, "formulation/meeting_detail.html", context)


@login_required
@require_GET
def meeting_ics(request: SignedInRequest, case_id: int, meeting_id: int) -> HttpResponse:
    """The meeting as a calendar file to add to one's own calendar (same UID as the e-mailed invitations)."""
    meeting = selectors.meeting_for(
        user=request.user, case_id=case_id, meeting_id=meeting_id, log_as=AccessAction.DOWNLOAD
    )
    response = HttpResponse(ics.calendar_for(meeting, method=ics.Method.PUBLISH), content_type="text/calendar")
    response["Content-Type"] = "text/calendar; charset=utf-8"
    response["Content-Disposition"] = f'attachment; filename="ecm-meeting-{meeting.pk}.ics"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def meeting_change(request: SignedInRequest, case_id: int, meeting_id: int) -> HttpResponse:
    """Move the meeting or change its place; everyone still invited gets the updated invitation."""
    meeting = selectors.meeting_to_manage(user=request.user, case_id=case_id, meeting_id=meeting_id)
    form = MeetingDetailsForm(
        request.POST if is_post(request) else None, initial=MeetingDetailsForm.initial_for(meeting)
    )
    if is_post(request) and form.is_valid():
        sequence = meeting.sequence
        try:
            meeting = services.meeting_change(meeting=meeting, actor=request.user, **form.details())
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            if meeting.sequence == sequence:
                messages.success(request, "Nothing changed: no updates were sent")
            else:
                invited = selectors.current_invitations(meeting).count()
                messages.success(request, f"Meeting changed: updated invitations sent to {_people(invited)}")
            return redirect(meeting)
    return render(request, "formulation/meeting_change.html", {"case": meeting.case, "meeting": meeting, "form": form})


@login_required
@require_http_methods(["GET", "POST"])
def meeting_invite(request: SignedInRequest, case_id: int, meeting_id: int) -> HttpResponse:
    """Invite more people; they get the meeting as it stands now."""
    meeting = selectors.meeting_to_manage(user=request.user, case_id=case_id, meeting_id=meeting_id)
    form = InviteesForm(
        request.POST if is_post(request) else None,
        candidates=selectors.invitation_candidates(case=meeting.case, organiser=meeting.organiser, meeting=meeting),
        agencies=network_agencies(),
    )
    if is_post(request) and form.is_valid():
        try:
            invitations = services.meeting_invite(
                meeting=meeting, actor=request.user, invitees=form.cleaned_data["invitees"]
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, f"Invitations sent to {_people(len(invitations))}")
            return redirect(meeting)
    context = {
        "case": meeting.case,
        "meeting": meeting,
        "form": form,
        "without_email": selectors.network_members_without_email(case=meeting.case),
    }
    return render(request, "formulation/meeting_invite.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def invitation_remove(request: SignedInRequest, case_id: int, meeting_id: int, invitation_id: int) -> HttpResponse:
    """Withdraw one person's invitation, after a confirmation page; their calendar gets a cancellation."""
    meeting = selectors.meeting_to_manage(user=request.user, case_id=case_id, meeting_id=meeting_id)
    invitation = get_object_or_404(selectors.current_invitations(meeting), pk=invitation_id)
    error = ""
    if is_post(request):
        try:
            services.invitation_withdraw(invitation=invitation, actor=request.user)
        except ValidationError as problem:
            error = " ".join(problem.messages)
        else:
            messages.success(
                request, f"{invitation.name}'s invitation is withdrawn: they have been sent a cancellation"
            )
            return redirect(meeting)
    context = {"case": meeting.case, "meeting": meeting, "invitation": invitation, "error": error}
    return render(request, "formulation/meeting_remove_invitee.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def meeting_cancel(request: SignedInRequest, case_id: int, meeting_id: int) -> HttpResponse:
    """Cancel the meeting with a reason; everyone still invited gets a cancellation."""
    meeting = selectors.meeting_to_manage(user=request.user, case_id=case_id, meeting_id=meeting_id)
    form = MeetingCancelForm(request.POST if is_post(request) else None)
    if is_post(request) and form.is_valid():
        try:
            services.meeting_cancel(meeting=meeting, actor=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, "Meeting cancelled: everyone invited has been sent a cancellation")
            return redirect(meeting)
    return render(request, "formulation/meeting_cancel.html", {"case": meeting.case, "meeting": meeting, "form": form})


@login_required
@require_http_methods(["GET", "POST"])
def meeting_record(request: SignedInRequest, case_id: int, meeting_id: int) -> HttpResponse:
    """After the meeting: who attended, sent apologies or did not attend, and the notes."""
    meeting = selectors.meeting_to_manage(user=request.user, case_id=case_id, meeting_id=meeting_id)
    invitations = list(selectors.current_invitations(meeting))
    form = MeetingRecordForm(
        request.POST if is_post(request) else None, invitations=invitations, initial={"notes": meeting.notes}
    )
    if is_post(request) and form.is_valid():
        try:
            services.meeting_record(
                meeting=meeting, actor=request.user, attendance=form.attendance(), notes=form.cleaned_data["notes"]
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, "Attendance and notes saved: the meeting is marked as held")
            return redirect(meeting)
    context = {
        "case": meeting.case,
        "meeting": meeting,
        "form": form,
        "started": meeting.starts_at <= timezone.now(),
    }
    return render(request, "formulation/meeting_record.html", context)


@login_required
@require_POST
def meeting_resend(request: SignedInRequest, case_id: int, meeting_id: int) -> HttpResponse:
    """Send the invitation again to everyone whose last e-mail failed."""
    meeting = selectors.meeting_to_manage(user=request.user, case_id=case_id, meeting_id=meeting_id)
    try:
        queued = services.meeting_resend(meeting=meeting, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"Invitations sent again to {_people(queued)}")
    return redirect(meeting)
