"""Production settings refuse to start without their secrets, and pass Django's deployment checks."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
GOOD_ENV = {
    "SECRET_KEY": "k" * 20 + "-production-like-random-value-for-the-deploy-check-0123456789",
    "ALLOWED_HOSTS": "ecm.example.invalid",
    "DATABASE_URL": "postgres://ecm:pw@127.0.0.1:5432/ecm",
    "REDIS_URL": "redis://127.0.0.1:6379/0",
}


def _manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    clean = {
        key: value for key, value in os.environ.items() if key not in GOOD_ENV and key != "DJANGO_ALLOW_ASYNC_UNSAFE"
    }
    clean.update(env, DJANGO_SETTINGS_MODULE="config.settings.production")
    return subprocess.run(  # noqa: S603 - our own manage.py with fixed arguments
        [sys.executable, "manage.py", *args], cwd=ROOT, env=clean, capture_output=True, text=True, timeout=120
    )


@pytest.mark.parametrize("missing", sorted(GOOD_ENV))
def test_production_refuses_to_start_without_each_required_variable(missing: str) -> None:
    env = {key: value for key, value in GOOD_ENV.items() if key != missing}
    result = _manage("check", env=env)
    assert result.returncode != 0
    assert missing in result.stderr


def test_production_refuses_a_short_or_development_secret_key() -> None:
    result = _manage("check", env={**GOOD_ENV, "SECRET_KEY": "dev-only-not-secret-0b1c7c2e4f"})
    assert result.returncode != 0
    assert "SECRET_KEY must be a long random value" in result.stderr


def test_check_deploy_reports_nothing_with_production_settings() -> None:
    result = _manage("check", "--deploy", "--fail-level", "WARNING", env=GOOD_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_turns_demo_logins_off_and_hsts_on() -> None:
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.DEMO_LOGINS_ALLOWED, s.SECURE_HSTS_SECONDS > 0, s.SESSION_COOKIE_SECURE, s.DEBUG)"
    )
    clean = {
        key: value for key, value in os.environ.items() if key not in GOOD_ENV and key != "DJANGO_ALLOW_ASYNC_UNSAFE"
    }
    clean.update(GOOD_ENV, DJANGO_SETTINGS_MODULE="config.settings.production", ECM_DEMO_LOGINS_ALLOWED="true")
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-c", code], cwd=ROOT, env=clean, capture_output=True, text=True, timeout=60
    )
    assert result.stdout.split() == ["False", "True", "True", "False"], result.stderr
