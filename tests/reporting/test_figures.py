"""Every figure of the report against numbers worked out by hand from the world in conftest.py.

Each test first checks the query's own (unsuppressed) answer, then what the page shows once small
numbers are suppressed. The comments give the working.
"""

from __future__ import annotations

import datetime as dt

import pytest

from reporting import queries
from reporting.figures import Figure, build_report
from reporting.indicators import load_funnel
from tests.reporting.conftest import World

pytestmark = pytest.mark.django_db


def texts(figure: Figure) -> dict[str, list[str]]:
    """Each row of a rendered figure: its label and the text of its cells."""
    return {row.label: [cell.text for cell in row.cells] for row in figure.rows}


def test_referrals_by_service_and_month(world: World) -> None:
    scope = world.scope()
    bristol, banes = world.cast.bristol.pk, world.cast.banes.pk
    found = queries.referrals_by_agency_and_period(scope)
    # Bristol: January (Ollie), February (Amara), March (Tegan, Idris, Saffi, Harvey), December (Harvey
    # again). Reuben's referral was sent in November 2024; Wyvern is not in scope; the draft never went.
    assert found == {
        (bristol, dt.date(2025, 1, 1)): 1,
        (bristol, dt.date(2025, 2, 1)): 1,
        (bristol, dt.date(2025, 3, 1)): 4,
        (bristol, dt.date(2025, 12, 1)): 1,
        (banes, dt.date(2025, 3, 1)): 1,
        (banes, dt.date(2025, 5, 1)): 1,
    }
    figure = build_report(scope).figure("referrals")
    assert figure.header[1] == "Jan 2025" and figure.header[-2] == "Dec 2025"
    rows = texts(figure)
    # Every cell is 0 to 4, shown "<5" (none included). Bristol's 7, March's 5 and the 9 in all show as the
    # range of five they fall in: no line pins a count (the twelve "<5" months leave room), so nothing is hidden.
    assert rows["BANES YJS"] == ["<5"] * 13
    assert rows["Bristol YJS"] == [*["<5"] * 12, "5–9"]
    assert rows["All services"] == ["<5", "<5", "5–9", *["<5"] * 9, "5–9"]


def test_triage_outcomes(world: World) -> None:
    scope = world.scope()
    # Decided in 2025: formulation for Ollie, Amara, Reuben, Idris, Saffi and Lowen; consultation for
    # Tegan and Nia; Harvey not accepted.
    assert queries.triage_outcomes(scope) == {"formulation": 6, "consultation": 2, "not_accepted": 1}
    rows = texts(build_report(scope).figure("triage"))
    # 6 + 2 + 1 = 9: "5–9", "<5", "<5" and "5–9" pin nothing (any of 5 to 9 + 0 to 4 + 0 to 4 within 5 to 9).
    assert rows == {
        "Accepted for formulation": ["5–9"],
        "Accepted for consultation": ["<5"],
        "Not accepted": ["<5"],
        "All decisions": ["5–9"],
    }


def test_waiting_times_median_and_90th_percentile(world: World) -> None:
    scope = world.scope()
    found = queries.waiting_times(scope)
    # To decision: 10, 4, 50, 21, 8, 33, 14, 1, 7 days. Sorted 1 4 7 8 10 14 21 33 50: median 10;
    # 90th percentile at position 0.9 x 8 = 7.2, between 33 and 50: 33 + 0.2 x 17 = 36.4.
    assert (found["decision"].measured, found["decision"].cases, found["decision"].median) == (9, 9, 10.0)
    assert found["decision"].p90 == pytest.approx(36.4)
    # To the first formulation meeting held (a second formulation and a cancelled one do not count):
    # Ollie 35, Amara 28, Reuben 92, Idris 33, Saffi 80, Lowen 35. Median (35 + 35) / 2 = 35;
    # 90th percentile at 0.9 x 5 = 4.5, between 80 and 92: 86.
    assert (found["meeting"].measured, found["meeting"].cases, found["meeting"].median) == (6, 6, 35.0)
    assert found["meeting"].p90 == pytest.approx(86.0)
    # To the first signed-off report in the period: Ollie 63, Amara 57, Reuben 120, Lowen 70 (Saffi's was
    # signed off in 2026, Idris's is a draft). Median 66.5; 90th percentile 70 + 0.7 x 50 = 105.
    assert (found["report"].measured, found["report"].cases, found["report"].median) == (4, 4, 66.5)
    assert found["report"].p90 == pytest.approx(105.0)
    rows = texts(build_report(scope).figure("waiting"))
    assert rows == {
        "Referral to triage decision": ["5–9", "10", "36.4"],
        "Referral to first formulation meeting held": ["5–9", "35", "86"],
        "Referral to first formulation report signed off": ["<5", "<5 cases", "<5 cases"],
    }


