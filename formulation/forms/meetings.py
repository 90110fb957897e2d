"""Input parsing and validation messages for the meeting pages. Forms never save: services do.

The rules for a meeting's time and place live in formulation/services/meetings.py; the forms ask the same
function so every problem is shown at once, and the services enforce it again.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils import timezone

from accounts.models import Agency
from core.forms import GovDateField, ServiceErrorsMixin, local_moment
from formulation.models import Attendance, Invitation, Meeting
from formulation.selectors.meetings import Candidate
from formulation.services.meetings import RECORDED_ATTENDANCE, Invitee, meeting_details_errors

TIME_FORMATS = ["%H:%M", "%H.%M", "%H%M", "%I:%M%p", "%I:%M %p", "%I%p", "%I %p"]
OTHER_ROWS = 2  # people not in the network, added by name, e-mail and agency
ORDINALS = ["first", "second", "third", "fourth"]


class MeetingDetailsForm(ServiceErrorsMixin, forms.Form):
    """When and where: a date, a start and end time (UK time), a place and/or a video link."""

    day = GovDateField(
        label="Date of the meeting",
        help_text="For example, 27 3 2026",
        error_messages={"required": "Enter the date of the meeting"},
    )
    start_time = forms.TimeField(
        label="Start time",
        help_text="Use the 24-hour clock, for example 10:00",
        input_formats=TIME_FORMATS,
        error_messages={"required": "Enter the start time", "invalid": "Enter the start time like 10:00"},
    )
    end_time = forms.TimeField(
        label="End time",
        help_text="For example, 11:30",
        input_formats=TIME_FORMATS,
        error_messages={"required": "Enter the end time", "invalid": "Enter the end time like 11:30"},
    )
    location = forms.CharField(
        label="Place",
        help_text="For example, Meeting room 2, Fernbrook Academy. It goes into everyone's calendar: "
        "do not include the child's name.",
        max_length=300,
        required=False,
    )
    video_link = forms.URLField(
        label="Video link",
        help_text="Leave empty if everyone meets in person. You need a place, a video link, or both.",
        max_length=500,
        required=False,
        assume_scheme="https",
        error_messages={"invalid": "Enter the video link as a web address, like https://meet.example.org/abc"},
    )

    service_fields = {"starts_at": "day", "ends_at": "end_time"}

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        day, start, end = data.get("day"), data.get("start_time"), data.get("end_time")
        if day is None or start is None or end is None:
            return data
        # Times are typed in UK time (the project's time zone), whatever the season: a time the clocks
        # skip is refused on its field; in the hour that happens twice, an end before the start's first
        # time round is the second time round (core.forms.local_moment).
        try:
            data["starts_at"] = local_moment(day, start)
        except ValidationError as error:
            self.add_error("start_time", error)
        try:
            data["ends_at"] = local_moment(day, end, later_than=data.get("starts_at"))
        except ValidationError as error:
            self.add_error("end_time", error)
        if self.has_error("start_time") or self.has_error("end_time"):
            return data
        errors = meeting_details_errors(
            starts_at=data["starts_at"],
            ends_at=data["ends_at"],
            location=data.get("location") or "",
            video_link=data.get("video_link") or "",
        )
        for name, message in errors.items():
            field = self.service_fields.get(name, name)
            if not self.has_error(field):
                self.add_error(field, message)
        return data

    def details(self) -> dict[str, Any]:
        """The cleaned input as meeting_schedule and meeting_change take it."""
        data = self.cleaned_data
        return {
            "starts_at": data["starts_at"],
            "ends_at": data["ends_at"],
            "location": data.get("location") or "",
            "video_link": data.get("video_link") or "",
        }

    @classmethod
    def initial_for(cls, meeting: Meeting) -> dict[str, Any]:
        start, end = timezone.localtime(meeting.starts_at), timezone.localtime(meeting.ends_at)
        return {
            "day": start.date(),
            "start_time": start.strftime("%H:%M"),
            "end_time": end.strftime("%H:%M"),
            "location": meeting.location,
            "video_link": meeting.video_link,
        }


class InviteesForm(ServiceErrorsMixin, forms.Form):
    """Who to invite: tick people from the network and case team, and add up to two others."""

    chosen = forms.MultipleChoiceField(
        label="People from the child's network and case team",
        widget=forms.CheckboxSelectMultiple,
        required=False,
        error_messages={"invalid_choice": "Choose people from the list"},
    )

    service_fields = {"invitees": "chosen"}
    error_anchor = "chosen"

    def __init__(self, *args: Any, candidates: list[Candidate], agencies: QuerySet[Agency], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.candidates = {candidate.key: candidate for candidate in candidates}
        chosen: Any = self.fields["chosen"]
        chosen.choices = [(candidate.key, candidate.label) for candidate in candidates]
        for row in range(1, OTHER_ROWS + 1):
            ordinal = ORDINALS[row - 1]
            self.fields[f"other_{row}_name"] = forms.CharField(label="Full name", max_length=200, required=False)
            self.fields[f"other_{row}_email"] = forms.EmailField(
                label="E-mail",
                required=False,
                error_messages={"invalid": f"Enter the {ordinal} person's e-mail like name@example.org"},
            )
            self.fields[f"other_{row}_role"] = forms.CharField(
                label="Role (optional)", help_text="For example, school nurse", max_length=200, required=False
            )
            agency_field = forms.ModelChoiceField(
                label="Agency",
                queryset=agencies,
                required=False,
                empty_label="Not listed",
                error_messages={"invalid_choice": "Choose an agency from the list"},
            )
            self.fields[f"other_{row}_agency"] = agency_field
            self.fields[f"other_{row}_agency_name"] = forms.CharField(
                label="Agency, if not listed", max_length=200, required=False
            )

    def other_rows(self) -> list[dict[str, Any]]:
        """The bound fields of each "someone else" row, for the template."""
        return [
            {
                "number": row,
                "ordinal": ORDINALS[row - 1],
                "name": self[f"other_{row}_name"],
                "email": self[f"other_{row}_email"],
                "role": self[f"other_{row}_role"],
                "agency": self[f"other_{row}_agency"],
                "agency_name": self[f"other_{row}_agency_name"],
            }
            for row in range(1, OTHER_ROWS + 1)
        ]

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        invitees = [self._from_candidate(self.candidates[key]) for key in data.get("chosen") or []]
        for row in range(1, OTHER_ROWS + 1):
            invitee = self._other(row)
            if invitee is not None:
                invitees.append(invitee)
        others_have_errors = any(name.startswith("other_") for name in self.errors)
        if not invitees and not others_have_errors and not self.has_error("chosen"):
            self.add_error("chosen", "Choose at least one person to invite, or add someone else")
        data["invitees"] = invitees
        return data

    def _other(self, row: int) -> Invitee | None:
        data = self.cleaned_data
        prefix, ordinal = f"other_{row}_", ORDINALS[row - 1]
        name = (data.get(f"{prefix}name") or "").strip()
        email = data.get(f"{prefix}email") or ""
        agency = data.get(f"{prefix}agency")
        agency_name = (data.get(f"{prefix}agency_name") or "").strip()
        role = (data.get(f"{prefix}role") or "").strip()
        typed = any([name, email, agency, agency_name, role]) or self.has_error(f"{prefix}email")
        if not typed:
            return None
        if not name:
            self.add_error(f"{prefix}name", f"Enter the {ordinal} person's full name")
        if not email and not self.has_error(f"{prefix}email"):
            self.add_error(f"{prefix}email", f"Enter the {ordinal} person's e-mail address")
        if agency is None and not agency_name:
            self.add_error(f"{prefix}agency", f"Choose the {ordinal} person's agency, or enter its name")
        if not (name and email and (agency or agency_name)):
            return None
        return Invitee(name=name, email=email, role=role, agency=agency, agency_name=agency_name)

    @staticmethod
    def _from_candidate(candidate: Candidate) -> Invitee:
        member = candidate.member
        return Invitee(
            name=member.name if member else (candidate.user.get_full_name() if candidate.user else ""),
            email=candidate.email,
            role=candidate.role,
            user=candidate.user,
            network_member=member,
            agency=candidate.agency,
            agency_name=member.agency_name if member and not member.agency_id else "",
        )


class MeetingScheduleForm(MeetingDetailsForm, InviteesForm):
    """Scheduling: when and where, and who to invite, on one page."""

    service_fields = {**MeetingDetailsForm.service_fields, **InviteesForm.service_fields}
    field_order = ["day", "start_time", "end_time", "location", "video_link", "chosen"]
    error_anchor = "main-content"


class MeetingCancelForm(ServiceErrorsMixin, forms.Form):
    reason = forms.CharField(
        label="Why is the meeting cancelled?",
        help_text="Everyone invited receives the reason with the cancellation, outside ECM too: "
        "do not include the child's name or anything confidential.",
        widget=forms.Textarea,
        max_length=2000,
        error_messages={"required": "Enter the reason for cancelling the meeting"},
    )


class MeetingRecordForm(ServiceErrorsMixin, forms.Form):
    """Attendance for each person invited, and the notes of the meeting."""

    notes = forms.CharField(
        label="Notes of the meeting",
        help_text="What the network agreed, and anything the formulation report should pick up",
        widget=forms.Textarea,
        max_length=50000,
        required=False,
    )

    def __init__(self, *args: Any, invitations: list[Invitation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.invitations = invitations
        choices = [(value, label) for value, label in Attendance.choices if value in RECORDED_ATTENDANCE]
        for invitation in invitations:
            details = ", ".join(part for part in (invitation.role, invitation.agency_display) if part)
            self.fields[f"attendance_{invitation.pk}"] = forms.ChoiceField(
                label=f"{invitation.name} ({details})" if details else invitation.name,
                choices=choices,
                widget=forms.RadioSelect,
                initial=invitation.attendance if invitation.attendance in RECORDED_ATTENDANCE else None,
                error_messages={"required": f"Choose whether {invitation.name} attended"},
            )

    def attendance_fields(self) -> list[forms.BoundField]:
        return [self[f"attendance_{invitation.pk}"] for invitation in self.invitations]

    def attendance(self) -> dict[int, str]:
        return {invitation.pk: self.cleaned_data[f"attendance_{invitation.pk}"] for invitation in self.invitations}
