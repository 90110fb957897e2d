"""Settings shared by every environment. Everything that varies is read from the environment here."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

from accounts.oidc_providers import oidc_providers_parse

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
# A local .env is a convenience for development; production reads the real environment.
if (BASE_DIR / ".env").is_file():
    env.read_env(str(BASE_DIR / ".env"))

DEBUG = env.bool("DJANGO_DEBUG", default=False)
SECRET_KEY = env.str("SECRET_KEY", default="")
ALLOWED_HOSTS: list[str] = env.list("ALLOWED_HOSTS", default=[])
CSRF_TRUSTED_ORIGINS: list[str] = env.list("CSRF_TRUSTED_ORIGINS", default=[])

# Demo logins (made by `manage.py seed_demo`) are refused unless this is on; production forces it off.
DEMO_LOGINS_ALLOWED = env.bool("ECM_DEMO_LOGINS_ALLOWED", default=False)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI's files for /api/docs/, served by us (issue 19)
    "guardian",
    "axes",
    # Two-factor sign-in: TOTP authenticator apps and single-use recovery codes (accounts/mfa.py).
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "pgtrigger",
    "pghistory",
    "core",
    "accounts",
    "cases",
    "referrals",
    "trm_stages",
    "formulation",
    "reviews",
    # Documents uploaded to a case: stored through the storage API, held until a virus check passes.
    "case_documents",
    "reporting",
    # Data rights (subject access requests): reads every app above, so it comes last.
    "data_rights",
]
# Development tools (demo seeding, the large invented dataset, benchmarks) are the app `devtools`:
# dev.py and test.py add it, production.py never does, and nothing in the product imports it.

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # A NUL byte anywhere in the request is a 400 before anything reaches PostgreSQL (config/middleware.py).
    "config.middleware.BadInputMiddleware",
    # A view that loses the database answers 503 "try again in a minute", not a 500.
    "config.middleware.DatabaseUnavailableMiddleware",
    # What the access module and permissions work out about the person is worked out once per request.
    "core.memo.RequestMemoMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "accounts.middleware.SessionLimitsMiddleware",
    # A session signed in with a password only reaches the second-factor pages, nothing else.
    "accounts.middleware.SecondFactorMiddleware",
    "pghistory.middleware.HistoryMiddleware",
    "accounts.middleware.RequestContextMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "accounts.middleware.NoStoreMiddleware",
    # A merged case's addresses redirect to the surviving case (cases/merge_redirect.py).
    "cases.merge_redirect.MergedRecordRedirectMiddleware",
    # Last, so a lockout answers before any view runs.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "config.navigation.navigation",
                "reviews.context_processors.notifications",
            ],
        },
    },
]

DATABASES = {"default": env.db("DATABASE_URL", default="postgres://postgres@127.0.0.1:5432/ecm")}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# The statements whose SQL is the same on every use (the queries compiled once, core.db.compiled_query and
# CompiledPages; the person's facts; the case page's facts) are prepared on their connection on first use, so
# PostgreSQL plans each once per connection (core.db.prepared_cursor; issue 14). Django's own queries bind their
# values client-side and are never prepared. Behind a pooler in transaction mode that does not track prepared
# statements (PgBouncer before 1.21, or without max_prepared_statements), set DATABASE_PREPARE_THRESHOLD=none.
_prepare_threshold = env.str("DATABASE_PREPARE_THRESHOLD", default="0").strip().lower()
DATABASES["default"].setdefault("OPTIONS", {})["prepare_threshold"] = (
    None if _prepare_threshold in {"", "none"} else int(_prepare_threshold)
)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env.str("REDIS_URL", default="redis://127.0.0.1:6379/0")

# Reports not in the cache are made side by side on up to this many database connections (the request's own and
# short-lived ones opened for the rest): a cold dashboard compares two periods. 1 makes them one after another.
ECM_REPORT_CONNECTIONS = env.int("ECM_REPORT_CONNECTIONS", default=2)
if ECM_REPORT_CONNECTIONS < 1:
    raise ImproperlyConfigured(f"ECM_REPORT_CONNECTIONS must be 1 or more, not {ECM_REPORT_CONNECTIONS}")
# The day's first dashboards made before the working day (reporting/prepare.py; beat "reports-prepare", every ten
# minutes from 05:00 to 06:50): for the people who signed in within this many days, each run starting new scopes
# for at most this many seconds (under the tasks' soft time limit; the next run goes on).
ECM_REPORTS_PREPARE = {
    "SIGNED_IN_WITHIN_DAYS": env.int("ECM_REPORTS_PREPARE_SIGNED_IN_WITHIN_DAYS", default=30),
    "SECONDS": env.float("ECM_REPORTS_PREPARE_SECONDS", default=180.0),
}

# Redis is an accelerator, never a single point of failure: the cache treats Redis errors as misses
# (config/cache.py) and gives up on a connection quickly, so an outage does not make pages wait.
REDIS_SOCKET_TIMEOUT_SECONDS = env.float("ECM_REDIS_SOCKET_TIMEOUT_SECONDS", default=0.25)
CACHE_BACKEND = "config.cache.ResilientRedisCache"
CACHE_OPTIONS = {
    "socket_connect_timeout": REDIS_SOCKET_TIMEOUT_SECONDS,
    "socket_timeout": REDIS_SOCKET_TIMEOUT_SECONDS,
}
CACHES = {
    "default": {
        "BACKEND": CACHE_BACKEND,
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": "ecm",
        "OPTIONS": CACHE_OPTIONS,
    }
}

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    # Axes first: it refuses locked-out sign-ins before any password is checked.
    "axes.backends.AxesStandaloneBackend",
    "accounts.backends.EcmModelBackend",
    # Agencies' own identity providers (OpenID Connect): matches invited people, never creates any.
    "accounts.oidc.AgencyOIDCBackend",
    "guardian.backends.ObjectPermissionBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"

# Sessions: 30 minutes idle, 12 hours in all (enforced by accounts.middleware.SessionLimitsMiddleware).
# Sessions live in PostgreSQL only. `cached_db` loads a session about 0.8 ms faster (0.3 against
# 1.1 ms, measured in process), about 1-5 % of a signed-in page; but its copy in Redis goes stale in
# an outage (a sign-out or ended session written to PostgreSQL only would come back to life with
# Redis), and its load wrote to Redis unguarded. Correct and independent of Redis beats 1 ms.
SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_IDLE_TIMEOUT = timedelta(minutes=env.int("ECM_SESSION_IDLE_MINUTES", default=30))
SESSION_ABSOLUTE_TIMEOUT = timedelta(hours=env.int("ECM_SESSION_ABSOLUTE_HOURS", default=12))
# The server-side row lasts the absolute limit; the cookie itself ends when the browser closes.
SESSION_COOKIE_AGE = int(SESSION_ABSOLUTE_TIMEOUT.total_seconds())
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True

# Lockout: five failed sign-ins for one username from one address locks it for 15 minutes.
AXES_FAILURE_LIMIT = env.int("ECM_LOCKOUT_FAILURES", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("ECM_LOCKOUT_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_USERNAME_FORM_FIELD = "username"
# Reverse proxies in front of ECM that append to X-Forwarded-For: the client is the entry this many
# from the right (core/client_address.py). The lockout, the rate limits and the access log all use it.
ECM_PROXY_COUNT = env.int("ECM_PROXY_COUNT", default=0)
AXES_CLIENT_IP_CALLABLE = "core.client_address.client_address"

# Two-factor sign-in (accounts/mfa.py): staff always, partners when their agency says so. Turning it
# off (ECM_MFA_REQUIRED=false) skips the second step for everyone.
ECM_MFA_REQUIRED = env.bool("ECM_MFA_REQUIRED", default=True)
# Wrong security or recovery codes in a row that lock a person's second step, and for how long.
ECM_MFA_LOCKOUT_FAILURES = AXES_FAILURE_LIMIT
ECM_MFA_LOCKOUT = AXES_COOLOFF_TIME
# The name authenticator apps show beside the account.
OTP_TOTP_ISSUER = env.str("ECM_MFA_ISSUER", default="ECM")
# Waits of 1, 2, 4, 8 ... seconds between wrong codes (django-otp's throttling), on top of the lockout.
OTP_TOTP_THROTTLE_FACTOR = 1
OTP_STATIC_THROTTLE_FACTOR = 1
# Never show authenticator keys or recovery codes in Django's admin.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True

# Forgotten password: the e-mailed link works once, for this long.
PASSWORD_RESET_TIMEOUT = env.int("ECM_PASSWORD_RESET_MINUTES", default=60) * 60
# Requests for a reset link per hour, from one address and for one e-mail address (Redis; allowed if down).
ECM_PASSWORD_RESET_PER_IP_PER_HOUR = env.int("ECM_PASSWORD_RESET_PER_IP_PER_HOUR", default=10)
ECM_PASSWORD_RESET_PER_EMAIL_PER_HOUR = env.int("ECM_PASSWORD_RESET_PER_EMAIL_PER_HOUR", default=3)

# Rate limits (core/ratelimit.py), "<count>/<s|m|h|d>": per person for searches, the duplicate check
# and the API; per client address for sign-in and forgotten-password posts. Over a limit: a 429 page
# (the API: 429 JSON). Counted in Redis; while Redis is down nothing is limited.
ECM_RATE_LIMITS = {
    "search": env.str("ECM_RATE_LIMIT_SEARCH", default="30/m"),
    "duplicate_check": env.str("ECM_RATE_LIMIT_DUPLICATE_CHECK", default="10/m"),
    "sign_in": env.str("ECM_RATE_LIMIT_SIGN_IN", default="30/m"),
    "password_reset": env.str("ECM_RATE_LIMIT_PASSWORD_RESET", default="5/m"),
    "api": env.str("ECM_RATE_LIMIT_API", default="120/m"),
}
for _scope, _rate in ECM_RATE_LIMITS.items():
    if not re.fullmatch(r"\s*\d+\s*/\s*[smhd][a-z]*\s*", _rate):
        raise ImproperlyConfigured(
            f"ECM_RATE_LIMIT_{_scope.upper()} must look like 30/m (count / s, m, h or d), not {_rate!r}"
        )

X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = False
USE_TZ = True
DATE_INPUT_FORMATS = ["%d/%m/%Y", "%Y-%m-%d"]
# One way of writing dates (issue 16): "3 December 2026" in prose and summary lists, "3 Dec 2026" in tables,
# 24-hour times. Django's en-GB locale module outranks these settings, so config/formats/en_GB says the same.
FORMAT_MODULE_PATH = ["config.formats"]
DATE_FORMAT = "j F Y"
SHORT_DATE_FORMAT = "j M Y"
DATETIME_FORMAT = "j F Y, H:i"
SHORT_DATETIME_FORMAT = "j M Y, H:i"
TIME_FORMAT = "H:i"

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
MEDIA_ROOT = Path(env.str("ECM_MEDIA_ROOT", default=str(BASE_DIR / ".local" / "media")))

# Documents uploaded to a case (case_documents/). Never served by the web server: MEDIA_URL is not routed, a
# Django view streams each file after the access check. The largest file accepted, in bytes (20 MB):
ECM_DOCUMENT_MAX_BYTES = env.int("ECM_DOCUMENT_MAX_BYTES", default=20 * 1024 * 1024)
# Where their bytes are kept: "filesystem" (the default storage, under MEDIA_ROOT/case_documents/, which
# backups archive) or "s3" (an S3-compatible bucket through django-storages, `django-storages[s3]` in
# pyproject.toml; the bucket is not in ECM's backup archive, so give it versioning and its own backup).
ECM_DOCUMENT_STORAGE = env.str("ECM_DOCUMENT_STORAGE", default="filesystem")
if ECM_DOCUMENT_STORAGE == "s3":
    STORAGES["case_documents"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {  # type: ignore[dict-item]
            "bucket_name": env.str("ECM_DOCUMENT_S3_BUCKET"),
            "endpoint_url": env.str("ECM_DOCUMENT_S3_ENDPOINT_URL", default="") or None,
            "region_name": env.str("ECM_DOCUMENT_S3_REGION", default="") or None,
            "access_key": env.str("ECM_DOCUMENT_S3_ACCESS_KEY_ID", default="") or None,
            "secret_key": env.str("ECM_DOCUMENT_S3_SECRET_ACCESS_KEY", default="") or None,
            "location": env.str("ECM_DOCUMENT_S3_PREFIX", default="case-documents"),
            "default_acl": None,  # private: the bucket's own policy, never public-read
            "querystring_auth": True,
            "file_overwrite": False,
            "object_parameters": {"ServerSideEncryption": "AES256"},
        },
    }
elif ECM_DOCUMENT_STORAGE != "filesystem":
    raise ImproperlyConfigured(f"ECM_DOCUMENT_STORAGE must be filesystem or s3, not {ECM_DOCUMENT_STORAGE!r}")
# The virus check (case_documents/scanning.py): ClamAV's daemon over a Unix socket (ECM_CLAMD_SOCKET) or TCP
# (ECM_CLAMD_HOST, ECM_CLAMD_PORT). With neither set, a built-in check finds ONLY the EICAR test string: fit
# for development and tests, not a virus scanner. Production should set one.
ECM_CLAMD_SOCKET = env.str("ECM_CLAMD_SOCKET", default="")
ECM_CLAMD_HOST = env.str("ECM_CLAMD_HOST", default="")
ECM_CLAMD_PORT = env.int("ECM_CLAMD_PORT", default=3310)
ECM_CLAMD_TIMEOUT_SECONDS = env.float("ECM_CLAMD_TIMEOUT_SECONDS", default=30.0)

# The REST API (issue 19; core/api/): systems sign in with a bearer token (accounts/api_tokens.py), people
# with their session (the browsable API, the docs). The token comes first, so a request without any
# credentials is answered 401 with a `WWW-Authenticate: Bearer` challenge.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "core.api.authentication.BearerTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    # Signed in, and the token's scope fits the method (read: GET; write: the rest). What the person may
    # see or do is the access module's answer in each view: 404 for what they may not see, 403 else.
    "DEFAULT_PERMISSION_CLASSES": [
        "rest_framework.permissions.IsAuthenticated",
        "core.api.permissions.TokenScope",
    ],
    "DEFAULT_SCHEMA_CLASS": "core.api.schema.ApiAutoSchema",
    "DEFAULT_PAGINATION_CLASS": "core.api.pagination.ApiCursorPagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "core.api.exceptions.exception_handler",
    # Per token (else per person), at ECM_RATE_LIMITS["api"]; over it 429. Fails open without Redis.
    "DEFAULT_THROTTLE_CLASSES": ["core.api.throttling.TokenRateThrottle"],
}
SPECTACULAR_SETTINGS = {
    "TITLE": "ECM API",
    "DESCRIPTION": (
        "Enhanced Case Management for youth justice. Every endpoint is scoped by the access module: a token "
        "sees exactly what its person's pages show, and a record they may not see is a 404.\n\n"
        "Sign in with `Authorization: Bearer <token>` (an administrator issues tokens in Manage ECM > API "
        "tokens; read scope for GET, write scope for changes). Lists are cursor-paginated (`next`/`previous`). "
        "Reads of one record return an `ETag`; send it back in `If-Match` to change the record (412 if it "
        "changed meanwhile, 428 if missing). Every read and write is in the access log."
    ),
    "VERSION": "1",
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    # Swagger UI from the installed drf-spectacular-sidecar: the docs need no internet.
    "SWAGGER_UI_DIST": "SIDECAR",
    # No deep links: Swagger UI draws each one as a link inside the operation's button (axe: nested-interactive).
    "SWAGGER_UI_SETTINGS": {"deepLinking": False, "persistAuthorization": False, "displayOperationId": False},
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Several records have a `status` with their own values: each set named after its model's choices.
    "ENUM_NAME_OVERRIDES": {
        "CaseStatusEnum": "cases.models.CaseStatus",
        "ReferralStatusEnum": "referrals.models.ReferralStatus",
        "MeetingStatusEnum": "formulation.models.MeetingStatus",
        "ReportStatusEnum": "formulation.models.ReportStatus",
        "ActionStatusEnum": "formulation.models.ActionStatus",
        "ReviewStatusEnum": "reviews.models.ReviewStatus",
        "GoalStatusEnum": "trm_stages.models.GoalStatus",
        "ConsentAnswerEnum": "referrals.models.ConsentAnswer",
    },
}

GUARDIAN_RAISE_403 = False
ANONYMOUS_USER_NAME = None  # no guardian anonymous user: nobody signed out sees anything

# Change history is kept by database triggers; requests that write attach who made the change.
PGHISTORY_MIDDLEWARE_METHODS = ("POST", "PUT", "PATCH", "DELETE")
PGHISTORY_APPEND_ONLY = True

EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.smtp.EmailBackend")
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="ECM <ecm@example.invalid>")
EMAIL_URL = env.str("EMAIL_URL", default="")
if EMAIL_URL:
    vars().update(env.email_url("EMAIL_URL"))

# Celery: JSON only, late acks with reject on worker lost (at-least-once: every task is idempotent).
# The queue in its own Redis database (compose: /1), so clearing the cache (/0) never drops a job.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL)
CELERY_RESULT_BACKEND = env.str("CELERY_RESULT_BACKEND", default=CELERY_BROKER_URL)
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=300)
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=240)
CELERY_RESULT_EXPIRES = timedelta(days=1)
CELERY_BROKER_TRANSPORT_OPTIONS = {
    # A message taken by a worker that then vanished (killed, machine lost) is delivered again after
    # this long: past the longest any task may run (its hard time limit), so a running task is never
    # delivered twice at once. PDF jobs don't wait for it: their own 40 s limit and the resend sweep
    # (every minute, core/documents/lifecycle.py) bring a lost one back within two minutes.
    "visibility_timeout": CELERY_TASK_TIME_LIMIT + 60,
    # Sending a job from a request gives up quickly when Redis is down (core/jobs.py): the job's row
    # is already written and the resend sweep sends it later.
    "socket_connect_timeout": REDIS_SOCKET_TIMEOUT_SECONDS,
    "socket_timeout": env.float("ECM_BROKER_SOCKET_TIMEOUT_SECONDS", default=5.0),
}
CELERY_BROKER_CONNECTION_TIMEOUT = 1.0
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.1, "interval_max": 0.1}
CELERY_REDIS_SOCKET_CONNECT_TIMEOUT = REDIS_SOCKET_TIMEOUT_SECONDS
CELERY_REDIS_SOCKET_TIMEOUT = 5.0
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = TIME_ZONE
# The one beat schedule of the project: every periodic task is listed here.
CELERY_BEAT_SCHEDULE = {
    "heartbeat": {"task": "accounts.tasks.heartbeat", "schedule": 30.0},
    # Reminders (reviews/reminders.py): the sweep writes due reminders down, delivery sends them once.
    "reminders-sweep": {"task": "reviews.tasks.reminders_sweep", "schedule": 15 * 60.0},
    "reminders-deliver": {"task": "reviews.tasks.reminders_deliver", "schedule": 60.0},
    # PDF jobs of every kind (core/documents/) whose message was lost (Redis down when it was sent) or
    # whose worker died mid-render are sent again: every minute, core.documents.lifecycle.RESEND_EVERY_SECONDS.
    "documents-resend": {"task": "core.documents.documents_resend_stale", "schedule": 60.0},
    # Virus checks of uploaded case documents whose message or worker was lost are sent again (case_documents/tasks.py).
    "case-documents-scan-resend": {"task": "case_documents.versions_resend_stale", "schedule": 60.0},
    # The day's first dashboards (reporting/prepare.py), kept before the working day: every ten minutes from 05:00
    # to 06:50, each run going on from where the last stopped.
    "reports-prepare": {"task": "reporting.tasks.reports_prepare", "schedule": crontab(minute="*/10", hour="5-6")},
    # Retention (data_rights/retention.py): on the 1st of each month at 06:00, the closed cases due for
    # review are written down as RetentionReview rows and senior practitioners are notified.
    "retention-reviews-list": {
        "task": "data_rights.tasks.retention_reviews_list",
        "schedule": crontab(minute="0", hour="6", day_of_month="1"),
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"axes": {"level": "WARNING"}, "weasyprint": {"level": "WARNING"}, "fontTools": {"level": "WARNING"}},
}

# How long /health/ waits for Celery workers to answer its ping (test settings shorten it).
HEALTH_WORKER_PING_SECONDS = env.float("ECM_HEALTH_WORKER_PING_SECONDS", default=1.0)
# Where ECM is served, for links in e-mails (no trailing slash).
ECM_BASE_URL = env.str("ECM_BASE_URL", default="http://127.0.0.1:8000")

# Reminders and notifications (reviews/reminders/, sources registered in core/reminders.py). Working days are
# Monday to Friday; bank holidays are not counted out.
ECM_REMINDERS = {
    # A referral waiting for triage longer than this many working days reminds the covering team.
    "TRIAGE_WAIT_WORKING_DAYS": env.int("ECM_REMINDER_TRIAGE_WAIT_WORKING_DAYS", default=10),
    # Days before a review's due date that the case holder and the case's clinicians are reminded.
    "REVIEW_DUE_SOON_DAYS": env.int("ECM_REMINDER_REVIEW_DUE_SOON_DAYS", default=7),
    # Days before an action's due date that its owner is reminded.
    "ACTION_DUE_SOON_DAYS": env.int("ECM_REMINDER_ACTION_DUE_SOON_DAYS", default=7),
    # Working days after the formulation meeting by which its report should be signed off.
    "REPORT_SIGN_OFF_WORKING_DAYS": env.int("ECM_REMINDER_REPORT_SIGN_OFF_WORKING_DAYS", default=15),
    # The weekday of the weekly digest: 0 is Monday, 6 is Sunday.
    "DIGEST_WEEKDAY": env.int("ECM_REMINDER_DIGEST_WEEKDAY", default=0),
    # A reminder whose delivery fails waits 60 s, then twice as long each time (at most an hour),
    # and after this many attempts is delivered in ECM only, without the e-mail.
    "MAX_ATTEMPTS": 6,
    "RETRY_BACKOFF_SECONDS": 60,
    "RETRY_BACKOFF_MAX_SECONDS": 3600,
    # One delivery run stops after this long and leaves the rest to the next run (beat: every minute).
    "DELIVERY_SECONDS": 120,
}

# Retention (data_rights/retention.py): a closed case is due for review `closed_case_years` after it closed; if it
# has a formulation report (a psychology report), not before the child's `report_until_age` birthday nor before
# `report_years_after_last_contact` years after the case's last contact, whichever is latest.
ECM_RETENTION = {
    "closed_case_years": env.int("ECM_RETENTION_CLOSED_CASE_YEARS", default=6),
    "report_until_age": env.int("ECM_RETENTION_REPORT_UNTIL_AGE", default=25),
    "report_years_after_last_contact": env.int("ECM_RETENTION_REPORT_YEARS_AFTER_LAST_CONTACT", default=8),
}

# Transfers between services (cases/services/transfers.py): after a case moves, the service that held it reads
# what it wrote for this many days (cases/access/former.py).
ECM_TRANSFER_READ_DAYS = env.int("ECM_TRANSFER_READ_DAYS", default=90)

# Sign-in with an agency's own identity provider (OpenID Connect, mozilla-django-oidc), one entry per
# provider keyed by a slug; every key is described in .env.example. Empty: no "Sign in with" buttons.
# Checked here so a wrong configuration stops the app at start-up with a clear message.
_oidc_providers_json = env.str("ECM_OIDC_PROVIDERS", default="").strip()
try:
    ECM_OIDC_PROVIDERS: dict[str, dict[str, object]] = json.loads(_oidc_providers_json or "{}")
except ValueError as error:
    raise ImproperlyConfigured(f"ECM_OIDC_PROVIDERS is not valid JSON: {error}") from error
oidc_providers_parse(ECM_OIDC_PROVIDERS)
# What mozilla-django-oidc shares between providers (the per-provider values come from the entry).
OIDC_CREATE_USER = False  # people are invited first; an identity provider never creates an account
OIDC_RP_SCOPES = "openid email"
OIDC_USE_NONCE = True
OIDC_USE_PKCE = True
OIDC_AUTHENTICATION_CALLBACK_URL = "accounts:oidc_callback"
OIDC_TIMEOUT = 10  # seconds for each call to a provider
OIDC_STORE_ACCESS_TOKEN = False
OIDC_STORE_ID_TOKEN = False
# Lockout counts for a refused provider answer go against its e-mail address, not one shared blank.
AXES_USERNAME_CALLABLE = "accounts.oidc.axes_username"
