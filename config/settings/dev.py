"""Development: DEBUG on, e-mail to .local/mail/ (one line each on the console), demo logins and the dev tools.

Never use in production.
"""

from .base import *  # noqa: F403
from .base import BASE_DIR, INSTALLED_APPS, env

DEBUG = env.bool("DJANGO_DEBUG", default=True)
# seed_demo, demo_code, seed_scale and the benchmark_* commands (devtools/); production has none of them.
INSTALLED_APPS = [*INSTALLED_APPS, "devtools"]
SECRET_KEY = env.str("SECRET_KEY", default="dev-only-not-secret-0b1c7c2e4f")  # noqa: S105
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
DEMO_LOGINS_ALLOWED = env.bool("ECM_DEMO_LOGINS_ALLOWED", default=True)
# Each e-mail is saved as a .eml file under .local/mail/ and announced in one line (to, subject).
EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="devtools.mail.FileAndLineBackend")
EMAIL_FILE_PATH = env.str("EMAIL_FILE_PATH", default=str(BASE_DIR / ".local" / "mail"))


def _base_url(host: str, port: str) -> str:
    """Where runserver listens (scripts/run_all.sh exports HOST and PORT), as a browser reaches it."""
    if host in ("", "0.0.0.0", "::", "[::]"):  # noqa: S104 - listening everywhere: links go to this machine
        host = "127.0.0.1"
    if ":" in host and not host.startswith("["):
        host = f"[{host}]"
    return f"http://{host}:{port}"


# Links in e-mails and .ics files follow HOST and PORT unless ECM_BASE_URL says otherwise.
ECM_BASE_URL = env.str(
    "ECM_BASE_URL", default=_base_url(env.str("HOST", default="127.0.0.1"), env.str("PORT", default="8000"))
)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
