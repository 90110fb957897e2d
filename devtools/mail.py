"""The development e-mail backend: every message saved as a .eml file, and one short line on the console.

`make run` used to print each demo e-mail in full (the .ics and HTML parts too), pushing the demo
logins off the screen. Here each message goes to EMAIL_FILE_PATH (.local/mail/ by default, ignored
by git) as a file any mail program opens, and the console shows who it went to and its subject.
"""

from __future__ import annotations

import sys
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage
from django.core.mail.backends.base import BaseEmailBackend
from django.utils import timezone


class FileAndLineBackend(BaseEmailBackend):
    def __init__(self, *args: Any, file_path: str | None = None, stream: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.directory = Path(file_path or getattr(settings, "EMAIL_FILE_PATH", "") or ".local/mail")
        self.stream = stream or sys.stdout

    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        sent = 0
        self.directory.mkdir(parents=True, exist_ok=True)
        for message in email_messages:
            if not message.recipients():
                continue
            stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
            path = self.directory / f"{stamp}-{uuid.uuid4().hex[:8]}.eml"
            path.write_bytes(message.message().as_bytes(linesep="\n"))
            to = ", ".join(message.recipients())
            shown = path.relative_to(Path.cwd()) if path.is_relative_to(Path.cwd()) else path
            self.stream.write(f"mail: to {to}: {message.subject} ({shown})\n")
            self.stream.flush()
            sent += 1
        return sent
