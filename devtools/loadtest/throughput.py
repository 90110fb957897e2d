"""Requests per second of a page and of its floor B, served by the same gunicorn, under the same load.

A fixed number of client threads each ask for one URL again and again for a slice of time (a new
connection per request: gunicorn's sync workers close each). The page and its floor take turns in
slices (page, floor, floor, page, ...), so both see the same machine even when something else runs
on it; each one's rate is its answers over its own slices' time.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

from devtools.loadtest.server import get


@dataclass
class Rate:
    answered: int = 0
    errors: int = 0
    seconds: float = 0.0

    @property
    def per_second(self) -> float:
        return self.answered / self.seconds if self.seconds else 0.0


def hammer(port: int, path: str, *, cookie: str, connections: int, seconds: float, rate: Rate) -> None:
    """`connections` threads asking for `path` until `seconds` pass; adds what they got to `rate`."""
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def client() -> None:
        answered = errors = 0
        while time.monotonic() < deadline:
            try:
                status, _ = get(port, path, cookie=cookie)
            except OSError:
                status = 0
            if status == 200:
                answered += 1
            else:
                errors += 1
        with lock:
            rate.answered += answered
            rate.errors += errors

    started = time.monotonic()
    threads = [threading.Thread(target=client, daemon=True) for _ in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    rate.seconds += time.monotonic() - started


def compare(
    port: int, page: str, floor: str, *, cookie: str, connections: int, seconds: float, slice_seconds: float = 5.0
) -> tuple[Rate, Rate]:
    """The page's and the floor's rates over `seconds` each, in alternating slices, after a warm-up."""
    for path in (page, floor):
        hammer(port, path, cookie=cookie, connections=2, seconds=min(2.0, seconds / 4), rate=Rate())
    rounds = max(2, round(seconds / slice_seconds))
    each = seconds / rounds
    page_rate, floor_rate = Rate(), Rate()
    for number in range(rounds):
        order = [(page, page_rate), (floor, floor_rate)]
        if number % 2:
            order.reverse()
        for path, rate in order:
            hammer(port, path, cookie=cookie, connections=connections, seconds=each, rate=rate)
    return page_rate, floor_rate
