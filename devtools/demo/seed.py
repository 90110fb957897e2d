"""The invented demo world: four youth justice services, the ECM team, partners and one person per role.

Every person, school and child here is made up. Agencies are named after the services of the
South West ECM pilot (Bristol, North Somerset, South Gloucestershire and BANES youth justice).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts.models import Agency, AgencyKind, Role, User
from accounts.services import agency_create, coverage_add, membership_add, user_create
from cases.models import Case, Child, Ethnicity, Gender, LegalStatus, LookedAfter
from cases.services import case_close, child_create, consultation_log, contact_log, network_member_add
from devtools.demo.consent import demo_consent
from devtools.demo.documents import demo_documents
from devtools.demo.merges import demo_near_duplicates
from devtools.demo.reporting_data import ReportingDataMade, demo_reporting_data, demo_reporting_data_exists
from devtools.demo.totp import demo_device_ensure
from devtools.demo.transfers import demo_transfers
from formulation.services import Invitee, meeting_schedule, recommendation_add, report_save, report_start
from referrals.models import Referral, TriageDecision
from referrals.services import referral_save_draft, referral_start, referral_submit, referral_triage
from reporting.services import commissioning_add
from trm_stages.services import goal_rate, goal_set, stage_assessment_record, thrive_grouping_set

DEMO_PASSWORD = "ecm-demo-2026"  # noqa: S105 - printed for the demo; refused when DEMO_LOGINS_ALLOWED is off

YJS_NAMES = ["Bristol YJS", "North Somerset YJS", "South Gloucestershire YJS", "BANES YJS"]
PARTNERS = [
    ("Fernbrook Academy", AgencyKind.EDUCATION),
    ("Avonvale Children's Social Care", AgencyKind.SOCIAL_CARE),
    ("Riverside Community Health", AgencyKind.HEALTH),
]
ECM_TEAM = "South West ECM Team (Forensic CAMHS)"
COMMISSIONER = "Westcombe Integrated Care Board"


@dataclass(frozen=True)
class DemoPerson:
    username: str
    first_name: str
    last_name: str
    role: str
    agency: str
    job_title: str
    covers: tuple[str, ...] = ()


DEMO_PEOPLE = [
    DemoPerson("casemanager", "Sam", "Okafor", Role.CASE_MANAGER, "Bristol YJS", "YJS case manager"),
    DemoPerson("colleague", "Priya", "Nandra", Role.CASE_MANAGER, "Bristol YJS", "YJS case manager"),
    DemoPerson("banes", "Tom", "Hartley", Role.CASE_MANAGER, "BANES YJS", "YJS case manager"),
    DemoPerson(
        "psychologist",
        "Alex",
        "Morgan",
        Role.PSYCHOLOGIST,
        ECM_TEAM,
        "Clinical psychologist",
        ("Bristol YJS", "South Gloucestershire YJS", "North Somerset YJS"),
    ),
    DemoPerson(
        "senior",
        "Jordan",
        "Reeve",
        Role.SENIOR_PRACTITIONER,
        ECM_TEAM,
        "Senior practitioner",
        ("Bristol YJS", "South Gloucestershire YJS"),
    ),
    DemoPerson("banespsych", "Robin", "Hale", Role.PSYCHOLOGIST, ECM_TEAM, "Clinical psychologist", ("BANES YJS",)),
    DemoPerson("teacher", "Helen", "Marsh", Role.PARTNER, "Fernbrook Academy", "Designated teacher"),
    DemoPerson("commissioner", "Chris", "Lowe", Role.COMMISSIONER, COMMISSIONER, "Commissioning manager"),
    DemoPerson("admin", "Dana", "Whitfield", Role.ADMINISTRATOR, ECM_TEAM, "Service administrator"),
    DemoPerson("bristoladmin", "Lena", "Achebe", Role.AGENCY_ADMINISTRATOR, "Bristol YJS", "Business support manager"),
]


@dataclass(frozen=True)
class DemoChild:
    given_name: str
    family_name: str
    born: dt.date
    reference: str
    yjs: str
    referrer: str
    # What happened: draft, draft_no_consent, waiting (for triage), not_accepted, consultation,
    # formulation, closed, closed_and_referred_again.
    story: str
    days_ago: int = 0
    urgency: str = "soon"


DEMO_CHILDREN = [
    DemoChild("Kai", "Brennan", dt.date(2010, 3, 14), "LOC-100231", "Bristol YJS", "casemanager", "formulation", 60),
    DemoChild("Mia", "Thornton", dt.date(2009, 11, 2), "LOC-100232", "Bristol YJS", "casemanager", "waiting", 12),
    DemoChild(
        "Zara", "Okonjo", dt.date(2009, 4, 18), "LOC-100237", "Bristol YJS", "colleague", "waiting", 35, "urgent"
    ),
    DemoChild(
        "Finn", "Castellan", dt.date(2011, 9, 3), "LOC-100238", "Bristol YJS", "casemanager", "waiting", 2, "routine"
    ),
    DemoChild("Leo", "Ashdown", dt.date(2011, 6, 21), "LOC-100233", "Bristol YJS", "colleague", "draft"),
    DemoChild(
        "Theo", "Lindqvist", dt.date(2010, 7, 27), "LOC-100239", "Bristol YJS", "casemanager", "draft_no_consent"
    ),
    DemoChild("Jay", "Pemberton", dt.date(2008, 8, 30), "LOC-100234", "Bristol YJS", "colleague", "consultation", 30),
    DemoChild(
        "Ellis",
        "Varga",
        dt.date(2007, 2, 11),
        "LOC-100235",
        "Bristol YJS",
        "casemanager",
        "closed_and_referred_again",
        200,
    ),
    DemoChild("Noah", "Fenwick", dt.date(2010, 12, 5), "LOC-100236", "Bristol YJS", "casemanager", "not_accepted", 20),
    DemoChild("Ruby", "Calder", dt.date(2008, 1, 9), "LOC-200418", "BANES YJS", "banes", "waiting", 3),
]


class DemoRefused(Exception):
    pass


@transaction.atomic
def seed_demo() -> list[DemoPerson]:
    """Create the demo world once; running it again changes nothing. Refused where demo logins are off."""
    if not settings.DEMO_LOGINS_ALLOWED:
        raise DemoRefused("Demo data is refused where demo logins are off (ECM_DEMO_LOGINS_ALLOWED).")
    agencies: dict[str, Agency] = {agency.name: agency for agency in Agency.objects.all()}

    def agency(name: str, kind: str) -> Agency:
        if name not in agencies:
            agencies[name] = agency_create(name=name, kind=kind)
        return agencies[name]

    for name in YJS_NAMES:
        agency(name, AgencyKind.YOUTH_JUSTICE)
    agency(ECM_TEAM, AgencyKind.ECM_TEAM)
    for name, kind in PARTNERS:
        agency(name, kind)
    agency(COMMISSIONER, AgencyKind.COMMISSIONER)
    # The demo commissioner's body commissions ECM for all four services, so sees all their figures.
    for name in YJS_NAMES:
        commissioning_add(commissioner_agency=agencies[COMMISSIONER], yjs=agencies[name])

    people: dict[str, User] = {}
    for person in DEMO_PEOPLE:
        user = User.objects.filter(username=person.username).first()
        if user is None:
            user = user_create(
                username=person.username,
                email=f"{person.username}@demo.ecm.invalid",
                first_name=person.first_name,
                last_name=person.last_name,
                job_title=person.job_title,
                password=DEMO_PASSWORD,
                is_demo=True,
            )
            membership_add(user=user, agency=agencies[person.agency], role=person.role)
            for yjs in person.covers:
                coverage_add(clinician=user, yjs=agencies[yjs])
        # Every demo person signs in with a second factor, from a fixed key printed beside their name.
        demo_device_ensure(user)
        people[person.username] = user

    for story in DEMO_CHILDREN:
        if not Child.objects.filter(reference=story.reference).exists():
            _tell(story, agencies=agencies, people=people)
    demo_transfers(agencies=agencies, people=people)  # Jay's case offered to BANES, waiting (issue 17)
    demo_near_duplicates(agencies=agencies, people=people)  # Kai referred again as Kay Brenan (issue 17)
    return DEMO_PEOPLE


@transaction.atomic
def seed_demo_reporting_data() -> ReportingDataMade | None:
    """The demo's reporting data (devtools/demo/reporting_data.py), after `seed_demo`; None when there already."""
    if not settings.DEMO_LOGINS_ALLOWED:
        raise DemoRefused("Demo data is refused where demo logins are off (ECM_DEMO_LOGINS_ALLOWED).")
    if demo_reporting_data_exists():
        return None
    agencies = {agency.name: agency for agency in Agency.objects.all()}
    return demo_reporting_data(
        services=[agencies[name] for name in YJS_NAMES],
        ecm_team=agencies[ECM_TEAM],
        partners=[agencies[name] for name, _ in PARTNERS],
    )


