"""Near-duplicate children: names spelt or sounding alike, dates of birth typed a little wrong; in the case
search and in referral's find-a-child, where another service's record is only ever hinted at."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from accounts.models import AccessEvent
from cases.models import Child
from cases.selectors import case_search
from cases.selectors.matching import birth_dates_near, near_duplicate
from tests.conftest import Cast
from tests.factories import child, make_case
from tests.referrals.test_refer import START, find

KAIS_BIRTHDAY = dt.date(2010, 5, 17)  # the cast's Kai Brennan (tests/factories.py)


def names_found(user: object, text: str = "", date_of_birth: dt.date | None = None) -> set[str]:
    return {case.child.full_name for case in case_search(user=user, text=text, date_of_birth=date_of_birth)}


def test_near_birth_dates_are_the_day_and_month_swapped_and_every_date_one_digit_away() -> None:
    near = birth_dates_near(dt.date(2009, 3, 4), today=dt.date(2026, 12, 6))
    assert dt.date(2009, 4, 3) in near  # day and month swapped
    assert {dt.date(2009, 3, 14), dt.date(2009, 3, 24), dt.date(2008, 3, 4), dt.date(2019, 3, 4)} <= set(near)
    assert dt.date(2009, 3, 15) not in near  # two digits away
    assert dt.date(2099, 3, 4) not in near  # not born yet
    assert all(day.year >= 1900 for day in near)
    # Only real dates: 31 February is not offered for 31 January.
    assert dt.date(2010, 2, 28) not in birth_dates_near(dt.date(2010, 1, 31), today=dt.date(2026, 12, 6))


@pytest.mark.parametrize(
    ("given", "family", "born", "found"),
    [
        ("Kai", "Brenan", KAIS_BIRTHDAY, True),  # a letter short (trigrams)
        ("Kay", "Brennan", KAIS_BIRTHDAY, True),  # sounds the same (Double Metaphone)
        ("Brennan", "Kai", KAIS_BIRTHDAY, True),  # names the wrong way round
        ("Kai", "Brennan", dt.date(2010, 5, 27), True),  # one digit slipped
        ("Kai", "Brennan", dt.date(2010, 7, 15), False),  # two digits away
        ("Kai", "Brennan-Hale", dt.date(2010, 5, 17), True),  # a second family name added
        ("Kai", "Okoro", KAIS_BIRTHDAY, False),  # another child born the same day
        ("Mia", "Brennan", KAIS_BIRTHDAY, False),  # a sister's name
    ],
)
def test_near_duplicates_of_kai(cast: Cast, given: str, family: str, born: dt.date, found: bool) -> None:
    condition = near_duplicate(given_name=given, family_name=family, date_of_birth=born)
    assert Child.objects.filter(condition, pk=cast.case.child_id).exists() is found


def test_a_transposed_birthday_is_found_as_a_near_duplicate(cast: Cast) -> None:
    born = dt.date(2011, 4, 3)
    ria = child(given_name="Ria", family_name="Okonjo", date_of_birth=born)
    condition = near_duplicate(given_name="Ria", family_name="Okonjo", date_of_birth=dt.date(2011, 3, 4))
    assert list(Child.objects.filter(condition)) == [ria]


def test_the_search_finds_kai_from_a_misspelt_or_sound_alike_name(cast: Cast, client: Client) -> None:
    assert names_found(cast.case_manager, "Brenan") == {"Kai Brennan"}
    assert names_found(cast.case_manager, "Kay Brenan") == {"Kai Brennan"}
    assert names_found(cast.case_manager, "Zebedee") == set()
    client.force_login(cast.case_manager)
    body = client.get("/cases/search/", {"q": "Brenan"}).content.decode()
    tag = 'govuk-tag--yellow">Close match'
    assert "Kai Brennan" in body and tag in body
    assert tag not in client.get("/cases/search/", {"q": "Brennan"}).content.decode()


def test_exact_matches_come_before_near_ones(cast: Cast) -> None:
    make_case(
        owning_yjs=cast.bristol,
        case_holder=cast.case_manager,
        child_record=child(given_name="Kai", family_name="Brenan", date_of_birth=dt.date(2012, 1, 9)),
    )
    found = [case.child.full_name for case in case_search(user=cast.case_manager, text="Brenan")]
    assert found == ["Kai Brenan", "Kai Brennan"]


def test_a_date_of_birth_typed_a_little_wrong_finds_only_full_records(cast: Cast) -> None:
    swapped_and_slipped = (dt.date(2010, 5, 7), dt.date(2010, 5, 18))  # 17 → 07, 17 → 18
    for born in swapped_and_slipped:
        assert names_found(cast.case_manager, date_of_birth=born) == {"Kai Brennan"}, born
        # The teacher sees Kai's shared summary: a date of birth never confirms anything to her.
        assert names_found(cast.teacher, date_of_birth=born) == set(), born
    assert names_found(cast.teacher, "Brenan") == {"Kai Brennan"}  # names match on every visible case


def test_another_services_near_duplicate_is_never_found_in_search(cast: Cast) -> None:
    make_case(
        owning_yjs=cast.banes,
        case_holder=cast.banes_case_manager,
        child_record=child(given_name="Kai", family_name="Brenan", date_of_birth=KAIS_BIRTHDAY),
    )
    assert names_found(cast.case_manager, "Brenan") == {"Kai Brennan"}
    assert names_found(cast.banes_case_manager, "Brennan") == {"Kai Brenan"}


# Referral's find-a-child.


def test_referring_a_misspelt_kai_offers_his_record(cast: Cast, client: Client) -> None:
    client.force_login(cast.case_manager)
    body = client.post(START, find("Kay", "Brenan", dt.date(2010, 7, 5))).content.decode()  # swapped, not 17th
    assert "About Kay Brenan" in body  # 7 May 2010 vs 17 May: two digits away, a new child
    body = client.post(START, find("Kay", "Brenan", dt.date(2010, 5, 7))).content.decode()
    assert "ECM may already know this child" in body and "Kai Brennan" in body


def test_a_near_duplicate_in_another_service_is_only_hinted_at(cast: Cast, client: Client) -> None:
    ellis = child(given_name="Ellis", family_name="Carter", date_of_birth=dt.date(2009, 11, 23), reference="BNS-525252")
    make_case(owning_yjs=cast.banes, case_holder=cast.banes_case_manager, child_record=ellis)
    client.force_login(cast.case_manager)
    body = client.post(START, find("Elis", "Cartar", dt.date(2009, 11, 13))).content.decode()
    assert "may already exist in another service" in body
    assert "Carter" not in body and "BNS-525252" not in body and "BANES" not in body
    hint = AccessEvent.objects.get(user=cast.case_manager, record_type="child", record_id=str(ellis.pk))
    assert hint.description == "duplicate check: hinted at a possible match in another service, not shown"
    # A near reference alone never hints.
    body = client.post(START, find("Noor", "Haddad", dt.date(2012, 2, 2), "BNS-525252")).content.decode()
    assert "may already exist" not in body
