"""Small-number suppression: counts from 1 to 4 never show, and no total or complement gives one away."""

from __future__ import annotations

import itertools

import pytest

from reporting.suppression import HIDDEN_COUNT, SMALL_COUNT, Hidden, Line, protect, suppress_small


@pytest.mark.parametrize(("count", "shown"), [(0, "0"), (1, "<5"), (4, "<5"), (5, "5"), (132, "132")])
def test_counts_from_1_to_4_show_as_under_5(count: int, shown: str) -> None:
    assert suppress_small(count) == shown


def test_a_line_with_nothing_small_shows_everything() -> None:
    protection = protect({"a": 5, "b": 0, "total": 5}, [Line(("a", "b"), "total")])
    assert protection.hidden == {}


def test_one_small_cell_beside_a_total_hides_the_next_smallest_cell() -> None:
    values = {"a": 3, "b": 12, "c": 7, "total": 22}
    protection = protect(values, [Line(("a", "b", "c"), "total")])
    assert protection.hidden == {"a": Hidden.SMALL, "c": Hidden.COMPLEMENT}
    assert [protection.text(key, value) for key, value in values.items()] == [SMALL_COUNT, "12", HIDDEN_COUNT, "22"]


def test_small_cells_adding_up_to_under_5_hide_another() -> None:
    # 1 + 2 = 3: with the total shown, the two small cells would be known to make 3.
    protection = protect({"a": 1, "b": 2, "c": 9, "total": 12}, [Line(("a", "b", "c"), "total")])
    assert protection.hidden == {"a": Hidden.SMALL, "b": Hidden.SMALL, "c": Hidden.COMPLEMENT}


@pytest.mark.parametrize("small", [(1, 1), (4, 4), (1, 1, 1, 1, 1)])
def test_small_cells_that_can_only_be_all_1s_or_all_4s_hide_the_total(small: tuple[int, ...]) -> None:
    keys = [f"cell{index}" for index in range(len(small))]
    values = {**dict(zip(keys, small, strict=True)), "total": sum(small)}
    protection = protect(values, [Line(tuple(keys), "total")])
    assert protection.is_hidden("total")


def test_small_cells_that_could_be_several_things_leave_the_total() -> None:
    # 2 + 3 = 5: could be 1 + 4, 2 + 3, 3 + 2 or 4 + 1.
    protection = protect({"a": 2, "b": 3, "total": 5}, [Line(("a", "b"), "total")])
    assert not protection.is_hidden("total")


def test_a_hidden_total_is_protected_along_the_line_it_is_a_cell_of() -> None:
    # Two rows; row x's total (3) is small, so row y's total beside it in the grand total goes too.
    values = {"x1": 3, "x2": 0, "x": 3, "y1": 6, "y2": 8, "y": 14, "one": 9, "two": 8, "all": 17}
    lines = [
        Line(("x1", "x2"), "x"),
        Line(("y1", "y2"), "y"),
        Line(("x1", "y1"), "one"),
        Line(("x2", "y2"), "two"),
        Line(("x", "y"), "all"),
        Line(("one", "two"), "all"),
    ]
    protection = protect(values, lines)
    assert protection.hidden["x1"] is Hidden.SMALL
    assert protection.hidden["x"] is Hidden.SMALL
    assert protection.is_hidden("y")  # else all - y = x
    assert protection.is_hidden("y1")  # else one - y1 = x1
    _assert_no_line_gives_away_a_small_count(values, lines, protection.hidden)


def test_a_count_never_shown_but_implied_is_protected() -> None:
    # A funnel: 9 with a need, 7 of them offered help; the 2 not offered are never shown but 9 - 7 says it.
    values = {"need": 9, "offered": 7, "not_offered": 2}
    protection = protect(values, [Line(("offered", "not_offered"), "need")], displayed={"need", "offered"})
    assert protection.hidden == {"not_offered": Hidden.SMALL, "offered": Hidden.COMPLEMENT}


def test_a_large_count_never_shown_needs_no_protection() -> None:
    values = {"need": 19, "offered": 7, "not_offered": 12}
    protection = protect(values, [Line(("offered", "not_offered"), "need")], displayed={"need", "offered"})
    assert protection.hidden == {}


def _assert_no_line_gives_away_a_small_count(
    values: dict[str, int], lines: list[Line], hidden: dict[str, Hidden]
) -> None:
    """Brute force: for each line, no line may have exactly one hidden member."""
    for line in lines:
        members = [*line.members, line.total]
        assert sum(1 for key in members if key in hidden) != 1, f"{line} gives a hidden count away"


def test_every_small_grid_is_protected_along_every_line() -> None:
    """Every 2 x 2 grid of counts 0 to 6 with its totals: no line is left with exactly one hidden count."""
    for a, b, c, d in itertools.product(range(7), repeat=4):
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
        for key, value in values.items():
            if 0 < value < 5:
                assert protection.is_hidden(key), (values, key)
        _assert_no_line_gives_away_a_small_count(values, lines, protection.hidden)
