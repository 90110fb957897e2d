"""manage.py seed_demo: the invented demo world, and the demo logins printed."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from demo.seed import DEMO_PASSWORD, DemoRefused, seed_demo


class Command(BaseCommand):
    help = "Create the invented demo agencies, people and cases (idempotent). Refused in production."

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            people = seed_demo()
        except DemoRefused as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"Demo logins (every password is {DEMO_PASSWORD!r}):")
        for person in people:
            name = f"{person.first_name} {person.last_name}"
            self.stdout.write(f"  {person.username:<14} {name}, {person.job_title}, {person.agency}")
