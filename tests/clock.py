"""Keep "today" the same day for a whole test module.

A module that works out ``TODAY`` when it is imported would disagree with the code under test
if the run crosses midnight (CI has started at 23:58). ``hold_today(TODAY)`` gives an autouse
fixture that puts the clock at noon, UK time, on that day for each test, ticking. Its tests make their
own cast under that clock (tests/conftest.py), so the cast's records are dated that day too.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from zoneinfo import ZoneInfo

import pytest
import time_machine

UK = ZoneInfo("Europe/London")
HELD_CLOCK = "held_clock"


def hold_today(day: dt.date) -> Callable[[], Iterator[None]]:
    @pytest.fixture(autouse=True, name=HELD_CLOCK)
    def _today_is_the_day_this_module_was_written_for() -> Iterator[None]:
        with time_machine.travel(dt.datetime.combine(day, dt.time(12), tzinfo=UK), tick=True):
            yield

    return _today_is_the_day_this_module_was_written_for