def _tell(story: DemoChild, *, agencies: dict[str, Agency], people: dict[str, User]) -> None:
    """Walk one invented child through the services up to where their story stops."""
    referrer = people[story.referrer]
    psychologist, senior, teacher = people["psychologist"], people["senior"], people["teacher"]
    child = child_create(
        actor=referrer,
        given_name=story.given_name,
        family_name=story.family_name,
        date_of_birth=story.born,
        reference=story.reference,
        gender=Gender.BOY if story.given_name in {"Kai", "Leo", "Jay", "Noah"} else Gender.GIRL,
        ethnicity=Ethnicity.WHITE if story.given_name in {"Kai", "Ruby", "Ellis"} else Ethnicity.MIXED,
        looked_after=LookedAfter.LOOKED_AFTER if story.given_name in {"Kai", "Ellis"} else LookedAfter.NO,
        legal_status=LegalStatus.REFERRAL_ORDER,
        address_area="Eastfield",
        school="Fernbrook Academy",
    )
    referral = referral_start(child=child, referring_yjs=agencies[story.yjs], actor=referrer)
    consent: dict[str, Any] = {}
    if story.story != "draft_no_consent":
        consent = {
            "child_consent": "given",
            "carer_consent": "given",
            "consent_covers_sharing": True,
            "consent_given_by": "The child and their foster carer",
            "consent_date": timezone.localdate() - dt.timedelta(days=story.days_ago + 2),
        }
    referral_save_draft(
        referral=referral,
        actor=referrer,
        reasons="Repeated missing episodes and escalating violence at home; three placements in a year.",
        complex_needs=["exploitation", "mental_health", "family_context"],
        current_risks="Criminal exploitation suspected; self-harm last month.",
        agencies_involved="School, children's social care, CAMHS (on the waiting list).",
        tried_before="Two short pieces of mentoring; a reparation plan that broke down.",
        urgency=story.urgency,
        **consent,
    )
    if story.story.startswith("draft"):
        return
    referral_submit(referral=referral, actor=referrer)
    Referral.objects.filter(pk=referral.pk).update(submitted_at=timezone.now() - dt.timedelta(days=story.days_ago))
    referral.refresh_from_db()
    if story.story == "waiting":
        return
    decision = {
        "not_accepted": TriageDecision.NOT_ACCEPTED,
        "consultation": TriageDecision.CONSULTATION,
    }.get(story.story, TriageDecision.FORMULATION)
    case = referral_triage(
        referral=referral,
        actor=psychologist,
        decision=decision,
        reason="Needs are met by the current plan." if decision == TriageDecision.NOT_ACCEPTED else "",
        signposting="Local CAMHS single point of access." if decision == TriageDecision.NOT_ACCEPTED else "",
        psychologist=psychologist if decision == TriageDecision.FORMULATION else None,
        senior_practitioner=senior if decision == TriageDecision.FORMULATION else None,
    )
    if case is None:
        return
    network_member_add(
        case=case,
        actor=referrer,
        user=teacher,
        name="",
        agency=agencies["Fernbrook Academy"],
        role="Designated teacher",
        may_see_summary=story.story == "formulation",
    )
    network_member_add(
        case=case,
        actor=referrer,
        name="Morgan Ellery",
        agency_name="Avonvale Children's Social Care",
        role="Social worker",
        email="m.ellery@avonvale.invalid",
    )
    contact_log(
        case=case,
        actor=referrer,
        occurred_at=timezone.now() - dt.timedelta(days=5),
        kind="face_to_face",
        with_whom=story.given_name,
        duration_minutes=45,
        note="Met at the youth centre. Talked about football and the week ahead; calmer than last time.",
    )
    contact_log(
        case=case,
        actor=referrer,
        occurred_at=timezone.now() - dt.timedelta(days=2),
        kind="phone",
        with_whom="Foster carer",
        duration_minutes=20,
        note="Carer shared a disclosure about an older cousin. Safeguarding referral made.",
        restricted=True,
    )
    demo_consent(case, story.story, holder=referrer)  # consent over time (devtools/demo/consent.py)
    if story.story == "consultation":
        consultation_log(
            case=case,
            actor=psychologist,
            held_on=timezone.localdate() - dt.timedelta(days=7),
            attendees="Priya Nandra (case manager)",
            question="How to keep appointments going when he does not turn up?",
            advice="Keep the same time and place each week; follow up every missed session the same day.",
            minutes_spent=50,
        )
    if story.story == "formulation":
        _stage_journey(case, psychologist)
        _goals_and_meeting(case, referrer=referrer, senior=senior, teacher=teacher)
        _report_draft(case, psychologist=psychologist, teacher=teacher)
        demo_documents(case, holder=referrer)
    if story.story == "closed_and_referred_again":
        stage_assessment_record(
            case=case,
            actor=psychologist,
            assessed_on=timezone.localdate() - dt.timedelta(days=30),
            stage_number=5,
            evidence="Planning for college with his carer; keeps to the plan most weeks.",
            source="review",
        )
        case_close(
            case=case,
            actor=senior,
            reason="goals_met",
            outcome_summary="Settled in placement and attending college three days a week.",
            ending_plan="Text access to the case manager for three months; review if the placement changes.",
        )
        # The same child, referred again after the placement broke down: one record, a new referral.
        again = referral_start(child=child, referring_yjs=agencies[story.yjs], actor=referrer)
        referral_save_draft(
            referral=again,
            actor=referrer,
            reasons="Placement broke down after the ECM case closed; missing from home twice this month.",
            complex_needs=["exploitation", "family_context"],
            current_risks="Going missing overnight; contact with adults suspected of exploitation.",
            agencies_involved="Children's social care, the college.",
            tried_before="The ending plan's text contact; a new placement search.",
            urgency="urgent",
            child_consent="given",
            carer_consent="not_applicable",
            consent_covers_sharing=True,
            consent_given_by="The young person (18)",
            consent_date=timezone.localdate(),
        )
        referral_submit(referral=again, actor=referrer)


