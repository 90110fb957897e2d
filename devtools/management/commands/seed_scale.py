"""``manage.py seed_scale``: a large invented dataset, quickly (devtools/scale/ makes it).

At ``--scale 1``: 150 agencies, 20,000 cases over ten years, 1,000,000 contacts, and meetings,
assessments and actions in proportion. ``--scale 0.01`` makes a hundredth. Prints the time taken.
"""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts.models import Agency
from devtools.scale import CannotSkipTriggers, seed_scale


class Command(BaseCommand):
    help = (
        "Make a large invented dataset with bulk inserts (150 agencies, 20,000 cases, 1,000,000 contacts at scale 1)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--scale", type=float, default=1.0, help="fraction of the full size (1 = 20,000 cases)")
        parser.add_argument("--seed", type=int, default=2026, help="random seed: the same seed makes the same data")
        parser.add_argument("--label", default="Scale", help="first word of the invented agencies' names")
        parser.add_argument(
            "--with-history", action="store_true", help="keep the change-history triggers on (slower; to compare)"
        )

    def handle(self, *args: Any, scale: float, seed: int, label: str, with_history: bool, **options: Any) -> None:
        if not 0 < scale <= 5:
            raise CommandError("--scale must be above 0 and at most 5")
        if not label.isalnum():
            raise CommandError("--label must be letters and digits only")
        if Agency.objects.filter(name__startswith=f"{label} ").exists():
            raise CommandError(f"Agencies named '{label} …' exist already: choose another --label")
        started = time.perf_counter()
        try:
            counts = seed_scale(scale=scale, seed=seed, label=label, with_history=with_history)
        except CannotSkipTriggers as error:
            raise CommandError(str(error)) from error
        seconds = time.perf_counter() - started
        self.stdout.write("Made " + ", ".join(f"{number:,} {name}" for name, number in counts.rows.items()) + ".")
        history = "with" if with_history else "without"
        self.stdout.write(f"seed_scale --scale {scale:g} took {seconds:.1f} s ({history} change-history triggers).")
