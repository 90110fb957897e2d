"""What ``make loadtest``'s gunicorn runs with: the development settings, DEBUG off, the bench URLconf.

The database, Redis and SECRET_KEY come from the environment the command gives gunicorn (the
command's own, so the sessions it writes are valid here).
"""

from config.settings.dev import *  # noqa: F403

DEBUG = False
ROOT_URLCONF = "devtools.loadtest.urls"
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
# Each person's session is shared by several simulated users, so the per-person rate limits would
# measure the limiter, not the app: lifted here (ECM_RATE_LIMITS holds the production defaults).
ECM_RATE_LIMITS = {scope: "100000/m" for scope in ECM_RATE_LIMITS}  # noqa: F405
