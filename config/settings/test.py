"""Tests: real PostgreSQL and Redis (from the environment), fast hashing, in-memory e-mail, the dev tools."""

from .base import *  # noqa: F403
from .base import CACHE_BACKEND, CACHE_OPTIONS, INSTALLED_APPS, REDIS_URL, env

DEBUG = False
SECRET_KEY = "test-only-not-secret-5d1e"  # noqa: S105
ALLOWED_HOSTS = ["localhost", "127.0.0.1", "testserver"]
# The demo world, seed_scale and the benchmarks are tested too (devtools/); production never installs it.
INSTALLED_APPS = [*INSTALLED_APPS, "devtools"]
DEMO_LOGINS_ALLOWED = True
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Tests use their own Redis database so a developer's running app keeps its cache and queue.
TEST_REDIS_URL = env.str("TEST_REDIS_URL", default=REDIS_URL.rsplit("/", 1)[0] + "/15")
CACHES = {
    "default": {
        "BACKEND": CACHE_BACKEND,
        "LOCATION": TEST_REDIS_URL,
        "KEY_PREFIX": "ecm-test",
        "OPTIONS": CACHE_OPTIONS,
    }
}
# scripts/test.sh migrates one database and has each shard's test database copied from it (CREATE DATABASE
# ... TEMPLATE), rather than three shards migrating from nothing at once.
if template := env.str("ECM_TEST_DB_TEMPLATE", default=""):
    DATABASES["default"]["TEST"] = {"TEMPLATE": template}  # noqa: F405
CELERY_BROKER_URL = TEST_REDIS_URL
CELERY_RESULT_BACKEND = TEST_REDIS_URL
AXES_ENABLED = True
# A health check with no worker running answers after this long instead of production's second.
HEALTH_WORKER_PING_SECONDS = 0.2
