"""manage.py reports_prepare: make the day's first dashboards now (reporting/prepare.py), as beat does early each
morning; for instance after a release, whose new report version leaves the cache's entries unread."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from reporting.prepare import reports_prepare


class Command(BaseCommand):
    help = "Make and keep today's first dashboard of each person who may read reports (skipping those kept)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--seconds",
            type=float,
            default=None,
            help="stop starting new dashboards after this long (default: ECM_REPORTS_PREPARE_SECONDS)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        prepared = reports_prepare(seconds=options["seconds"])
        if prepared.without_cache:
            raise CommandError("The cache (Redis) does not answer: nothing could be kept, so nothing was made.")
        self.stdout.write(
            f"{prepared.made} dashboards made, {prepared.kept_already} already kept, {prepared.left} left for the "
            f"next run ({prepared.people} people who may read reports signed in lately)."
        )