def _stage_journey(case: Case, psychologist: User) -> None:
    """A TRM journey with a move back after disclosure, so the stage chart has a story to tell."""
    today = timezone.localdate()
    steps = [
        (55, 1, "formulation", "Missing from home most weekends; misses appointments unless collected.", ""),
        (40, 2, "consultation", "Waits after sessions to talk to his case manager; tests whether she comes back.", ""),
        (20, 3, "review", "Has begun to talk about what happened before he came into care.", ""),
        (
            6,
            2,
            "other",
            "Walked out of two sessions and stayed out overnight after talking about his cousin.",
            "The return to difficult behaviour that often follows a disclosure; keep the routine and the same adult.",
        ),
    ]
    for days_ago, stage, source, evidence, note in steps:
        stage_assessment_record(
            case=case,
            actor=psychologist,
            assessed_on=today - dt.timedelta(days=days_ago),
            stage_number=stage,
            evidence=evidence,
            source=source,
            move_back_note=note,
        )


def _goals_and_meeting(case: Case, *, referrer: User, senior: User, teacher: User) -> None:
    """THRIVE grouping, two goals with ratings, and the formulation meeting next week with its invitations."""
    today = timezone.localdate()
    thrive_grouping_set(
        case=case,
        actor=referrer,
        grouping="getting_more_help",
        applies_from=today - dt.timedelta(days=50),
        reason="Several agencies involved; needs a joined-up plan and specialist advice.",
    )
    for text, ratings in (
        ("I want to stay at my nan's on Fridays without arguing", [2, 4, 5]),
        ("Go to football training every week", [3, 3, 6]),
    ):
        goal = goal_set(
            case=case,
            actor=referrer,
            text=text,
            set_by=f"{case.child.given_name} with {referrer.get_full_name()}",
            set_on=today - dt.timedelta(days=45),
            start_score=ratings[0],
        )
        for days_ago, score in zip((25, 5), ratings[1:], strict=True):
            rated_on = today - dt.timedelta(days=days_ago)
            goal_rate(goal=goal, actor=referrer, rated_on=rated_on, score=score, context="other")
    member = case.network.get(user=teacher, removed_at__isnull=True)
    start = timezone.make_aware(dt.datetime.combine(today + dt.timedelta(days=7), dt.time(10, 0)))
    meeting_schedule(
        case=case,
        actor=senior,
        purpose="formulation",
        starts_at=start,
        ends_at=start + dt.timedelta(hours=1, minutes=30),
        location="Meeting room 2, Bristol YJS, 14 Harbour Row",
        invitees=[
            Invitee(
                name=member.name,
                email=member.email,
                role=member.role,
                user=teacher,
                network_member=member,
                agency=member.agency,
            ),
            Invitee(
                name=referrer.get_full_name(),
                email=referrer.email,
                role="Case manager",
                user=referrer,
                agency=case.owning_yjs,
            ),
        ],
    )


