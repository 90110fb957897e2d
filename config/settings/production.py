"""Production: every secret from the environment, refuses to start without them, check --deploy clean."""

from django.core.exceptions import ImproperlyConfigured

from accounts.oidc_providers import oidc_providers_parse

from .base import *  # noqa: F403
from .base import ECM_OIDC_PROVIDERS, env

REQUIRED = ("SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL", "REDIS_URL")
_missing = [name for name in REQUIRED if not env.str(name, default="").strip()]
if _missing:
    raise ImproperlyConfigured(f"Production settings need these environment variables: {', '.join(_missing)}")

DEBUG = False
SECRET_KEY = env.str("SECRET_KEY")
if len(SECRET_KEY) < 50 or SECRET_KEY.startswith(("dev-", "test-", "django-insecure")):
    raise ImproperlyConfigured("SECRET_KEY must be a long random value (50 characters or more).")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS")
DEMO_LOGINS_ALLOWED = False
oidc_providers_parse(ECM_OIDC_PROVIDERS, https_only=True)

SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SESSION_COOKIE_NAME = "__Host-ecm-session"
CSRF_COOKIE_NAME = "__Host-ecm-csrf"
