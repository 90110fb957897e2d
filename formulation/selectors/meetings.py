"""Reads of meetings. Every one starts from the access module.

Who sees a case's meetings (DESIGN.md, "meetings"): those who read the full record (the owning
YJS's case managers, the covering clinicians) see them all; anyone else who sees the case at all
(a partner with the shared summary) sees only the meetings they are invited to.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from accounts.models import AccessAction, Agency, Membership, User
from cases import access
from cases.access import Action
from cases.models import Case, NetworkMember
from formulation.models import Attendance, Invitation, Meeting, MeetingPurpose, MeetingStatus


def current_invitations(meeting: Meeting | int | OuterRef) -> QuerySet[Invitation]:
    """The people still invited (withdrawn invitations stay in the history, not here). `meeting` may be an
    `OuterRef`, for the invitations of each row of an outer query (the review page reads them with the review)."""
    return (
        Invitation.objects.filter(Q(meeting=meeting), removed_at__isnull=True)
        .select_related("agency")
        .order_by("name", "pk")
    )


def _invited(user: Any) -> Exists:
    return Exists(Invitation.objects.filter(meeting=OuterRef("pk"), user=user, removed_at__isnull=True))


def meetings_for_case(*, user: Any, case: Case) -> QuerySet[Meeting]:
    """The case's meetings this person may see, newest first, with their invitation counts."""
    meetings = Meeting.objects.filter(case=case)
    if not access.may(user, Action.VIEW, case):
        if not access.may(user, Action.VIEW_SUMMARY, case):
            return meetings.none()
        meetings = meetings.filter(_invited(user))
    return (
        meetings.select_related("organiser")
        .annotate(
            invited_count=Count("invitations", filter=Q(invitations__removed_at__isnull=True)),
            attended_count=Count(
                "invitations",
                filter=Q(invitations__removed_at__isnull=True, invitations__attendance=Attendance.ATTENDED),
            ),
        )
        .order_by("-starts_at", "-pk")
    )


def meeting_for(*, user: Any, case_id: int, meeting_id: int, log_as: str = AccessAction.VIEW) -> Meeting:
    """One meeting for reading: 404 unless the case is visible and the person may see this meeting.

    The case is fetched through the access module first (so the read is logged); a partner who
    is not invited gets the same 404 as for a meeting that does not exist.
    """
    case = access.get_case_for(user, case_id, Action.VIEW_SUMMARY, log_as=log_as)
    meeting = get_object_or_404(meetings_for_case(user=user, case=case), pk=meeting_id)
    meeting.case = case
    return meeting


def meeting_to_manage(*, user: Any, case_id: int, meeting_id: int) -> Meeting:
    """One meeting for the people who schedule meetings on the case (403 for readers, 404 for others)."""
    case = access.get_case_for(user, case_id, Action.SCHEDULE_MEETING)
    meeting = get_object_or_404(Meeting.objects.select_related("organiser").filter(case=case), pk=meeting_id)
    meeting.case = case
    return meeting


@dataclass
class AgencyAttendance:
    """The people one agency sent (or was asked to send) to a meeting, and how many came."""

    agency: str
    invitations: list[Invitation] = field(default_factory=list)

    @property
    def attended(self) -> int:
        return sum(1 for invitation in self.invitations if invitation.attendance == Attendance.ATTENDED)


def attendance_by_agency(invitations: Iterable[Invitation]) -> list[AgencyAttendance]:
    """Invitations grouped by agency (agencies in alphabetical order, people without one last)."""
    groups: dict[str, AgencyAttendance] = {}
    for invitation in invitations:
        label = invitation.agency_display or "No agency recorded"
        groups.setdefault(label, AgencyAttendance(agency=label)).invitations.append(invitation)
    return sorted(groups.values(), key=lambda group: (not group.invitations[0].agency_display, group.agency.lower()))


def attendance_totals(invitations: Iterable[Invitation]) -> dict[str, int]:
    """How many people attended, sent apologies, did not attend, or are not recorded yet."""
    totals = dict.fromkeys(Attendance.values, 0)
    for invitation in invitations:
        totals[invitation.attendance] += 1
    return totals


def _case_clinician(user: Any) -> Q:
    """The meetings of the cases the person is the psychologist or senior practitioner of."""
    pk = getattr(user, "pk", None)
    if pk is None:
        return Q(pk__in=[])
    return Q(case__psychologist_id=pk) | Q(case__senior_practitioner_id=pk)