def _report_draft(case: Case, *, psychologist: User, teacher: User) -> None:
    """The psychologist's formulation report in draft, with a recommendation the child is not ready for yet."""
    report = report_start(case=case, actor=psychologist)
    name = case.child.given_name
    report = report_save(
        report=report,
        actor=psychologist,
        revision=report.revision,
        childs_story=f"{name} moved between three placements before he was twelve and lives with his nan now.",
        presenting_behaviour="Goes missing at weekends and walks out of lessons when he is challenged.",
        underlying_needs="Safety, predictability and one adult who keeps coming back.",
        strengths="Loyal to his friends, funny, and keen on football.",
        childs_voice="He says school is better on the days Ms Marsh checks in with him.",
        trm_rationale="Stage 2: he is testing whether adults are reliable; a recent move back after disclosure.",
    )
    today = timezone.localdate()
    recommendation_add(
        report=report,
        actor=psychologist,
        text="A daily check-in with Ms Marsh at the start of school, same time and place.",
        due_on=today + dt.timedelta(days=28),
        suits_from_stage=2,
        owner=teacher,
    )
    recommendation_add(
        report=report,
        actor=psychologist,
        text="Anger management sessions with the CAMHS practitioner.",
        due_on=today + dt.timedelta(days=90),
        suits_from_stage=4,
        owner=psychologist,
        justification="He asked for help with his temper himself; sessions will be short and paced to him.",
    )
