"""core.rows: a list's cells worked out in Python say exactly what the template filters wrote."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.template import Context, Template
from django.template.defaultfilters import date as date_filter
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from cases.templatetags.case_pages import FULL_RECORD_PAGES
from core.rows import id_url, paragraphs, table_date

LONDON = ZoneInfo("Europe/London")


@pytest.mark.parametrize(
    "value",
    [
        dt.date(2027, 2, 4),
        dt.date(2026, 12, 31),
        # Late evening in UTC in summer is the next day in the UK; in winter it is the same day.
        dt.datetime(2026, 6, 30, 23, 30, tzinfo=dt.UTC),
        dt.datetime(2026, 12, 31, 23, 30, tzinfo=dt.UTC),
        dt.datetime(2027, 3, 28, 0, 59, tzinfo=dt.UTC),
        dt.datetime(2027, 10, 31, 0, 30, tzinfo=dt.UTC),
        dt.datetime(2027, 5, 9, 8, 0, tzinfo=LONDON),
    ],
)
def test_table_date_writes_what_the_date_filter_writes(value: dt.date) -> None:
    with timezone.override(LONDON):
        expected = date_filter(timezone.localtime(value) if isinstance(value, dt.datetime) else value, "j M Y")
        assert table_date(value) == expected


def test_table_date_of_nothing_is_empty_and_a_late_summer_evening_is_the_next_uk_day() -> None:
    assert table_date(None) == ""
    with timezone.override(LONDON):
        assert table_date(dt.datetime(2026, 6, 30, 23, 30, tzinfo=dt.UTC)) == "1 Jul 2026"
        assert table_date(dt.date(2027, 2, 4)) == "4 Feb 2027"


@pytest.mark.parametrize("pk", [1, 9, 10, 12345, 2**31 - 1])
def test_id_url_is_the_reversed_url(pk: int) -> None:
    assert id_url("cases:detail")(pk) == reverse("cases:detail", args=[pk])
    assert id_url("cases:chronology")(pk) == reverse("cases:chronology", args=[pk])


def test_id_url_refuses_a_name_that_takes_no_id() -> None:
    with pytest.raises(NoReverseMatch):
        id_url("cases:list")


@pytest.mark.parametrize(
    "text",
    [
        "Saw Kai at school.",
        "First line\nsecond line\n\nA new paragraph",
        "<script>alert('x')</script> & more\r\n\r\nEnd",
    ],
)
def test_paragraphs_are_what_the_linebreaks_filter_makes_escaped(text: str) -> None:
    expected = Template("{{ text|linebreaks }}").render(Context({"text": text}))
    assert paragraphs(text) == expected
    assert Template("{{ shown }}").render(Context({"shown": paragraphs(text)})) == expected  # not escaped twice
    assert "<script>" not in paragraphs(text)


def test_the_case_pages_links_are_their_reversed_urls() -> None:
    """The case sub-navigation writes its links with id_url (reversed once per process)."""
    for _, name, _ in FULL_RECORD_PAGES:
        for pk in (1, 4242):
            assert id_url(name)(pk) == reverse(name, kwargs={"case_id": pk})
