"""Settings for the beats and worker that tests/faults/test_two_beats.py starts as subprocesses.

The test settings (test database from DATABASE_URL, broker from TEST_REDIS_URL), with e-mail from
the environment (the file backend, so the test can count what was sent) and a beat schedule of
seconds instead of minutes, holding only the reminder tasks. Tests only: production's schedule is
config/settings/base.py's, unchanged.
"""

from config.settings.test import *  # noqa: F403
from config.settings.test import env

EMAIL_BACKEND = env.str("EMAIL_BACKEND")
EMAIL_FILE_PATH = env.str("EMAIL_FILE_PATH")
CELERY_BEAT_SCHEDULE = {
    "reminders-sweep": {"task": "reviews.tasks.reminders_sweep", "schedule": 2.0},
    "reminders-deliver": {"task": "reviews.tasks.reminders_deliver", "schedule": 1.0},
}
