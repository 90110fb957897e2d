"""What one person may do with a formulation report version, the case's report as a whole, or a meeting.

Each is one immutable object built here from the record's state (draft, in review, signed off and
locked; scheduled, held, cancelled) and the access module (through `cases.capabilities`). Views pass
it to templates as `caps`; templates never compare a status or repeat a rule. The services enforce the
same rules again (formulation.services), so a stale page cannot get round them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from cases import access
from cases.access import Action
from cases.capabilities import CaseCapabilities, case_capabilities
from cases.models import Case
from formulation.models import FormulationReport, Meeting, ReportComment


def signs_off(user: Any, report: FormulationReport) -> bool:
    """The reviewer who signs off is never the report's author, and only a version in review is signed off
    (the access rule is the caller's)."""
    return report.is_in_review and getattr(user, "pk", None) != report.author_id


def resolves_comment(user: Any, comment: ReportComment, report: FormulationReport) -> bool:
    """A comment is marked as dealt with by the report's author, or by the reviewer who made it."""
    return getattr(user, "pk", None) in (report.author_id, comment.author_id)


@dataclass(frozen=True)
class ReportCapabilities:
    """What one person may do with one version of the formulation report."""

    locked: bool  # signed off: nothing changes it again
    is_author: bool
    edit: bool  # the sections, the summary, the stage and the recommendations
    submit: bool  # send the draft for review
    comment: bool  # comment (a reviewer) or answer (the author) while the version is in review
    sign_off: bool
    reformulate: bool  # start the next version from this one: the newest, signed off, on an open case
    record_stage: bool  # record the child's stage from the report page
    _user: Any = field(repr=False, compare=False)
    _report: FormulationReport = field(repr=False, compare=False)

    @property
    def sees_sign_off_problems(self) -> bool:
        """Those who can fix or judge an open version see what still stops its sign-off."""
        return self.edit or self.comment

    def resolve_comment(self, comment: ReportComment) -> bool:
        """Mark this comment as resolved (templates: `caps|resolves:comment`)."""
        return self.comment and comment.resolved_at is None and resolves_comment(self._user, comment, self._report)


def report_capabilities(
    user: Any, report: FormulationReport, *, case_caps: CaseCapabilities | None = None
) -> ReportCapabilities:
    """What `user` may do with `report` (its `case` fetched through the access module)."""
    case_caps = case_caps or case_capabilities(user, report.case)
    locked = report.is_locked
    edit = not locked and case_caps.write_report
    comment = report.is_in_review and case_caps.review_report
    return ReportCapabilities(
        locked=locked,
        is_author=report.author_id == getattr(user, "pk", None),
        edit=edit,
        submit=edit and report.is_draft,
        comment=comment,
        sign_off=comment and signs_off(user, report),
        reformulate=locked and case_caps.start_report and _is_newest(report),
        record_stage=case_caps.record_stage,
        _user=user,
        _report=report,
    )


def _is_newest(report: FormulationReport) -> bool:
    newest = (
        FormulationReport.objects.filter(case_id=report.case_id).order_by("-version").values_list("version", flat=True)
    ).first()
    return report.version == newest


@dataclass(frozen=True)
class CaseReportCapabilities:
    """What one person may do with a case's formulation report as a whole (its list of versions)."""

    read_drafts: bool  # versions not yet signed off; otherwise the signed-off ones only
    start: bool  # start version 1, or re-formulate: the case is open and no version is being written


def case_report_capabilities(
    user: Any, case: Case, *, being_written: FormulationReport | None, case_caps: CaseCapabilities | None = None
) -> CaseReportCapabilities:
    """What `user` may do with the case's report, given the version being written now (if any)."""
    case_caps = case_caps or case_capabilities(user, case)
    return CaseReportCapabilities(
        read_drafts=case_caps.read_report_drafts,
        start=case_caps.start_report and being_written is None,
    )


@dataclass(frozen=True)
class MeetingCapabilities:
    """What one person may do with one meeting."""

    full_record: bool  # attendance and notes (those who read the case's full record)
    manage: bool  # see the invitations' e-mail state (the people who run the case's meetings)
    change: bool  # change the time or place, invite, withdraw, cancel: while it is scheduled, on an open case
    record: bool  # record attendance and notes: scheduled and started
    correct: bool  # correct the attendance or notes of a meeting held
    cancel: bool  # call it off (or withdraw an invitation) while it is scheduled: on a closed case too
    see_attendance: bool  # attendance by agency and the notes, once it is held


def meeting_capabilities(
    user: Any, meeting: Meeting, *, case_caps: CaseCapabilities | None = None, now: dt.datetime | None = None
) -> MeetingCapabilities:
    """What `user` may do with `meeting` (its `case` fetched through the access module)."""
    case_caps = case_caps or case_capabilities(user, meeting.case)
    # Those who run the case's meetings, whatever the case's state; they change them only while it is open
    # (closed means read-only), but a meeting still in people's calendars can be called off after it closed.
    manage = access.may(user, Action.SCHEDULE_MEETING, meeting.case)
    writable = case_caps.schedule_meeting
    started = meeting.starts_at <= (now or timezone.now())
    return MeetingCapabilities(
        full_record=case_caps.full_record,
        manage=manage,
        change=writable and meeting.is_scheduled,
        record=writable and meeting.is_scheduled and started,
        correct=writable and meeting.is_held,
        cancel=manage and meeting.is_scheduled,
        see_attendance=case_caps.full_record and meeting.is_held,
    )
