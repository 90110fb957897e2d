"""Each figure of the report, laid out on the sheet: the query it reads, its rows and columns, the lines
its counts add up along, its words and its chart."""

from __future__ import annotations

from accounts.models import AgencyKind
from cases.models import Ethnicity, Gender, LookedAfter
from formulation.models import MeetingPurpose
from referrals.models import TriageDecision
from reporting import queries
from reporting.figures.cells import ChartSpec, CountRef, FigureSpec, MeasureRef, RowSpec, Sheet
from reporting.indicators import Funnel
from reporting.queries import Figures
from reporting.scope import ReportScope

POPULATION = "population"
PARTNER_KIND_ORDER = [
    AgencyKind.EDUCATION,
    AgencyKind.SOCIAL_CARE,
    AgencyKind.HEALTH,
    AgencyKind.POLICE,
    AgencyKind.VOLUNTARY,
]
OWNER_KIND_ORDER = [*PARTNER_KIND_ORDER, AgencyKind.YOUTH_JUSTICE, AgencyKind.ECM_TEAM, ""]
OTHER_AGENCIES = "Other"
OWNER_KIND_LABELS = {**{kind.value: kind.label for kind in AgencyKind}, "": "Not on ECM, or not recorded"}
ACTION_STATE_LABELS = {
    "done_on_time": "Done by the due date",
    "done_late": "Done after the due date",
    "no_longer_needed": "No longer needed",
    "overdue": "Overdue",
    "not_yet_due": "Open, not yet due",
}
TRIAGE_LABELS = {
    TriageDecision.FORMULATION: "Accepted for formulation",
    TriageDecision.CONSULTATION: "Accepted for consultation",
    TriageDecision.NOT_ACCEPTED: "Not accepted",
}
WAITING_STEPS = {
    "decision": "Referral to triage decision",
    "meeting": "Referral to first formulation meeting held",
    "report": "Referral to first formulation report signed off",
}
MOVEMENT_LABELS = {"moved_on": "Moved on", "same": "Same stage", "moved_back": "Moved back"}
AGE_LABELS = {"under_10": "Under 10", "10_14": "10 to 14", "15_17": "15 to 17", "18_over": "18 and over"}


def referrals(scope: ReportScope, sheet: Sheet, figures: Figures) -> FigureSpec:
    found = figures.referrals
    buckets = scope.buckets
    rows = [str(agency.pk) for agency in scope.agencies]
    columns = [bucket.isoformat() for bucket in buckets]
    values = {(str(agency_id), bucket.isoformat()): count for (agency_id, bucket), count in found.items()}
    grid, totals = sheet.grid("referrals", rows, columns, values)
    by = "month" if scope.by_month else "year"
    return FigureSpec(
        key="referrals",
        title=f"Referrals received, by service and {by}",
        description="Referrals sent for triage in the period, by the referring youth justice service and the "
        f"{by} they were sent.",
        header=["Service", *[scope.bucket_label(bucket) for bucket in buckets], "Total"],
        rows=[
            *[RowSpec(agency.name, cells) for agency, cells in zip(scope.agencies, grid, strict=True)],
            RowSpec("All services", totals, is_total=True),
        ],
        chart=ChartSpec(column=0, title=f"Referrals received each {by}", rows="total"),
    )


def triage(scope: ReportScope, sheet: Sheet, figures: Figures) -> FigureSpec:
    found = figures.triage
    cells = sheet.distribution("triage", {decision.value: found.get(decision, 0) for decision in TriageDecision})
    return FigureSpec(
        key="triage",
        title="Triage outcomes",
        description="Triage decisions made in the period.",
        header=["Decision", "Referrals"],
        rows=[
            *[RowSpec(TRIAGE_LABELS[kind], [cell]) for kind, cell in zip(TriageDecision, cells[:-1], strict=True)],
            RowSpec("All decisions", [cells[-1]], is_total=True),
        ],
        chart=ChartSpec(column=0, title="Triage outcomes"),
    )