def my_meetings(*, user: Any, now: dt.datetime | None = None) -> QuerySet[Meeting]:
    """Upcoming scheduled meetings the person organises or is invited to, or that are on a case whose
    psychologist or senior practitioner they are (invited or not), on cases they can see, soonest first."""
    now = now or timezone.now()
    return (
        Meeting.objects.filter(case__in=access.visible_cases(user), status=MeetingStatus.SCHEDULED, ends_at__gte=now)
        .filter(Q(organiser=user) | _invited(user) | _case_clinician(user))
        .select_related("case__child", "organiser")
        .order_by("starts_at", "pk")
    )


def meetings_to_record(*, user: Any, now: dt.datetime | None = None) -> QuerySet[Meeting]:
    """Meetings the person organised that have ended and still wait for their attendance, oldest first."""
    now = now or timezone.now()
    return (
        Meeting.objects.filter(
            case__in=access.cases_for(user, Action.SCHEDULE_MEETING),
            organiser=user,
            status=MeetingStatus.SCHEDULED,
            ends_at__lt=now,
        )
        .select_related("case__child")
        .order_by("starts_at", "pk")
    )


def invitations_of(*, meeting: Meeting, user: Any) -> list[Invitation]:
    """The person's own current invitations to this meeting (normally one)."""
    return [invitation for invitation in current_invitations(meeting) if invitation.user_id == getattr(user, "pk", 0)]


@dataclass(frozen=True)
class Candidate:
    """Someone the organiser can tick to invite: a network member, or someone in the case team."""

    key: str  # "member:<id>" or "user:<id>"
    label: str
    email: str
    member: NetworkMember | None = None
    user: User | None = None
    agency: Agency | None = None
    role: str = ""


def invitation_candidates(*, case: Case, organiser: Any, meeting: Meeting | None = None) -> list[Candidate]:
    """The case's current network members with an e-mail address, then the case holder and the case's
    clinicians, leaving out the organiser and anyone already invited."""
    already = (
        {email.lower() for email in current_invitations(meeting).values_list("email", flat=True)} if meeting else set()
    )
    candidates: list[Candidate] = []
    members = (
        NetworkMember.objects.filter(case=case, removed_at__isnull=True)
        .exclude(email="")
        .select_related("agency")
        .order_by("name", "pk")
    )
    member_user_ids = set()
    for member in members:
        if member.user_id:
            member_user_ids.add(member.user_id)
        if member.email.lower() in already or member.user_id == organiser.pk:
            continue
        details = ", ".join(part for part in (member.role, member.agency_display) if part)
        candidates.append(
            Candidate(
                key=f"member:{member.pk}",
                label=f"{member.name} ({details})" if details else member.name,
                email=member.email,
                member=member,
                user=member.user if member.user_id else None,
                agency=member.agency,
                role=member.role,
            )
        )
    team = [(case.case_holder_id, "Case holder"), (case.psychologist_id, "Psychologist")]
    team.append((case.senior_practitioner_id, "Senior practitioner"))
    team_ids = [pk for pk, _ in team if pk and pk != organiser.pk and pk not in member_user_ids]
    people = {
        person.pk: person
        for person in User.objects.filter(pk__in=team_ids, is_active=True).prefetch_related(
            Prefetch(
                "memberships",
                queryset=Membership.objects.filter(is_active=True, agency__is_active=True)
                .select_related("agency")
                .order_by("created_at", "pk"),
                to_attr="current_memberships",
            )
        )
    }
    seen: set[int] = set()
    for pk, role in team:
        person = people.get(pk) if pk else None
        if person is None or pk in seen or not person.email or person.email.lower() in already:
            continue
        seen.add(person.pk)
        memberships = getattr(person, "current_memberships", [])
        agency = memberships[0].agency if memberships else None
        details = ", ".join(part for part in (role, agency.name if agency else "") if part)
        candidates.append(
            Candidate(
                key=f"user:{person.pk}",
                label=f"{person.get_full_name()} ({details})",
                email=person.email,
                user=person,
                agency=agency,
                role=role,
            )
        )
    return candidates


def network_members_without_email(*, case: Case) -> list[str]:
    """Names of current network members who cannot be invited because no e-mail address is recorded."""
    return list(
        NetworkMember.objects.filter(case=case, removed_at__isnull=True, email="")
        .order_by("name", "pk")
        .values_list("name", flat=True)
    )


def held_formulation_meeting(case: Case) -> Meeting | None:
    """The latest formulation meeting that was held (the report is written after it)."""
    return (
        Meeting.objects.filter(case=case, purpose=MeetingPurpose.FORMULATION, status=MeetingStatus.HELD)
        .order_by("-starts_at", "-pk")
        .first()
    )
