"""Development: DEBUG on, e-mail to the console, demo logins and the dev tools. Never use in production."""

from .base import *  # noqa: F403
from .base import INSTALLED_APPS, env

DEBUG = env.bool("DJANGO_DEBUG", default=True)
# seed_demo, demo_code, seed_scale and the benchmark_* commands (devtools/); production has none of them.
INSTALLED_APPS = [*INSTALLED_APPS, "devtools"]
SECRET_KEY = env.str("SECRET_KEY", default="dev-only-not-secret-0b1c7c2e4f")  # noqa: S105
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
DEMO_LOGINS_ALLOWED = env.bool("ECM_DEMO_LOGINS_ALLOWED", default=True)
EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