def test_meetings_and_reviews_held(world: World) -> None:
    scope = world.scope()
    bristol, banes = world.cast.bristol.pk, world.cast.banes.pk
    # Bristol formulation meetings held: Ollie twice, Amara, Reuben, Idris, Saffi (her cancelled one does
    # not count); reviews: Ollie twice, Amara, Reuben (Idris's is only scheduled). BANES: Lowen one of each.
    assert queries.meetings_held(scope) == {
        (bristol, "formulation"): 6,
        (bristol, "review"): 4,
        (banes, "formulation"): 1,
        (banes, "review"): 1,
    }
    rows = texts(build_report(scope).figure("meetings"))
    # As ranges, no row or column pins a count: Bristol's 6 + 4 = 10 could be 5 to 9 and 1 to 4 in many ways.
    assert rows == {
        "BANES YJS": ["<5", "<5", "<5"],
        "Bristol YJS": ["5–9", "<5", "10–14"],
        "All services": ["5–9", "5–9", "10–14"],
    }


def test_attendance_by_partner_agency_type(world: World) -> None:
    scope = world.scope()
    found = queries.attendance_by_agency_kind(scope)
    # Education, recorded at held meetings: Ollie's two formulations and first review (3 attended), Amara
    # (attended), Reuben (apologies), Idris (attended), Saffi (did not attend), Lowen (attended): 8, 6 attended,
    # about 6 children. The cancelled and scheduled meetings, Wyvern and the withdrawn invitation do not count.
    assert found["education"] == queries.Attendance(recorded=8, attended=6, cases=6)
    assert found["health"] == queries.Attendance(recorded=3, attended=2, cases=3)
    assert found["social_care"] == queries.Attendance(recorded=2, attended=2, cases=2)
    assert "voluntary" not in found  # one withdrawn, one not recorded
    assert found[""] == queries.Attendance(recorded=1, attended=1, cases=1)  # the surgery, not on ECM
    rows = texts(build_report(scope).figure("attendance"))
    assert rows == {
        # The rate is what the ranges allow: 5 to 9 of 5 to 9, from 5/9 (55%) to all of them. Police's and the
        # voluntary sector's none show as "<5" and "<5 cases" like any small number.
        "Education": ["5–9", "5–9", "55–100%"],
        "Social care": ["<5", "<5", "<5 cases"],
        "Health": ["<5", "<5", "<5 cases"],
        "Police": ["<5", "<5", "<5 cases"],
        "Voluntary sector": ["<5", "<5", "<5 cases"],
        "Other": ["<5", "<5", "<5 cases"],  # the surgery, entered as "Not listed"
    }


def test_stage_distribution_at_the_end_of_the_period(world: World) -> None:
    scope = world.scope()
    # Latest stage on or before 31 December 2025: Amara 1 (moved back), Lowen 1, Reuben 2 (his stage 3 is in
    # 2026), Idris 2, Ollie 3, Saffi 5; Tegan and Nia (consultations) have none. Mabli's case closed in 2024.
    assert queries.stage_distribution(scope) == {1: 2, 2: 2, 3: 1, 5: 1, None: 2}
    rows = texts(build_report(scope).figure("stages"))
    assert list(rows.values()) == [*[["<5"]] * 7, ["5–9"]]


def test_stage_movement_first_to_latest(world: World) -> None:
    scope = world.scope()
    # Two or more assessments by the end: Ollie 1 to 3, Reuben 1 to 2, Saffi 4 to 5 (moved on); Lowen 1 to 1
    # (same); Amara 2 to 1 (moved back).
    assert queries.stage_movement(scope) == {"moved_on": 3, "same": 1, "moved_back": 1}
    rows = texts(build_report(scope).figure("movement"))
    assert rows == {
        "Moved on": ["<5"],
        "Same stage": ["<5"],
        "Moved back": ["<5"],
        "Cases assessed twice or more": ["5–9"],
    }


