"""seed_scale's meetings and what they lead to: formulation meetings and reviews every eight weeks
with invitations and attendance, reports, actions (with when each was marked done), TRM stage
assessments, goals with ratings, and THRIVE groupings. Loaded with COPY."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from django.apps import apps
from django.utils import timezone

from accounts.models import Agency, AgencyKind
from cases.models import CaseKind
from devtools.scale.bulk import Counts, at_hour, copy_rows, reserve_ids
from devtools.scale.cases import SeededCase
from devtools.scale.people import PARTNER_KINDS
from formulation.models import FormulationReport, Invitation, Meeting, Recommendation
from trm_stages.models import Goal, GoalRating, StageAssessment, ThriveGrouping, ThriveGroupingChoice

# How often each kind of agency turns up to the meetings it is invited to.
ATTENDS = {
    AgencyKind.EDUCATION: 0.82,
    AgencyKind.SOCIAL_CARE: 0.74,
    AgencyKind.HEALTH: 0.66,
    AgencyKind.POLICE: 0.55,
    AgencyKind.VOLUNTARY: 0.7,
    AgencyKind.YOUTH_JUSTICE: 0.95,
}
# Someone from an agency not on ECM ("Not listed" in the forms): how often they come, and the name typed in.
NOT_LISTED_ATTENDS = 0.6
NOT_LISTED_AGENCY = "A local agency not on ECM"


def meetings_make(
    *,
    rng: random.Random,
    cases: list[SeededCase],
    partners: dict[str, list[Agency]],
    stages: dict[int, int],
    now: dt.datetime,
    counts: Counts,
    not_listed: float = 0.0,
) -> None:
    """Formulation meetings, reviews every eight weeks, invitations, reports, actions, stages and goals.

    With `not_listed` above 0, each meeting also invites, with that chance, someone from an agency entered as
    "Not listed" (no agency on ECM, its name typed in): the reports count them under "Other".
    """
    meetings: list[tuple[Any, ...]] = []
    invitations: list[tuple[Any, ...]] = []
    reports: list[tuple[Any, ...]] = []
    actions: list[tuple[Any, ...]] = []
    done_history: list[tuple[Any, ...]] = []
    assessments: list[tuple[Any, ...]] = []
    goals: list[tuple[Any, ...]] = []
    ratings: list[tuple[Any, ...]] = []
    groupings: list[tuple[Any, ...]] = []
    for case in cases:
        grouping = rng.choice(ThriveGroupingChoice.values)
        groupings.append(
            (case.id, grouping, timezone.localdate(case.opened), "At triage", case.psychologist, case.opened)
        )
        if case.kind != CaseKind.FORMULATION:
            continue
        first = case.opened + dt.timedelta(days=rng.uniform(14, 60))
        held_until = min(case.end(now), now)
        when = [first]
        while when[-1] < case.end(now):
            when.append(when[-1] + dt.timedelta(weeks=8, days=rng.uniform(-7, 7)))
        stage = rng.choices([1, 2, 3], weights=[6, 3, 1])[0]
        case_goals = [(f"goal-{case.id}-{n}", rng.randint(0, 4)) for n in range(2)]
        for number, starts in enumerate(when):
            purpose = "formulation" if number == 0 else "review"
            held = starts < held_until
            if not held and case.closed is not None:
                break  # a closed case has no meeting after it closed
            status = "held" if held else "scheduled"
            if held and rng.random() < 0.03:
                meetings.append((case.id, purpose, starts, "cancelled", case.senior))
            meetings.append((case.id, purpose, starts, status, case.senior))
            meeting_ref = len(meetings) - 1
            for kind in [*PARTNER_KINDS, AgencyKind.YOUTH_JUSTICE]:
                if kind == AgencyKind.YOUTH_JUSTICE:
                    agency_id, person = case.service.agency.pk, case.holder
                else:
                    agency_id, person = rng.choice(partners[kind]).pk, None
                attendance = "not_recorded"
                if held:
                    attendance = (
                        "attended" if rng.random() < ATTENDS[kind] else rng.choice(["apologies", "did_not_attend"])
                    )
                role = AgencyKind(kind).label
                invitations.append((meeting_ref, person, role, agency_id, attendance, case.senior, starts))
            if not_listed and rng.random() < not_listed:
                attendance = "not_recorded"
                if held:
                    attendance = "attended" if rng.random() < NOT_LISTED_ATTENDS else "apologies"
                invitations.append((meeting_ref, None, "Other", None, attendance, case.senior, starts))
            if not held:
                break  # an open case's next meeting, still to come
            day = timezone.localdate(starts)
            if number > 0:
                move = rng.random()
                stage = min(6, stage + 1) if move < 0.35 else max(1, stage - 1) if move > 0.85 else stage
            assessments.append(
                (case.id, day, stages[stage], "Invented assessment.", purpose, case.psychologist, starts)
            )
            for goal_key, start_score in case_goals:
                score = start_score if number == 0 else max(0, min(10, start_score + rng.randint(-1, 3) * number // 2))
                ratings.append((goal_key, day, score, "start" if number == 0 else "review", case.holder, starts))
            if number == 0:
                signed = starts + dt.timedelta(days=rng.uniform(7, 45))
                signed_at = signed if signed < now else None
                reports.append((case.id, case.psychologist, signed_at))
                if signed_at is None:
                    continue
                for position in range(rng.randint(4, 8)):
                    kind = rng.choice(PARTNER_KINDS)
                    due = timezone.localdate(signed_at) + dt.timedelta(days=rng.randint(30, 180))
                    status, done_at = "not_started", None
                    if due < timezone.localdate(now):
                        roll = rng.random()
                        if roll < 0.65:
                            status = "done"
                            done_at = at_hour(
                                signed_at + (due - timezone.localdate(signed_at)) * rng.uniform(0.4, 1.3), 12
                            )
                            if done_at > now:
                                done_at = now
                        elif roll < 0.75:
                            status = "no_longer_needed"
                        else:
                            status = rng.choice(["not_started", "in_progress"])
                    actions.append(
                        (
                            len(reports) - 1,
                            case.id,
                            position,
                            rng.choice(partners[kind]).pk,
                            due,
                            status,
                            signed_at,
                            done_at,
                        )
                    )
        for goal_key, _ in case_goals:
            goals.append((goal_key, case.id, timezone.localdate(first), case.holder, first))
    _write_meetings(meetings, invitations, counts)
    _write_reports(reports, actions, done_history, counts)
    _write_stages_and_goals(assessments, goals, ratings, groupings, counts)


def _write_meetings(meetings: list[tuple[Any, ...]], invitations: list[tuple[Any, ...]], counts: Counts) -> None:
    meeting_ids = reserve_ids(Meeting, len(meetings))
    counts.add(
        "meetings",
        copy_rows(
            Meeting,
            ["id", "case_id", "purpose", "starts_at", "ends_at", "location", "video_link", "organiser_id", "status",
             "notes", "cancel_reason", "ics_uid", "sequence", "created_at", "updated_at"],
            (
                (pk, case, purpose, starts, starts + dt.timedelta(hours=1, minutes=30), "Invented meeting room", "",
                 organiser, status, "", "", f"scale-{pk}@ecm.invalid", 0, starts, starts)
                for pk, (case, purpose, starts, status, organiser) in zip(meeting_ids, meetings, strict=True)
            ),
        ),
    )  # fmt: skip
    invitation_ids = reserve_ids(Invitation, len(invitations))
    counts.add(
        "invitations",
        copy_rows(
            Invitation,
            ["id", "meeting_id", "user_id", "name", "email", "role", "agency_id", "agency_name", "attendance",
             "invited_by_id", "invited_at", "send_failed"],
            (
                (pk, meeting_ids[meeting], person, f"Invitee {pk}", f"invitee{pk}@scale.ecm.invalid", kind, agency,
                 "" if agency else NOT_LISTED_AGENCY, attendance, organiser, starts, False)
                for pk, (meeting, person, kind, agency, attendance, organiser, starts) in zip(
                    invitation_ids, invitations, strict=True
                )
            ),
        ),
    )  # fmt: skip


def _write_reports(
    reports: list[tuple[Any, ...]],
    actions: list[tuple[Any, ...]],
    done_history: list[tuple[Any, ...]],
    counts: Counts,
) -> None:
    report_ids = reserve_ids(FormulationReport, len(reports))
    blank = [""] * 13
    counts.add(
        "formulation reports",
        copy_rows(
            FormulationReport,
            ["id", "case_id", "version", "author_id", "status", "revision", "reason_for_referral", "childs_story",
             "presenting_behaviour", "underlying_needs", "presenting_factors", "predisposing_factors",
             "precipitating_factors", "perpetuating_factors", "protective_factors", "childs_voice", "strengths",
             "trm_rationale", "child_friendly_summary", "created_at", "updated_at", "updated_by_id",
             "signed_off_at", "signed_off_by_id"],
            (
                (pk, case, 1, author, "signed_off" if signed else "draft", 1, *blank,
                 signed or timezone.now(), signed or timezone.now(), author, signed, author if signed else None)
                for pk, (case, author, signed) in zip(report_ids, reports, strict=True)
            ),
        ),
    )  # fmt: skip
    action_ids = reserve_ids(Recommendation, len(actions))
    columns = ["id", "report_id", "case_id", "position", "text", "suits_from_stage", "justification",
               "sequencing_warning", "owner_name", "owner_agency_id", "owner_agency_name", "due_on", "status",
               "became_action_at", "created_at"]  # fmt: skip
    rows = []
    for pk, (report, case, position, agency, due, status, signed_at, done_at) in zip(action_ids, actions, strict=True):
        row = (pk, report_ids[report], case, position, "Invented action for the scale test.", 1, "", "", "",
               agency, "", due, status, signed_at, signed_at)  # fmt: skip
        rows.append(row)
        if done_at is not None:
            # The reports read when an action was marked done from its change history.
            done_history.append((done_at, "update", pk, *row))
    counts.add("actions", copy_rows(Recommendation, columns, rows))
    history = apps.get_model("formulation", "RecommendationHistory")
    history_columns = ["pgh_created_at", "pgh_label", "pgh_obj_id", *columns]
    counts.add("actions marked done (history)", copy_rows(history, history_columns, done_history))


def _write_stages_and_goals(
    assessments: list[tuple[Any, ...]],
    goals: list[tuple[Any, ...]],
    ratings: list[tuple[Any, ...]],
    groupings: list[tuple[Any, ...]],
    counts: Counts,
) -> None:
    counts.add(
        "stage assessments",
        copy_rows(
            StageAssessment,
            ["id", "case_id", "assessed_on", "stage_id", "indicators", "evidence", "source", "assessor_id",
             "move_back_note", "recorded_at"],
            (
                (pk, case, day, stage, [], evidence, source, assessor, "", recorded)
                for pk, (case, day, stage, evidence, source, assessor, recorded) in zip(
                    reserve_ids(StageAssessment, len(assessments)), assessments, strict=True
                )
            ),
        ),
    )  # fmt: skip
    goal_ids = dict(zip([key for key, *_ in goals], reserve_ids(Goal, len(goals)), strict=True))
    counts.add(
        "goals",
        copy_rows(
            Goal,
            ["id", "case_id", "text", "set_by", "set_on", "recorded_by_id", "recorded_at", "status",
             "closing_note"],
            (
                (goal_ids[key], case, "An invented goal", "With the case manager", set_on, by, at, "open", "")
                for key, case, set_on, by, at in goals
            ),
        ),
    )  # fmt: skip
    counts.add(
        "goal ratings",
        copy_rows(
            GoalRating,
            ["id", "goal_id", "rated_on", "score", "note", "context", "recorded_by_id", "recorded_at"],
            (
                (pk, goal_ids[key], day, score, "", context, by, at)
                for pk, (key, day, score, context, by, at) in zip(
                    reserve_ids(GoalRating, len(ratings)), ratings, strict=True
                )
            ),
        ),
    )  # fmt: skip
    counts.add(
        "THRIVE groupings",
        copy_rows(
            ThriveGrouping,
            ["id", "case_id", "grouping", "applies_from", "reason", "recorded_by_id", "recorded_at"],
            (
                (pk, *grouping)
                for pk, grouping in zip(reserve_ids(ThriveGrouping, len(groupings)), groupings, strict=True)
            ),
        ),
    )  # fmt: skip
