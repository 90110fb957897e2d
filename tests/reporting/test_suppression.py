"""Small-number protection: every count shows as its range of five, no total with up to four parts (wherever
each is read) pins a count, and within one view no line does either."""

from __future__ import annotations

import itertools

import pytest

from reporting.suppression import (
    HIDDEN_COUNT,
    SMALL_COUNT,
    UNKNOWN,
    Hidden,
    Line,
    band,
    count_text,
    narrow,
    protect,
    share_text,
    suppress_small,
)


@pytest.mark.parametrize(
    ("count", "shown"),
    [
        (0, "<5"),
        (1, "<5"),
        (4, "<5"),
        (5, "5–9"),
        (9, "5–9"),
        (10, "10–14"),
        (132, "130–134"),
        (1232, "1,230–1,234"),
    ],
)
def test_every_count_shows_as_the_range_of_five_it_falls_in(count: int, shown: str) -> None:
    assert count_text(count) == suppress_small(count) == shown
    low, high = band(count)
    assert low <= count <= high and high - low == 4 and low % 5 == 0


def test_the_csv_form_has_no_thousands_separators() -> None:
    assert count_text(1232, separators=False) == "1230–1234"


def _pinned(parts: tuple[int, ...]) -> list[str]:
    """Which of the parts and the total are pinned to one value by their ranges and their adding up."""
    keys = [f"part{index}" for index in range(len(parts))]
    known = {key: band(value) for key, value in zip(keys, parts, strict=True)}
    known["total"] = band(sum(parts))
    found = narrow(known, [Line(tuple(keys), "total")])
    return [key for key, (low, high) in found.items() if low == high]


@pytest.mark.parametrize(("parts", "largest"), [(2, 60), (3, 30), (4, 15)])
def test_no_total_with_up_to_four_parts_pins_a_count(parts: int, largest: int) -> None:
    """Differencing: the whole, the part chosen and the rest (or up to four pieces of a period), each published on
    its own choice of services and period, never pin any of them, whatever the counts."""
    for counts in itertools.product(range(largest + 1), repeat=parts):
        assert _pinned(counts) == [], counts


def test_five_parts_at_the_top_of_their_ranges_are_the_first_that_could_be_pinned() -> None:
    # Five "<5" adding up to "20–24": each must be 4. Within one view, protect hides one of them.
    assert len(_pinned((4, 4, 4, 4, 4))) == 6
    values = {"a": 4, "b": 4, "c": 4, "d": 4, "e": 4, "total": 20}
    lines = [Line(("a", "b", "c", "d", "e"), "total")]
    protection = protect(values, lines)
    assert protection.hidden == {"a": Hidden.COMPLEMENT}
    assert protection.text("a", 4) == HIDDEN_COUNT and protection.text("b", 4) == SMALL_COUNT
    _assert_nothing_pinned(values, lines, protection.hidden)


def test_rounding_to_the_nearest_5_would_give_two_4s_away() -> None:
    """Why ranges from a multiple of 5: with "<5" as 1 to 4 and 8 rounded to "10" (8 to 12), 4 + 4 = 8 pins both."""
    nearest = {"a": (1, 4), "b": (1, 4), "total": (8, 12)}
    assert narrow(nearest, [Line(("a", "b"), "total")]) == {"a": (4, 4), "b": (4, 4), "total": (8, 8)}
    assert narrow({"a": band(4), "b": band(4), "total": band(8)}, [Line(("a", "b"), "total")])["a"] == (1, 4)


def test_a_line_with_nothing_pinned_shows_everything() -> None:
    protection = protect({"a": 5, "b": 0, "total": 5}, [Line(("a", "b"), "total")])
    assert protection.hidden == {}
    assert [protection.text(key, value) for key, value in {"a": 5, "b": 0, "total": 5}.items()] == [
        "5–9",
        SMALL_COUNT,
        "5–9",
    ]


def test_a_count_never_shown_but_implied_takes_part() -> None:
    # Five "<5" cells and a drop-out never shown: the drop-out could be anything, so nothing is pinned.
    values = {"a": 4, "b": 4, "c": 4, "d": 4, "e": 4, "rest": 0, "total": 20}
    lines = [Line(("a", "b", "c", "d", "e", "rest"), "total")]
    protection = protect(values, lines, displayed=set(values) - {"rest"})
    assert protection.hidden == {}  # the rest is unknown to a reader: the five are not pinned
    known = {key: band(value) for key, value in values.items() if key != "rest"}
    assert narrow(known, lines)["rest"] == (0, 20 + 4)


def test_narrowing_leaves_unknown_counts_unbounded() -> None:
    assert narrow({"total": band(7)}, [Line(("a", "b"), "total")])["a"] == (0, 9)
    assert narrow({}, [Line(("a", "b"), "total")])["total"] == (0, UNKNOWN)


def _assert_nothing_pinned(values: dict[str, int], lines: list[Line], hidden: dict[str, Hidden]) -> None:
    known = {key: band(value) for key, value in values.items() if key not in hidden}
    found = narrow(known, lines)
    assert [key for key, (low, high) in found.items() if low == high] == [], (values, hidden)


def test_every_small_grid_is_protected_along_every_line() -> None:
    """Every 2 x 2 grid of counts 0 to 9 with its totals: after protection, no line pins a count."""
    for a, b, c, d in itertools.product(range(10), repeat=4):
        values = {"a": a, "b": b, "c": c, "d": d, "r1": a + b, "r2": c + d, "c1": a + c, "c2": b + d}
        values["all"] = a + b + c + d
        lines = [
            Line(("a", "b"), "r1"),
            Line(("c", "d"), "r2"),
            Line(("a", "c"), "c1"),
            Line(("b", "d"), "c2"),
            Line(("r1", "r2"), "all"),
            Line(("c1", "c2"), "all"),
        ]
        protection = protect(values, lines)
        _assert_nothing_pinned(values, lines, protection.hidden)


def test_months_with_none_give_the_others_room() -> None:
    """Twelve months, five of them 4 and the rest none, total 20: the months with none show "<5" too (0 to 4), so
    the five 4s are not pinned and nothing needs hiding. Only exact 0s would have given them away."""
    months = {f"m{number:02d}": 4 if number <= 5 else 0 for number in range(1, 13)}
    values = {**months, "total": 20}
    lines = [Line(tuple(months), "total")]
    assert protect(values, lines).hidden == {}
    exact_zeros = {key: (0, 0) if value == 0 else band(value) for key, value in values.items()}
    assert narrow(exact_zeros, lines)["m01"] == (4, 4)


@pytest.mark.parametrize(
    ("numerator", "denominator", "text"),
    [
        (6, 8, "55–100%"),  # 5 to 9 of 5 to 9
        (2, 12, "0–40%"),  # 0 to 4 of 10 to 14
        (90, 120, "72–79%"),  # 90 to 94 of 120 to 124
        (0, 0, "0–100%"),
    ],
)
def test_a_share_is_the_range_the_published_counts_allow(numerator: int, denominator: int, text: str) -> None:
    shown, middle = share_text(band(numerator), band(denominator))
    assert shown == text
    low, high = (int(part) for part in shown.rstrip("%").split("–"))
    assert low / 100 <= middle <= high / 100
    if denominator:
        assert low <= numerator / denominator * 100 <= high