def test_median_days_in_each_stage(world: World) -> None:
    scope = world.scope()
    found = queries.days_in_stage(scope)
    # Spells that ended in 2025: stage 1 Ollie 10 Feb to 7 Apr (56 days), Reuben 1 Dec 2024 to 17 Apr (137):
    # median 96.5. Stage 2 Ollie 7 Apr to 2 Jun (56), Amara 3 Mar to 1 Aug (151): median 103.5. Stage 4 Saffi
    # 2 Jun to 1 Oct (121). Reuben's stage 2 ends in 2026; Wyvern is not in scope.
    assert found == {
        1: queries.Spread(measured=2, cases=2, median=96.5),
        2: queries.Spread(measured=2, cases=2, median=103.5),
        4: queries.Spread(measured=1, cases=1, median=121.0),
    }
    rows = texts(build_report(scope).figure("days_in_stage"))
    assert [cells for cells in rows.values()] == [["<5", "<5 cases"]] * 6


def test_actions_by_owning_agency_type(world: World) -> None:
    scope = world.scope()
    # Due in 2025 and signed off (today 15 January 2026): education done on time 5 (Ollie x2, Reuben, Lowen on
    # the day, Amara), overdue 1 (Amara, in progress); health done late 1 (Ollie, 10 days late), overdue 2
    # (Reuben, Saffi); social care no longer needed 1; the surgery (not on ECM) done on time 1.
    assert queries.actions_by_owner_kind(scope) == {
        ("education", "done_on_time"): 5,
        ("education", "overdue"): 1,
        ("health", "done_late"): 1,
        ("health", "overdue"): 2,
        ("social_care", "no_longer_needed"): 1,
        ("", "done_on_time"): 1,
    }
    rows = texts(build_report(scope).figure("actions"))
    # Education's 5 on time and 1 overdue make 6: "5–9" + four "<5" = "5–9" pins nothing.
    assert rows["Education"] == ["5–9", "<5", "<5", "<5", "<5", "5–9"]
    assert rows["Health"] == ["<5"] * 6
    assert rows["Social care"] == ["<5"] * 6
    assert rows["Police"] == ["<5"] * 6
    assert rows["Not on ECM, or not recorded"] == ["<5"] * 6
    assert rows["All agencies"] == ["5–9", "<5", "<5", "<5", "<5", "10–14"]


def test_an_action_done_is_late_or_overdue_by_today(world: World) -> None:
    """Overdue is judged on the report's day: on 1 December 2025 Saffi's action was not yet due."""
    found = queries.actions_by_owner_kind(world.scope(today=dt.date(2025, 12, 1)))
    assert found[("health", "overdue")] == 1
    assert found[("health", "not_yet_due")] == 1


def test_case_holder_changes_per_case_per_year(world: World) -> None:
    scope = world.scope()
    found = queries.holder_changes(scope)
    # Ollie's case changed hands twice in 2025 and Reuben's once (first holders do not count; Mabli's 2024
    # change and Wyvern's do not either). Days open in 2025: Ollie 350, Amara 328, Reuben 357, Tegan 183,
    # Idris 287, Saffi 260 (and the hour the clocks went back), Lowen 290, Nia 87: 2,142 days, 5.86 years.
    assert (found.cases, found.changes) == (8, 3)
    assert found.case_years == pytest.approx((2142 + 1 / 24) / 365.25)
    assert found.changes_per_case_year == pytest.approx(0.5115, abs=0.0001)
    assert texts(build_report(scope).figure("continuity")) == {"The period's cases": ["5–9", "0.51"]}


def test_consultations_delivered(world: World) -> None:
    scope = world.scope()
    bristol, banes = world.cast.bristol.pk, world.cast.banes.pk
    # Tegan twice and Ollie once in Bristol, Nia once in BANES; Tegan's January 2026 one and Wyvern's do not count.
    assert queries.consultations_by_agency(scope) == {bristol: (3, 2), banes: (1, 1)}
    rows = texts(build_report(scope).figure("consultations"))
    assert rows == {"BANES YJS": ["<5"], "Bristol YJS": ["<5"], "All services": ["<5"]}