def waiting(scope: ReportScope, sheet: Sheet, figures: Figures) -> FigureSpec:
    found = figures.waiting
    rows = []
    for step, label in WAITING_STEPS.items():
        spread = found.get(step, queries.Spread(0, 0, None, None))
        measured = sheet.count(f"waiting:{step}", spread.measured)
        rows.append(
            RowSpec(
                label,
                [
                    measured,
                    MeasureRef(spread.median, spread.cases, "days"),
                    MeasureRef(spread.p90, spread.cases, "days"),
                ],
            )
        )
    return FigureSpec(
        key="waiting",
        title="Waiting times in days",
        description="Days from the day the referral was sent, measured when the step happened in the period: a "
        "triage decision, a case's first formulation meeting held, a case's first formulation report signed off.",
        header=["From referral to", "Referrals measured", "Median days", "90th percentile days"],
        rows=rows,
    )


def meetings(scope: ReportScope, sheet: Sheet, figures: Figures) -> FigureSpec:
    found = figures.meetings
    purposes = [MeetingPurpose.FORMULATION.value, MeetingPurpose.REVIEW.value]
    values = {(str(agency_id), purpose): count for (agency_id, purpose), count in found.items()}
    grid, totals = sheet.grid("meetings", [str(agency.pk) for agency in scope.agencies], purposes, values)
    return FigureSpec(
        key="meetings",
        title="Formulation meetings and reviews held",
        description="Multi-agency meetings held in the period, by the case's youth justice service. Reviews are "
        "the review meetings held (meetings whose purpose is a review and which were recorded as held).",
        header=["Service", "Formulation meetings", "Reviews", "Total"],
        rows=[
            *[RowSpec(agency.name, cells) for agency, cells in zip(scope.agencies, grid, strict=True)],
            RowSpec("All services", totals, is_total=True),
        ],
    )


def attendance(scope: ReportScope, sheet: Sheet, figures: Figures) -> FigureSpec:
    found = figures.attendance
    rows = []
    # The partner kinds, then "Other": people whose agency was entered as "Not listed" (no agency on ECM).
    kinds = [(str(kind), str(kind), AgencyKind(kind).label) for kind in PARTNER_KIND_ORDER]
    for found_kind, key, label in [*kinds, (queries.NOT_LISTED, "other", OTHER_AGENCIES)]:
        seen = found.get(found_kind, queries.Attendance(0, 0, 0))
        invited = sheet.count(f"attendance:{key}:invited", seen.recorded)
        attended = sheet.count(f"attendance:{key}:attended", seen.attended)
        rate = MeasureRef(
            seen.attended / seen.recorded if seen.recorded else None,
            seen.cases,
            "percent",
            share_of=(attended.key, invited.key),
        )
        rows.append(RowSpec(label, [invited, attended, rate]))
    return FigureSpec(
        key="attendance",
        title="Attendance by partner agency type",
        description="People from partner agencies invited to formulation meetings and reviews held in the period, "
        "whose attendance was recorded, and the share who attended. Rates are shown from 5 cases upwards, as the "
        "range of shares the published counts allow. Other: an agency entered as not listed on ECM.",
        header=["Agency type", "Invitations", "Attended", "Attendance rate"],
        rows=rows,
        notes=[
            "These counts are of professionals' invitations, not of children; a rate is shown only when the "
            "meetings behind it were about at least 5 children."
        ],
        chart=ChartSpec(column=2, title="Attendance rate by partner agency type", maximum=1.0),
    )


def stages(scope: ReportScope, sheet: Sheet, figures: Figures, names: dict[int, str]) -> FigureSpec:
    found = figures.stages
    values = {str(number): found.get(number, 0) for number in range(1, 7)}
    values["none"] = found.get(None, 0)
    cells = sheet.distribution("stage", values, total_key=POPULATION)
    labels = [f"Stage {number}: {names.get(number, '')}".rstrip(": ") for number in range(1, 7)]
    return FigureSpec(
        key="stages",
        title="TRM stage at the end of the period",
        description="The period's cases (open at any time in the period) by their Trauma Recovery Model stage at "
        "the end of the period, from the latest assessment on or before that day.",
        header=["Stage", "Cases"],
        rows=[
            *[RowSpec(label, [cell]) for label, cell in zip([*labels, "No stage recorded yet"], cells, strict=False)],
            RowSpec("The period's cases", [cells[-1]], is_total=True),
        ],
        notes=["The Trauma Recovery Model is by Tricia Skuse and Jonny Matthew (2018)."],
        chart=ChartSpec(column=0, title="Cases by TRM stage at the end of the period"),
    )


