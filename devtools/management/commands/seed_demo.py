"""manage.py seed_demo: the invented demo world, and the demo logins printed."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from devtools.demo.seed import DEMO_PASSWORD, DemoRefused, seed_demo
from devtools.demo.totp import demo_totp_secret


class Command(BaseCommand):
    help = "Create the invented demo agencies, people and cases (idempotent). Refused where demo logins are off."

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            people = seed_demo()
        except DemoRefused as error:
            raise CommandError(str(error)) from error
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