def test_goal_based_outcome_change(world: World) -> None:
    scope = world.scope()
    found = queries.goal_change(scope)
    # Rated twice or more by the end, last in 2025: Ollie +4 and 0, Amara -3, Reuben +2 (his 2026 rating is
    # after the period), Lowen +4, Idris +1. Saffi's goal has one rating; Mabli's case is not in the period.
    assert (found.improved, found.same, found.worse, found.cases) == (4, 1, 1, 5)
    assert found.mean_change == pytest.approx(8 / 6)
    report = build_report(scope)
    assert texts(report.figure("goals")) == {
        "Improved": ["<5"],
        "Same": ["<5"],
        "Worse": ["<5"],
        "Goals rated twice or more": ["5–9"],
    }
    assert texts(report.figure("goal_mean")) == {"Cases with goals rated twice or more": ["5–9", "+1.3"]}


def test_mental_health_funnel_follows_the_versioned_definitions(world: World) -> None:
    scope = world.scope()
    funnel = load_funnel("mental_health")
    # Need: Ollie, Tegan, Lowen (mental health), Amara (self-harm), Saffi (THRIVE risk support) = 5;
    # Harvey's referral was not accepted, Reuben's THRIVE grouping is from 2026.
    # Planned or offered: Ollie (health action), Tegan (consultations), Saffi (health action) = 3.
    # Attending: Ollie (health action done), Saffi (in progress) = 2.
    assert queries.funnel_counts(scope, funnel) == [5, 3, 2]
    figure = build_report(scope).figure("mental_health")
    assert f"version {funnel.version}" in figure.title
    # 5 of the 8 cases: "5–9" of "5–9", so from 5/9 (55%) to all of them; then 0 to 4 of 5 to 9 (0 to 80%).
    # The 3 without a need are never shown, and "5–9" less "5–9" does not pin them. The last share is of fewer
    # than 5 cases.
    assert texts(figure) == {
        "Need identified": ["5–9", "55–100%"],
        "Intervention planned or offered": ["<5", "0–80%"],
        "Attending an intervention": ["<5", "<5 cases"],
    }


def test_demographics(world: World) -> None:
    scope = world.scope()
    found = queries.demographics(scope)
    # Age on the day the case opened: Ollie 13, Amara 15, Reuben 16, Tegan 14, Idris 13, Saffi 18 (four days
    # before her 19th), Lowen 13, Nia 15.
    assert found["age"] == {"10_14": 4, "15_17": 3, "18_over": 1}
    assert found["gender"] == {"boy": 4, "girl": 3, "non_binary": 1}
    assert found["ethnicity"] == {"white": 4, "black": 1, "mixed": 1, "asian": 1, "other": 1}
    assert found["looked_after"] == {"no": 4, "looked_after": 2, "care_leaver": 1, "not_known": 1}
    report = build_report(scope)
    assert texts(report.figure("demographics_age")) == {
        "Under 10": ["<5"],
        "10 to 14": ["<5"],
        "15 to 17": ["<5"],
        "18 and over": ["<5"],
        "The period's cases": ["5–9"],
    }
    assert texts(report.figure("demographics_looked_after"))["Looked after (in care)"] == ["<5"]


def test_headline_figures_share_the_tables_suppression(world: World) -> None:
    report = build_report(world.scope())
    assert {label: shown.text for label, shown in report.headline} == {
        "Cases open in the period": "5–9",
        "Referrals received": "5–9",
        "Triage decisions": "5–9",
        "Formulation meetings held": "5–9",
        "Reviews held": "5–9",
        "Consultations delivered": "<5",
    }


def test_one_service_only_counts_its_own(world: World) -> None:
    scope = world.scope(agencies=(world.cast.banes,))
    assert queries.population_count(scope) == 2
    assert queries.triage_outcomes(scope) == {"formulation": 1, "consultation": 1}
    assert queries.meetings_held(scope) == {(world.cast.banes.pk, "formulation"): 1, (world.cast.banes.pk, "review"): 1}


def test_the_whole_report_takes_a_fixed_number_of_queries(world: World, django_assert_max_num_queries: object) -> None:
    with django_assert_max_num_queries(20):  # type: ignore[operator]
        build_report(world.scope())
