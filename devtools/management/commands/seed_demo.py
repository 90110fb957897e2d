"""manage.py seed_demo: the invented demo world, and the demo logins printed."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from devtools.demo.seed import DEMO_PASSWORD, DemoRefused, seed_demo, seed_demo_reporting_data
from devtools.demo.totp import demo_totp_secret


class Command(BaseCommand):
    help = "Create the invented demo agencies, people and cases (idempotent). Refused where demo logins are off."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--reporting-data",
            action="store_true",
            help="also the reports' invented cases in the demo services (made once; `make run` asks for them)",
        )

    def handle(self, *args: Any, reporting_data: bool = False, **options: Any) -> None:
        try:
            people = seed_demo()
            made = seed_demo_reporting_data() if reporting_data else None
        except DemoRefused as error:
            raise CommandError(str(error)) from error
        if made is not None:
            cases = made.counts.rows.get("cases", 0)
            self.stderr.write(
                f"seed_demo: the reports' demo data ({cases:,} invented cases) took {made.seconds:.1f} s",
                style_func=lambda text: text,
            )
        self.stdout.write(
            f"Demo logins (every password is {DEMO_PASSWORD!r}; add the key to an authenticator app, "
            "or print the current code with `python manage.py demo_code <username>`):"
        )
        for person in people:
            name = f"{person.first_name} {person.last_name}"
            self.stdout.write(
                f"  {person.username:<14} key {demo_totp_secret(person.username)}  "
                f"{name}, {person.job_title}, {person.agency}"
            )
