"""What one person may do with one case (or, in the administration area, with one person): the state and
the access module folded into one object.

Views build it once and pass it to templates as `caps`; templates ask `caps.log_contact`, never a status
string or an access rule. The access module (`cases.access`) still fetches the case (404 / 403 and the
access log); this object decides what the page offers.

Closed cases are read-only (issue 16), decided here (`_while_writable`): a closed case offers no new
entry and no change, except reopening it and correcting a mistake in the child's details (rectification, a
data-rights duty that outlives the case). The services refuse the same writes again
(`cases.services.ensure_open`), so a page opened before the case closed cannot get round it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from accounts.models import Membership, User
from cases import access
from cases.access import Action
from cases.models import Case, CaseStatus


@dataclass(frozen=True)
class CaseCapabilities:
    """The named things one person may do with one case, as booleans (immutable)."""

    is_open: bool
    full_record: bool  # the full record (everything but restricted notes); otherwise the shared summary
    view_restricted: bool  # restricted contact notes: the case holder and the covering clinicians
    see_access_log: bool  # who can see the case, and who has looked
    change: bool  # may change the case record at all (the access rule, whatever the state)
    change_child: bool  # the child's details
    correct_child: bool  # correct a mistake in them (rectification): open case or closed
    change_holder: bool  # hand the case to another case manager
    log_contact: bool  # log a contact, or add a correction beneath one
    manage_network: bool  # add people to the network, share the summary, remove them
    close: bool
    reopen: bool
    log_consultation: bool
    schedule_meeting: bool
    record_stage: bool  # record the child's TRM stage assessment
    record_outcomes: bool  # THRIVE grouping and goals: set, rate, close
    write_report: bool  # write a version of the formulation report (its own state: formulation.capabilities)
    start_report: bool  # start a version (or re-formulate): only on an open case
    read_report_drafts: bool
    review_report: bool
    _user: Any = field(repr=False, compare=False)
    _case: Case = field(repr=False, compare=False)

    @property
    def is_closed(self) -> bool:
        return not self.is_open

    @cached_property
    def hand_on_holders_work(self) -> bool:
        """Hand on all the case holder's open work at once (a covering senior practitioner or an
        administrator). One query, so asked only by the page that offers it."""
        return access.work_services_for(self._user, self._case.case_holder).exists()


def _while_writable(allowed: bool, *, is_open: bool) -> bool:
    """Whether the record takes this new entry or change (a contact, a network change, a consultation, a
    report...): whoever may make it, while the case is open. Closed means read-only; reopening is the way back."""
    return allowed and is_open


def case_capabilities(user: Any, case: Case) -> CaseCapabilities:
    """What `user` may do with `case`. No queries once the case came through the access module (it
    remembers the person's relations to the case)."""

    def may(action: Action) -> bool:
        return access.may(user, action, case)

    is_open = case.status == CaseStatus.OPEN
    change = may(Action.CHANGE)
    writable = _while_writable(change, is_open=is_open)
    return CaseCapabilities(
        is_open=is_open,
        full_record=may(Action.VIEW),
        view_restricted=may(Action.VIEW_RESTRICTED),
        see_access_log=may(Action.VIEW_ACCESS_LOG),
        change=change,
        change_child=writable,
        correct_child=change,
        change_holder=writable,
        log_contact=writable,
        manage_network=writable,
        close=change and is_open,
        reopen=change and not is_open,
        log_consultation=_while_writable(may(Action.LOG_CONSULTATION), is_open=is_open),
        schedule_meeting=_while_writable(may(Action.SCHEDULE_MEETING), is_open=is_open),
        record_stage=_while_writable(may(Action.RECORD_STAGE_ASSESSMENT), is_open=is_open),
        record_outcomes=writable,
        write_report=_while_writable(may(Action.WRITE_REPORT), is_open=is_open),
        start_report=_while_writable(may(Action.WRITE_REPORT), is_open=is_open),
        read_report_drafts=may(Action.READ_REPORT_DRAFTS),
        review_report=_while_writable(may(Action.REVIEW_REPORT), is_open=is_open),
        _user=user,
        _case=case,
    )


@dataclass(frozen=True)
class PersonCapabilities:
    """What an administrator may do with one person in the administration area (never case content)."""

    change: bool  # details, sign-in, deactivation, new memberships
    is_self: bool  # nobody deactivates themselves
    changeable_memberships: frozenset[int]  # the active memberships, in agencies they manage, whose role they change


def person_capabilities(user: Any, person: User, *, memberships: Iterable[Membership]) -> PersonCapabilities:
    """What `user` may do with `person` (fetched through `access.get_person_for`) and the listed memberships."""
    change = access.may_manage_person(user, person)
    in_reach = set(access.manageable_agencies(user).values_list("pk", flat=True)) if change else set()
    return PersonCapabilities(
        change=change,
        is_self=person.pk == getattr(user, "pk", None),
        changeable_memberships=frozenset(
            membership.pk for membership in memberships if membership.is_active and membership.agency_id in in_reach
        ),
    )
