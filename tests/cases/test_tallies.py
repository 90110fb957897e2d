"""The case tallies (cases.models.CaseTally) PostgreSQL keeps by trigger: whatever writes, moves or deletes
contacts and chronology lines (a service, a bulk load, a queryset update, a case deleted), each case's tallies
are its rows counted; and the lists count from them (issue 14)."""

from __future__ import annotations

from collections import Counter

from django.db import connection
from django.test import Client
from django.utils import timezone

from cases.models import Case, CaseEvent, CaseEventKind, CaseTally, Contact, ContactKind, Visibility
from cases.services import case_event_add
from cases.tallies import contact_tallies, event_tallies, tallied
from tests.conftest import Cast
from tests.factories import log_contact, make_case


def _counted() -> Counter[tuple[int, str]]:
    """Each case's rows counted afresh, as the tallies name them."""
    counts: Counter[tuple[int, str]] = Counter()
    for contact in Contact.objects.values("case_id", "restricted"):
        counts[(contact["case_id"], "contact:restricted" if contact["restricted"] else "contact")] += 1
    for event in CaseEvent.objects.values("case_id", "visibility"):
        counts[(event["case_id"], f"event:{event['visibility']}")] += 1
    return counts


def _tallies() -> Counter[tuple[int, str]]:
    return Counter({(t.case_id, t.what): t.n for t in CaseTally.objects.exclude(n=0)})


def _contact(case: Case, cast: Cast, number: int, *, restricted: bool = False) -> Contact:
    return Contact(
        case=case,
        occurred_at=timezone.now(),
        kind=ContactKind.PHONE,
        with_whom="Kai's aunt",
        note=f"Bulk-loaded note {number}",
        restricted=restricted,
        recorded_by=cast.case_manager,
    )


def test_the_tallies_are_the_rows_counted_whatever_writes_moves_or_deletes_them(cast: Cast) -> None:
    other = make_case(owning_yjs=cast.bristol, case_holder=cast.case_manager)
    assert _tallies() == _counted() and _counted()  # the cases' opening lines
    log_contact(cast.case, cast.case_manager)
    log_contact(cast.case, cast.case_manager, restricted=True)
    # A bulk load over two cases in one statement.
    Contact.objects.bulk_create(
        [
            _contact(case, cast, number, restricted=number % 3 == 0)
            for number in range(12)
            for case in (cast.case, other)
        ]
    )
    case_event_add(
        case=other,
        kind=CaseEventKind.OTHER,
        summary="A restricted line",
        actor=cast.case_manager,
        visibility=Visibility.RESTRICTED,
    )
    assert _tallies() == _counted()
    # Made restricted, made open again, moved to the other case (as a merge moves them), some deleted.
    Contact.objects.filter(note__in=["Bulk-loaded note 1", "Bulk-loaded note 2"]).update(restricted=True)
    Contact.objects.filter(note="Bulk-loaded note 3").update(restricted=False)
    CaseEvent.objects.filter(case=cast.case, kind=CaseEventKind.CONTACT).update(case=other)
    CaseEvent.objects.filter(case=other).update(visibility=Visibility.SUMMARY, significant=True)
    Contact.objects.filter(note__in=["Bulk-loaded note 4", "Bulk-loaded note 5"], case=other).delete()
    assert _tallies() == _counted()
    # A case deleted with everything on it takes its tallies with it.
    assert CaseTally.objects.filter(case_id=other.pk).exists()
    other.delete()
    assert _tallies() == _counted()
    assert not CaseTally.objects.filter(case_id=other.pk).exists()


def test_an_update_that_changes_nothing_counted_writes_no_tally(cast: Cast) -> None:
    log_contact(cast.case, cast.case_manager)
    before = {(t.case_id, t.what): t.n for t in CaseTally.objects.all()}
    with connection.cursor() as cursor:
        cursor.execute("SELECT xmin::text FROM cases_casetally ORDER BY id")
        versions = cursor.fetchall()
    Contact.objects.filter(case=cast.case).update(significant=True)
    with connection.cursor() as cursor:
        cursor.execute("SELECT xmin::text FROM cases_casetally ORDER BY id")
        assert cursor.fetchall() == versions  # no row rewritten
    assert {(t.case_id, t.what): t.n for t in CaseTally.objects.all()} == before


def test_each_person_s_count_adds_up_the_tallies_they_see(cast: Cast) -> None:
    log_contact(cast.case, cast.case_manager)
    log_contact(cast.case, cast.case_manager, restricted=True)
    log_contact(cast.case, cast.case_manager, restricted=True)
    assert tallied(cast.case.pk, contact_tallies(restricted_shown=True)) == 3
    assert tallied(cast.case.pk, contact_tallies(restricted_shown=False)) == 1
    everything = event_tallies([Visibility.SUMMARY, Visibility.FULL, Visibility.RESTRICTED])
    assert tallied(cast.case.pk, everything) == CaseEvent.objects.filter(case=cast.case).count()
    assert tallied(cast.case.pk + 1000, everything) == 0  # no such case: nothing


def test_the_contacts_list_counts_what_the_person_may_see(cast: Cast) -> None:
    for restricted in (False, True, True):
        log_contact(cast.case, cast.case_manager, restricted=restricted)
    holder, colleague = Client(), Client()
    holder.force_login(cast.case_manager)
    colleague.force_login(cast.colleague)
    contacts = f"/cases/{cast.case.pk}/contacts/"
    assert "3 contacts" in holder.get(contacts).content.decode()
    assert "1 contact" in colleague.get(contacts).content.decode()