def movement(scope: ReportScope, sheet: Sheet, figures: Figures) -> FigureSpec:
    found = figures.movement
    cells = sheet.distribution("movement", {key: found.get(key, 0) for key in MOVEMENT_LABELS})
    return FigureSpec(
        key="movement",
        title="TRM movement from first to latest assessment",
        description="The period's cases with two or more stage assessments by the end of the period: whether the "
        "latest stage is above, the same as or below the first.",
        header=["Movement", "Cases"],
        rows=[
            *[RowSpec(label, [cell]) for label, cell in zip(MOVEMENT_LABELS.values(), cells, strict=False)],
            RowSpec("Cases assessed twice or more", [cells[-1]], is_total=True),
        ],
        chart=ChartSpec(column=0, title="TRM movement from first to latest assessment"),
    )


def days_in_stage(scope: ReportScope, sheet: Sheet, figures: Figures, names: dict[int, str]) -> FigureSpec:
    found = figures.days_in_stage
    rows = []
    for number in range(1, 7):
        spread = found.get(number, queries.Spread(0, 0, None))
        spells = sheet.count(f"spells:{number}", spread.measured)
        label = f"Stage {number}: {names.get(number, '')}".rstrip(": ")
        rows.append(RowSpec(label, [spells, MeasureRef(spread.median, spread.cases, "days")]))
    return FigureSpec(
        key="days_in_stage",
        title="Median days in each TRM stage",
        description="Days from the assessment that placed a child in a stage to the assessment that moved them "
        "out of it, over the moves made in the period.",
        header=["Stage", "Moves out of the stage", "Median days in the stage"],
        rows=rows,
    )


def actions(scope: ReportScope, sheet: Sheet, figures: Figures) -> FigureSpec:
    found = figures.actions
    values: dict[tuple[str, str], int] = {}
    for (kind, state), count in found.items():
        row = kind if kind in OWNER_KIND_ORDER else ""
        values[(row, state)] = values.get((row, state), 0) + count
    grid, totals = sheet.grid("actions", OWNER_KIND_ORDER, list(queries.ACTION_STATES), values)
    return FigureSpec(
        key="actions",
        title="Recommendations and actions, by owning agency type",
        description="Signed-off recommendations and review actions due in the period, by the owner's type of "
        "agency and where each stands today. Done by the due date: the action's change history shows it marked "
        "done on or before its due date.",
        header=["Owning agency type", *ACTION_STATE_LABELS.values(), "Total"],
        rows=[
            *[RowSpec(OWNER_KIND_LABELS[kind], cells) for kind, cells in zip(OWNER_KIND_ORDER, grid, strict=True)],
            RowSpec("All agencies", totals, is_total=True),
        ],
        chart=ChartSpec(column=0, title="Actions due in the period, by where they stand", rows="total"),
    )


def continuity(scope: ReportScope, sheet: Sheet, figures: Figures, population: CountRef) -> FigureSpec:
    found = figures.continuity
    rate = MeasureRef(found.changes_per_case_year, found.cases, "decimal")
    return FigureSpec(
        key="continuity",
        title="Continuity: case holder changes",
        description="Changes of case holder in the period (not counting the first holder), per case per year "
        "open in the period, over the period's cases.",
        header=["", "Cases", "Case holder changes per case per year"],
        rows=[RowSpec("The period's cases", [population, rate])],
    )


def consultations(scope: ReportScope, sheet: Sheet, figures: Figures) -> FigureSpec:
    found = figures.consultations
    cells = sheet.distribution(
        "consultations", {str(agency.pk): found.get(agency.pk, (0, 0))[0] for agency in scope.agencies}
    )
    return FigureSpec(
        key="consultations",
        title="Consultations delivered",
        description="Consultations the ECM psychologists gave in the period, by the case's youth justice service.",
        header=["Service", "Consultations"],
        rows=[
            *[RowSpec(agency.name, [cell]) for agency, cell in zip(scope.agencies, cells, strict=False)],
            RowSpec("All services", [cells[-1]], is_total=True),
        ],
    )


