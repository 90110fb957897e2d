"""Production settings refuse to start without their secrets, and pass Django's deployment checks."""

from __future__ import annotations

import json
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


@pytest.mark.parametrize(("value", "expected"), [(None, "0"), ("none", "None"), ("5", "5")])
def test_compiled_queries_are_prepared_unless_the_pooler_cannot_keep_them(value: str | None, expected: str) -> None:
    """DATABASE_PREPARE_THRESHOLD: 0 (prepare the compiled queries on first use) unless set; "none" for a pooler
    in transaction mode that does not track prepared statements."""
    code = (
        "import django; django.setup(); from django.conf import settings as s; print(s.DATABASES['default']['OPTIONS'])"
    )
    clean = {
        key: value for key, value in os.environ.items() if key not in GOOD_ENV and key != "DJANGO_ALLOW_ASYNC_UNSAFE"
    }
    clean.pop("DATABASE_PREPARE_THRESHOLD", None)
    clean.update(GOOD_ENV, DJANGO_SETTINGS_MODULE="config.settings.production")
    if value is not None:
        clean["DATABASE_PREPARE_THRESHOLD"] = value
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-c", code], cwd=ROOT, env=clean, capture_output=True, text=True, timeout=60
    )
    assert f"'prepare_threshold': {expected}" in result.stdout, result.stderr


# Run under production settings with `devtools` made unimportable (as if the folder were not shipped):
# the settings must not install it, its commands must not exist, and every module of every product
# package (each top-level package but tests/ and devtools/) must import without it.
PRODUCT_WITHOUT_DEVTOOLS = """
import importlib, importlib.abc, json, pkgutil, sys
from pathlib import Path

class NoDevtools(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name == "devtools" or name.startswith("devtools."):
            raise ModuleNotFoundError(f"production imported {name}", name=name)
        return None

sys.meta_path.insert(0, NoDevtools())
import django
django.setup()
from django.conf import settings
from django.core.management import get_commands

packages = sorted(
    path.parent.name for path in Path(".").glob("*/__init__.py") if path.parent.name not in ("tests", "devtools")
)
modules = []
for package in packages:
    modules.append(importlib.import_module(package).__name__)
    for info in pkgutil.walk_packages(sys.modules[package].__path__, prefix=package + "."):
        modules.append(importlib.import_module(info.name).__name__)
print(json.dumps({
    "installed_apps": settings.INSTALLED_APPS,
    "commands": sorted(get_commands()),
    "packages": packages,
    "modules": modules,
    "health_worker_ping_seconds": settings.HEALTH_WORKER_PING_SECONDS,
}))
"""
DEV_COMMANDS = {
    "seed_demo",
    "demo_code",
    "seed_scale",
    "benchmark_report_pdf",
    "benchmark_reminders",
    "benchmark_dashboard",
}


def _python(code: str, *, settings: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    clean = {
        key: value for key, value in os.environ.items() if key not in GOOD_ENV and key != "DJANGO_ALLOW_ASYNC_UNSAFE"
    }
    clean.update(env, DJANGO_SETTINGS_MODULE=settings)
    return subprocess.run(  # noqa: S603 - our own interpreter with a fixed script
        [sys.executable, "-c", code], cwd=ROOT, env=clean, capture_output=True, text=True, timeout=120
    )


def test_production_does_not_install_devtools_and_every_product_module_imports_without_it() -> None:
    result = _python(PRODUCT_WITHOUT_DEVTOOLS, settings="config.settings.production", env=GOOD_ENV)
    assert result.returncode == 0, result.stderr
    production = json.loads(result.stdout)
    assert not [app for app in production["installed_apps"] if app.startswith("devtools")]
    assert not DEV_COMMANDS & set(production["commands"])
    product = {"config", "core", "accounts", "cases", "referrals", "trm_stages", "formulation", "reviews", "reporting"}
    assert set(production["packages"]) >= product
    assert "reporting.views" in production["modules"]  # every module, not only the packages
    assert len(production["modules"]) > 100
    # Production waits a second for a worker to answer /health/'s ping; the tests do not.
    assert production["health_worker_ping_seconds"] == 1.0


def test_development_and_test_settings_install_devtools_with_its_commands() -> None:
    from django.conf import settings
    from django.core.management import get_commands

    assert "devtools" in settings.INSTALLED_APPS
    assert set(get_commands()) >= DEV_COMMANDS
    assert settings.HEALTH_WORKER_PING_SECONDS < 0.5
    code = "import django; django.setup(); from django.conf import settings as s; print('devtools' in s.INSTALLED_APPS)"
    result = _python(code, settings="config.settings.dev", env={})
    assert result.stdout.split() == ["True"], result.stderr


def test_production_keeps_case_documents_in_a_private_s3_bucket_when_asked() -> None:
    """ECM_DOCUMENT_STORAGE=s3 makes the documents' storage django-storages' S3 backend (installed, configured:
    private, encrypted, never overwriting); the storage is built without reaching any bucket."""
    code = (
        "import django; django.setup(); from case_documents.models import case_document_storage as c; s = c(); "
        "print(type(s).__name__, s.bucket_name, s.location, s.default_acl, s.file_overwrite, "
        "s.object_parameters['ServerSideEncryption'])"
    )
    clean = {
        key: value for key, value in os.environ.items() if key not in GOOD_ENV and key != "DJANGO_ALLOW_ASYNC_UNSAFE"
    }
    clean.update(
        GOOD_ENV,
        DJANGO_SETTINGS_MODULE="config.settings.production",
        ECM_DOCUMENT_STORAGE="s3",
        ECM_DOCUMENT_S3_BUCKET="ecm-case-documents",
        ECM_DOCUMENT_S3_ENDPOINT_URL="https://objects.example.invalid",
    )
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-c", code], cwd=ROOT, env=clean, capture_output=True, text=True, timeout=60
    )
    assert result.stdout.split() == ["S3Storage", "ecm-case-documents", "case-documents", "None", "False", "AES256"], (
        result.stderr
    )
