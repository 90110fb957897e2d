"""manage.py create_service_admin: the first service administrator of a new deployment.

Everyone else is invited from /manage/. This makes the first administrator the same way, through
`accounts.services.user_invite`: an account with no password and an e-mailed, one-time link with
which they set their own, so nobody types another person's password.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from accounts.invitations import invitation_link
from accounts.models import Agency, AgencyKind, Role
from accounts.services import agency_create, user_invite


class Command(BaseCommand):
    help = "Invite the first service administrator (creating their agency if it is new)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--email", required=True)
        parser.add_argument("--first-name", required=True)
        parser.add_argument("--last-name", required=True)
        parser.add_argument("--agency", required=True, help="the agency's name; created if it does not exist")
        parser.add_argument(
            "--agency-kind",
            default=AgencyKind.ECM_TEAM,
            choices=AgencyKind.values,
            help="the kind of a new agency (default: ecm)",
        )
        parser.add_argument(
            "--print-link",
            action="store_true",
            help="also print the invitation link, for a deployment whose e-mail is not set up yet",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        agency = Agency.objects.filter(name=options["agency"]).first()
        try:
            with transaction.atomic():
                if agency is None:
                    agency = agency_create(name=options["agency"], kind=options["agency_kind"])
                    self.stdout.write(f"Created the agency {agency.name}.")
                user = user_invite(
                    email=options["email"],
                    first_name=options["first_name"],
                    last_name=options["last_name"],
                    agency=agency,
                    role=Role.ADMINISTRATOR,
                )
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from error
        self.stdout.write(f"Invited {user} ({user.email}) as service administrator; their username is {user.username}.")
        if options["print_link"]:
            self.stdout.write(f"Invitation link (valid once): {invitation_link(user)}")
