"""manage.py demo_code <username>: the current security code of a demo person's authenticator."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import User
from devtools.demo.totp import code_now


class Command(BaseCommand):
    help = "Print the current 6-digit security code of a demo person (demo logins only), e.g. demo_code casemanager."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username", help="a demo username, e.g. casemanager")

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEMO_LOGINS_ALLOWED:
            raise CommandError("Demo codes are refused where demo logins are off (ECM_DEMO_LOGINS_ALLOWED).")
        user = User.objects.filter(username=options["username"], is_demo=True).first()
        if user is None:
            raise CommandError(f"{options['username']!r} is not a demo person. Run `manage.py seed_demo` first.")
        device = TOTPDevice.objects.filter(user=user, confirmed=True).order_by("-pk").first()
        if device is None:
            raise CommandError(f"{user.username} has no authenticator. Run `manage.py seed_demo` again.")
        self.stdout.write(code_now(device))
