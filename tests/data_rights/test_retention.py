"""Retention: the review date rule (6 years after closing; with a psychology report, not before the child's 25th
birthday nor 8 years after the last contact), the monthly job that lists due cases once and notifies senior
practitioners, keeping and legal holds, and anonymising, which removes names and free text and leaves every
report figure exactly as it was."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.apps import apps
from django.test import Client
from django.utils import timezone

from accounts.models import AccessEvent
from cases.models import Case, CaseStatus, Child, Contact, ContactKind, NetworkMember
from data_rights.models import LegalHold, RetentionReview, RetentionStatus
from data_rights.retention import RetentionRules, cases_due, review_date
from data_rights.retention_services import (
    case_anonymise,
    legal_hold_lift,
    legal_hold_place,
    retention_keep,
    retention_reviews_list,
)
from reporting import queries
from reporting.figures import build_report
from reporting.indicators import load_funnel
from reviews.models import Notification
from reviews.services import review_sign_off
from tests.conftest import Cast
from tests.factories import child, log_contact, make_case, signed_off_report
from tests.reporting.conftest import World, build_world
from tests.reviews.helpers import on
from tests.reviews.review_helpers import REVIEW_DAY, formulated, record_every_step, reload, scheduled_review

RULES = RetentionRules(closed_case_years=6, report_until_age=25, report_years_after_last_contact=8)
BASE = "/data-rights/retention/"


def test_a_case_without_a_report_is_due_six_years_after_closing() -> None:
    assert review_date(
        closed_on=dt.date(2020, 3, 31),
        has_report=False,
        date_of_birth=dt.date(2008, 5, 1),
        last_contact_on=dt.date(2020, 3, 1),
        rules=RULES,
    ) == dt.date(2026, 3, 31)


def test_a_report_keeps_the_case_until_the_25th_birthday_when_that_is_later() -> None:
    # Closed at 12: 6 years later is 2026, last contact + 8 is 2028, the 25th birthday is 2033.
    assert review_date(
        closed_on=dt.date(2020, 3, 31),
        has_report=True,
        date_of_birth=dt.date(2008, 5, 17),
        last_contact_on=dt.date(2020, 3, 1),
        rules=RULES,
    ) == dt.date(2033, 5, 17)


def test_a_report_keeps_the_case_8_years_after_the_last_contact_when_that_is_later() -> None:
    # Closed at 20: the 25th birthday is 2025, 6 years after closing is 2026, the last contact + 8 is 2028.
    assert review_date(
        closed_on=dt.date(2020, 3, 31),
        has_report=True,
        date_of_birth=dt.date(2000, 1, 1),
        last_contact_on=dt.date(2020, 3, 1),
        rules=RULES,
    ) == dt.date(2028, 3, 1)


def test_29_february_moves_to_28_february() -> None:
    assert review_date(
        closed_on=dt.date(2020, 2, 29), has_report=False, date_of_birth=dt.date(2004, 1, 1), last_contact_on=None
    ) == dt.date(2026, 2, 28)


def _closed(case: Case, on: dt.date) -> Case:
    closed_at = timezone.make_aware(dt.datetime.combine(on, dt.time(12)))
    Case.objects.filter(pk=case.pk).update(status=CaseStatus.CLOSED, closed_at=closed_at)
    case.refresh_from_db()
    return case


@pytest.fixture
def old_case(cast: Cast) -> Case:
    """A Bristol case closed seven years ago, no report: due a year ago."""
    case = make_case(
        owning_yjs=cast.bristol,
        case_holder=cast.case_manager,
        child_record=child(given_name="Rowan", family_name="Ashdown", date_of_birth=dt.date(2004, 6, 10)),
    )
    log_contact(
        case,
        cast.case_manager,
        with_whom="Rowan and his mother",
        note="Rowan told us about his new flat on Quarry Lane.",
    )
    return _closed(case, timezone.localdate() - dt.timedelta(days=7 * 366))


def test_the_monthly_job_lists_due_cases_once_and_notifies_senior_practitioners(cast: Cast, old_case: Case) -> None:
    recent = _closed(make_case(owning_yjs=cast.bristol, case_holder=cast.case_manager), timezone.localdate())
    assert [found.case_id for found in cases_due(timezone.localdate())] == [old_case.pk]
    assert retention_reviews_list() == 1
    assert retention_reviews_list() == 0  # a second run adds nothing
    review = RetentionReview.objects.get()
    assert (review.case_id, review.status) == (old_case.pk, RetentionStatus.DUE)
    assert not RetentionReview.objects.filter(case=recent).exists()
    notes = list(Notification.objects.all())
    assert [note.recipient for note in notes] == [cast.senior_practitioner]
    assert notes[0].title == "1 record due for retention review" and notes[0].link == BASE
    assert "Rowan" not in notes[0].title + notes[0].body


def test_a_kept_case_is_listed_again_on_its_next_review_date(cast: Cast, old_case: Case) -> None:
    retention_reviews_list()
    review = RetentionReview.objects.get()
    today = timezone.localdate()
    retention_keep(
        review=review,
        actor=cast.senior_practitioner,
        reason="A complaint is open",
        next_review_on=today + dt.timedelta(days=30),
    )
    assert cases_due(today) == []
    [again] = cases_due(today + dt.timedelta(days=30))
    assert again.due_on == today + dt.timedelta(days=30)


def test_a_legal_hold_refuses_anonymising_until_it_is_lifted(cast: Cast, old_case: Case) -> None:
    retention_reviews_list()
    review = RetentionReview.objects.get()
    legal_hold_place(
        review=review, actor=cast.senior_practitioner, reason="Litigation hold from the council's solicitor"
    )
    client = Client()
    client.force_login(cast.senior_practitioner)
    response = client.post(f"{BASE}{review.pk}/anonymise/")
    assert response.status_code == 409
    assert "a legal hold is in place" in response.content.decode()
    assert Child.objects.get(pk=old_case.child_id).given_name == "Rowan"
    legal_hold_lift(review=review, actor=cast.senior_practitioner, reason="The claim is settled")
    assert LegalHold.objects.get().lifted_by == cast.senior_practitioner
    response = client.post(f"{BASE}{review.pk}/anonymise/")
    assert response.status_code == 302
    assert Child.objects.get(pk=old_case.child_id).given_name == "Anonymised"


def test_an_open_case_cannot_be_anonymised(cast: Cast) -> None:
    review = RetentionReview.objects.create(case=cast.case, due_on=timezone.localdate())
    client = Client()
    client.force_login(cast.administrator)
    response = client.get(f"{BASE}{review.pk}/anonymise/")
    assert "the child has an open case" in response.content.decode()
    assert client.post(f"{BASE}{review.pk}/anonymise/").status_code == 409
    assert Child.objects.get(pk=cast.case.child_id).given_name == "Kai"


def test_anonymising_removes_names_and_free_text_and_writes_the_audit(cast: Cast, old_case: Case) -> None:
    NetworkMember.objects.create(
        case=old_case,
        name="Jo Ashdown",
        role="Mother",
        email="jo@example.org",
        phone="07700 900123",
        added_by=cast.case_manager,
    )
    retention_reviews_list()
    review = RetentionReview.objects.get()
    born = old_case.child.date_of_birth
    case_anonymise(review=review, actor=cast.senior_practitioner)
    anonymised = Child.objects.get(pk=old_case.child_id)
    assert (anonymised.given_name, anonymised.family_name, anonymised.reference) == ("Anonymised", "", "")
    assert (anonymised.date_of_birth.year, anonymised.date_of_birth.month) == (born.year, born.month)
    marker = f"[removed on anonymisation, {timezone.localdate().isoformat()}]"
    contact = Contact.objects.get(case=old_case)
    assert (contact.note, contact.with_whom, contact.kind) == (marker, marker, ContactKind.FACE_TO_FACE)
    member = NetworkMember.objects.get(case=old_case)
    assert (member.name, member.email, member.phone, member.role) == (marker, "", "", "Mother")
    # The change history keeps who changed what and when, without the words removed.
    contact_history = apps.get_model("cases", "ContactHistory").objects.filter(pgh_obj=contact)
    child_history = apps.get_model("cases", "ChildHistory").objects.filter(pgh_obj=anonymised)
    assert contact_history.exists() and not contact_history.exclude(note=marker).exists()
    assert child_history.exists() and not child_history.filter(given_name="Rowan").exists()
    assert not child_history.exclude(date_of_birth=anonymised.date_of_birth).exists()
    review.refresh_from_db()
    assert (review.status, review.decided_by) == (RetentionStatus.ANONYMISED, cast.senior_practitioner)
    event = AccessEvent.objects.get(case_id=old_case.pk, description__contains="anonymised")
    assert event.user == cast.senior_practitioner and event.record_id == str(review.pk)


def test_anonymising_keeps_who_came_to_a_review_without_their_names(cast: Cast) -> None:
    formulated(cast)
    review = scheduled_review(cast)
    with on(REVIEW_DAY, 12):
        record_every_step(cast, review)
        review_sign_off(review=reload(review), actor=cast.senior_practitioner)
    came = reload(review).attendance_record
    assert came and all(person["name"] for person in came)
    _closed(cast.case, timezone.localdate() - dt.timedelta(days=7 * 366))
    retention = RetentionReview.objects.create(case=cast.case, due_on=timezone.localdate())
    case_anonymise(review=retention, actor=cast.senior_practitioner)
    marker = f"[removed on anonymisation, {timezone.localdate().isoformat()}]"
    kept = reload(review).attendance_record
    assert kept == [{**person, "name": marker} for person in came]  # roles, agencies, attendance, order kept
    snapshots = apps.get_model("reviews", "ReviewHistory").objects.filter(pgh_obj_id=review.pk)
    assert snapshots.exists()
    names = {person["name"] for person in came}
    assert not [s for s in snapshots if {p.get("name") for p in s.attendance_record} & names]


def _figures(world: World) -> Any:
    with queries.report_transaction():
        return queries.report_figures(world.scope(), load_funnel("mental_health"))


def _texts(world: World) -> list[Any]:
    report = build_report(world.scope())
    return [[(row.label, [cell.text for cell in row.cells]) for row in figure.rows] for figure in report.figures()]


def test_anonymising_leaves_every_report_figure_as_it_was(cast: Cast) -> None:
    world = build_world(cast)
    signed_off_report(cast)
    before, shown_before = _figures(world), _texts(world)
    closed = [case for case in world.cases.values() if case.status == CaseStatus.CLOSED]
    assert len(closed) >= 3
    for case in closed:
        review = RetentionReview.objects.create(case=case, due_on=timezone.localdate())
        case_anonymise(review=review, actor=cast.senior_practitioner)
    assert Child.objects.filter(given_name="Anonymised").count() == len({case.child_id for case in closed})
    assert _figures(world) == before
    assert _texts(world) == shown_before


@pytest.mark.parametrize("who", ["senior_practitioner", "administrator"])
def test_handlers_see_the_list_with_initials_only(cast: Cast, old_case: Case, who: str) -> None:
    retention_reviews_list()
    client = Client()
    client.force_login(getattr(cast, who))
    page = client.get(BASE).content.decode()
    assert f"Case {old_case.pk}" in page and "RA" in page and "Rowan" not in page


def test_the_empty_list_says_so(cast: Cast) -> None:
    client = Client()
    client.force_login(cast.senior_practitioner)
    assert "No records are due for retention review." in client.get(BASE).content.decode()


@pytest.mark.parametrize(
    "who",
    [
        "case_manager",
        "colleague",
        "banes_case_manager",
        "psychologist",
        "teacher",
        "commissioner",
        "agency_administrator",
    ],
)
def test_everyone_else_is_refused(cast: Cast, old_case: Case, who: str) -> None:
    retention_reviews_list()
    review = RetentionReview.objects.get()
    client = Client()
    client.force_login(getattr(cast, who))
    for url in (BASE, f"{BASE}{review.pk}/", f"{BASE}{review.pk}/anonymise/"):
        assert client.get(url).status_code == 403
    assert client.post(f"{BASE}{review.pk}/anonymise/").status_code == 403
    assert client.post(f"{BASE}{review.pk}/hold/", {"hold-reason": "x"}).status_code == 403
    assert not LegalHold.objects.exists()
    assert Child.objects.get(pk=old_case.child_id).given_name == "Rowan"


def test_keep_and_hold_from_the_page(cast: Cast, old_case: Case) -> None:
    retention_reviews_list()
    review = RetentionReview.objects.get()
    client = Client()
    client.force_login(cast.senior_practitioner)
    assert "Enter the reason" in client.post(f"{BASE}{review.pk}/hold/", {"hold": "place"}).content.decode()
    response = client.post(f"{BASE}{review.pk}/hold/", {"hold": "place", "hold-reason": "Police investigation"})
    assert response.status_code == 302 and LegalHold.objects.filter(lifted_at__isnull=True).exists()
    later = timezone.localdate() + dt.timedelta(days=400)
    response = client.post(
        f"{BASE}{review.pk}/keep/",
        {
            "keep-reason": "Police investigation",
            "keep-next_review_on_day": later.day,
            "keep-next_review_on_month": later.month,
            "keep-next_review_on_year": later.year,
        },
    )
    assert response.status_code == 302
    review.refresh_from_db()
    assert (review.status, review.next_review_on) == (RetentionStatus.KEPT, later)


def test_beat_lists_due_records_on_the_first_of_each_month() -> None:
    from celery.schedules import crontab
    from django.conf import settings

    from config.celery_app import app
    from data_rights import tasks

    entry = settings.CELERY_BEAT_SCHEDULE["retention-reviews-list"]
    assert entry["task"] == tasks.retention_reviews_list.name == "data_rights.tasks.retention_reviews_list"
    assert entry["task"] in app.tasks
    assert entry["schedule"] == crontab(minute="0", hour="6", day_of_month="1")


def test_the_due_list_is_one_query_however_many_cases(
    cast: Cast, old_case: Case, django_assert_num_queries: Any
) -> None:
    for _ in range(5):
        case = make_case(owning_yjs=cast.bristol, case_holder=cast.case_manager)
        Case.objects.filter(pk=case.pk).update(status=CaseStatus.CLOSED, closed_at=old_case.closed_at)
    with django_assert_num_queries(1):
        assert len(cases_due(timezone.localdate())) == 6
