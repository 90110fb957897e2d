"""One way of writing dates (issue 16): "3 December 2026" in prose and summary lists, "3 Dec 2026" in tables,
times on the 24-hour clock. Never "5/6/2011", "03 Dec 2026" or "2:30 p.m." on a page."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.template import Context, Template
from django.test import Client
from django.utils import timezone

from cases.services import contact_log, network_member_add
from tests.conftest import Cast
from trm_stages.services import goal_rate, goal_set, stage_assessment_record

# A day of the month below 10, so a leading zero ("04 Feb") would show.
NOW = dt.datetime(2027, 2, 4, 10, 30, tzinfo=ZoneInfo("Europe/London"))

MONTHS = "Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec"
SLASHED = re.compile(r"\b\d{1,2}/\d{1,2}/\d{2,4}\b")
LEADING_ZERO = re.compile(rf"\b0\d ({MONTHS})")
TWELVE_HOUR = re.compile(r"\b[ap]\.m\.|\bnoon\b|\bmidnight\b")
# What is not read as a date written by ECM: the tags themselves (a date input's value, an attribute) and
# hints telling how to type a date ("like 17/05/2010").
NOT_PROSE = re.compile(r'<div[^>]*class="govuk-hint"[^>]*>.*?</div>|<[^>]*>', re.S)


def words(html: str) -> str:
    return NOT_PROSE.sub(" ", html)


def odd_dates(html: str) -> list[str]:
    text = words(html)
    found = []
    for pattern in (SLASHED, LEADING_ZERO, TWELVE_HOUR):
        found += [text[max(0, m.start() - 40) : m.end() + 20].strip() for m in pattern.finditer(text)]
    return found


def test_the_date_formats_are_ecms() -> None:
    day, moment = dt.date(2026, 12, 3), dt.datetime(2026, 12, 3, 14, 5, tzinfo=ZoneInfo("Europe/London"))
    rendered = Template(
        '{{ day }}|{{ day|date }}|{{ day|date:"SHORT_DATE_FORMAT" }}|'
        '{{ moment }}|{{ moment|date:"SHORT_DATETIME_FORMAT" }}'
    ).render(Context({"day": day, "moment": moment}))
    assert rendered == "3 December 2026|3 December 2026|3 Dec 2026|3 December 2026, 14:05|3 Dec 2026, 14:05"


@pytest.fixture
def a_month_of_work(cast: Cast) -> Cast:
    """Kai's case two months on: contacts, a stage, a rated goal, a partner in the network."""
    with time_machine.travel(NOW, tick=False):
        case, manager = cast.case, cast.case_manager
        network_member_add(
            case=case, actor=manager, name="Morgan Ellery", agency_name="Avonvale Social Care", role="Social worker"
        )
        contact_log(
            case=case,
            actor=manager,
            occurred_at=NOW - dt.timedelta(days=2),
            kind="face_to_face",
            with_whom="Kai",
            duration_minutes=30,
            note="Met at the youth centre.",
        )
        stage_assessment_record(
            case=case,
            actor=cast.psychologist,
            assessed_on=timezone.localdate() - dt.timedelta(days=3),
            stage_number=2,
            evidence="Tests whether adults come back.",
            source="consultation",
        )
        goal = goal_set(
            case=case,
            actor=manager,
            text="Go to football training every week",
            set_by="Kai",
            set_on=timezone.localdate() - dt.timedelta(days=30),
            start_score=3,
        )
        goal_rate(
            goal=goal, actor=manager, rated_on=timezone.localdate() - dt.timedelta(days=1), score=5, context="other"
        )
    return cast


@pytest.mark.parametrize(
    "who,path",
    [
        ("case_manager", "/"),
        ("case_manager", "/cases/"),
        ("case_manager", "/cases/{case}/"),
        ("case_manager", "/cases/{case}/details/"),
        ("case_manager", "/cases/{case}/contacts/"),
        ("case_manager", "/cases/{case}/chronology/"),
        ("case_manager", "/cases/{case}/network/"),
        ("case_manager", "/cases/{case}/trm/"),
        ("case_manager", "/cases/{case}/stage/"),
        ("case_manager", "/cases/{case}/goals/"),
        ("case_manager", "/cases/{case}/access-log/"),
        ("psychologist", "/"),
        ("administrator", "/manage/people/"),
    ],
)
def test_pages_write_dates_one_way(a_month_of_work: Cast, client: Client, who: str, path: str) -> None:
    cast = a_month_of_work
    with time_machine.travel(NOW, tick=False):  # signed in then: a session two months old has expired
        client.force_login(cast.everyone()[who])
        response = client.get(path.format(case=cast.case.pk))
    assert response.status_code == 200
    html = response.content.decode()
    assert not odd_dates(html), f"{path} writes dates another way: {odd_dates(html)}"


def test_the_case_pages_write_days_without_a_leading_zero(a_month_of_work: Cast, client: Client) -> None:
    cast = a_month_of_work
    with time_machine.travel(NOW, tick=False):
        client.force_login(cast.case_manager)
        details = words(client.get(f"/cases/{cast.case.pk}/details/").content.decode())
        chronology = words(client.get(f"/cases/{cast.case.pk}/chronology/").content.decode())
    assert "17 May 2010" in details  # Kai's date of birth, in a summary list
    assert re.search(r"\b2 (February|Feb) 2027\b", chronology)  # the contact, two days ago


def test_a_date_of_birth_typed_as_numbers_is_shown_back_in_words(cast: Cast, client: Client) -> None:
    """Referring a new child: the date of birth typed as 5, 6, 2011 is shown back as "5 June 2011"."""
    client.force_login(cast.case_manager)
    answers = {
        "step": "find",
        "given_name": "Noah",
        "family_name": "Pryce",
        "date_of_birth_day": "5",
        "date_of_birth_month": "6",
        "date_of_birth_year": "2011",
        "reference": "",
    }
    html = client.post("/referrals/new/", answers).content.decode()
    assert "About Noah Pryce" in html
    assert "5 June 2011" in words(html)
    assert not odd_dates(html), odd_dates(html)
