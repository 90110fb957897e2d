"""What ``make loadtest``'s gunicorn runs with: the development settings, DEBUG off, the bench URLconf.

The database, Redis and SECRET_KEY come from the environment the command gives gunicorn (the
command's own, so the sessions it writes are valid here).
"""

from config.settings.dev import *  # noqa: F403

DEBUG = False
ROOT_URLCONF = "devtools.loadtest.urls"
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