def goals(scope: ReportScope, sheet: Sheet, figures: Figures) -> tuple[FigureSpec, FigureSpec]:
    found = figures.goals
    cells = sheet.distribution("goals", {"improved": found.improved, "same": found.same, "worse": found.worse})
    counts = FigureSpec(
        key="goals",
        title="Goal-based outcomes: change from first to latest rating",
        description="Goals of the period's cases rated two or more times, last rated in the period: whether the "
        "latest rating (0 to 10) is above, the same as or below the first.",
        header=["Change", "Goals"],
        rows=[
            RowSpec("Improved", [cells[0]]),
            RowSpec("Same", [cells[1]]),
            RowSpec("Worse", [cells[2]]),
            RowSpec("Goals rated twice or more", [cells[3]], is_total=True),
        ],
    )
    with_goals = sheet.count("goals:cases", found.cases)
    mean = FigureSpec(
        key="goal_mean",
        title="Goal-based outcomes: mean change",
        description="The mean change from the first to the latest rating, in points out of 10, over the same goals.",
        header=["", "Cases", "Mean change in points"],
        rows=[
            RowSpec(
                "Cases with goals rated twice or more",
                [with_goals, MeasureRef(found.mean_change, found.cases, "signed")],
            )
        ],
    )
    return counts, mean


def mental_health(
    scope: ReportScope, sheet: Sheet, figures: Figures, funnel: Funnel, population: CountRef
) -> FigureSpec:
    counts = figures.funnel
    rows = []
    before = population
    for step, count in zip(funnel.steps, counts, strict=True):
        reached = sheet.count(f"funnel:{step.key}", count)
        # Never shown, but implied by the step and the one before it: protected like any count.
        dropped = sheet.count(f"funnel:{step.key}:not", sheet.values[before.key] - count, displayed=False)
        sheet.line([reached, dropped], before)
        share = MeasureRef(
            count / sheet.values[before.key] if sheet.values[before.key] else None,
            sheet.values[before.key],
            "percent",
            share_of=(reached.key, before.key),
        )
        rows.append(RowSpec(step.label, [reached, share]))
        before = reached
    return FigureSpec(
        key="mental_health",
        title=f"{funnel.title} (indicator definitions version {funnel.version})",
        description=f"{funnel.based_on} {funnel.population}",
        header=["Step", "Cases", "Share of the step before"],  # the first step's: of the period's cases
        rows=rows,
        notes=[f"{step.label}: {step.definition}" for step in funnel.steps],
        chart=ChartSpec(column=0, title=funnel.title),
    )


def demographics(scope: ReportScope, sheet: Sheet, figures: Figures) -> list[FigureSpec]:
    found = figures.demographics
    dimensions = [
        ("age", "Age band", "Age on the day the case opened", AGE_LABELS),
        ("gender", "Gender", "Gender as recorded on the child's record", dict(Gender.choices)),
        ("ethnicity", "Ethnicity", "Ethnic group as recorded (2021 census groups)", dict(Ethnicity.choices)),
        ("looked_after", "Looked-after status", "Looked-after status as recorded today", dict(LookedAfter.choices)),
    ]
    specs = []
    for dimension, title, description, labels in dimensions:
        values = {category: found[dimension].get(category, 0) for category in labels}
        cells = sheet.distribution(f"demographics:{dimension}", values, total_key=POPULATION)
        specs.append(
            FigureSpec(
                key=f"demographics_{dimension}",
                title=title,
                description=f"The period's cases. {description}.",
                header=[title, "Cases"],
                rows=[
                    *[RowSpec(str(label), [cell]) for label, cell in zip(labels.values(), cells, strict=False)],
                    RowSpec("The period's cases", [cells[-1]], is_total=True),
                ],
            )
        )
    return specs
