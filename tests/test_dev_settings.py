"""Development settings: links follow HOST and PORT, and e-mails go to files with one line each."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from email import message_from_bytes
from pathlib import Path

import pytest
from django.core.mail import EmailMessage

from devtools.mail import FileAndLineBackend

ROOT = Path(__file__).resolve().parent.parent


def _dev_setting(name: str, **env: str) -> str:
    clean = {key: value for key, value in os.environ.items() if key not in ("ECM_BASE_URL", "HOST", "PORT")}
    clean.update(env)
    code = f"import config.settings.dev as settings; print(settings.{name})"
    result = subprocess.run(  # noqa: S603 - our own settings, a fixed command
        [sys.executable, "-c", code], cwd=ROOT, env=clean, capture_output=True, text=True, timeout=60, check=True
    )
    return result.stdout.strip()


def test_the_base_url_follows_port_and_host_in_development() -> None:
    assert _dev_setting("ECM_BASE_URL", PORT="8123") == "http://127.0.0.1:8123"
    assert _dev_setting("ECM_BASE_URL") == "http://127.0.0.1:8000"
    assert _dev_setting("ECM_BASE_URL", HOST="0.0.0.0", PORT="9001") == "http://127.0.0.1:9001"  # noqa: S104
    assert _dev_setting("ECM_BASE_URL", HOST="localhost", PORT="8123") == "http://localhost:8123"


def test_an_explicit_base_url_wins() -> None:
    assert _dev_setting("ECM_BASE_URL", PORT="8123", ECM_BASE_URL="https://ecm.example.org") == (
        "https://ecm.example.org"
    )


def test_development_sends_e_mail_to_files() -> None:
    assert _dev_setting("EMAIL_BACKEND") == "devtools.mail.FileAndLineBackend"
    assert _dev_setting("EMAIL_FILE_PATH") == str(ROOT / ".local" / "mail")


@pytest.mark.parametrize("count", [1, 3])
def test_each_e_mail_is_one_line_and_one_file(tmp_path: Path, count: int) -> None:
    out = io.StringIO()
    backend = FileAndLineBackend(file_path=str(tmp_path), stream=out)
    messages = [
        EmailMessage(subject=f"Meeting {n}", body="A long body\n" * 40, to=[f"person{n}@example.org"])
        for n in range(count)
    ]
    messages[0].attach("invite.ics", "BEGIN:VCALENDAR\nEND:VCALENDAR\n", "text/calendar")
    assert backend.send_messages(messages) == count
    lines = out.getvalue().splitlines()
    assert len(lines) == count
    assert lines[0].startswith("mail: to person0@example.org: Meeting 0 (")
    files = sorted(tmp_path.glob("*.eml"))
    assert len(files) == count
    saved = [message_from_bytes(path.read_bytes()) for path in files]
    assert {message["Subject"] for message in saved} == {f"Meeting {n}" for n in range(count)}
