"""Locust users of every role walking their journeys (started by ``manage.py loadtest``, not by hand).

Runs in locust's own process (gevent), without Django: everything it needs is in the plan file
the command writes (devtools/loadtest/plan.py) and names in ECM_LOADTEST_PLAN: each role's people,
their signed-in session cookies and the pages of their journey. Each locust user takes the next
person of its role and a session of its own, then walks the journey round and round, from a random
starting point, waiting between pages as a person reading them would. Anything but a 200 (a
redirect to sign-in included) is a failure. Requests are named "<role>: <page>", so locust's
figures are per journey step.
"""

from __future__ import annotations

import itertools
import json
import os
import random
from typing import Any

from locust import between, task
from locust.contrib.fasthttp import FastHttpUser

PLAN_VARIABLE = "ECM_LOADTEST_PLAN"

_path = os.environ.get(PLAN_VARIABLE)
if not _path:
    raise RuntimeError(f"{PLAN_VARIABLE} is not set: run this through `manage.py loadtest` (make loadtest)")
with open(_path, encoding="utf-8") as _file:
    PLAN: dict[str, Any] = json.load(_file)

_counters: dict[str, itertools.count[int]] = {role: itertools.count() for role in PLAN["roles"]}


class RoleUser(FastHttpUser):
    abstract = True
    role = ""
    wait_time = between(*PLAN["wait"])

    def on_start(self) -> None:
        personas = PLAN["roles"][self.role]
        number = next(_counters[self.role])
        persona = personas[number % len(personas)]
        cookies = persona["cookies"]
        self.cookie = f"{PLAN['cookie_name']}={cookies[(number // len(personas)) % len(cookies)]}"
        self.steps: list[dict[str, Any]] = persona["steps"]
        self.position = random.randrange(len(self.steps))  # noqa: S311 - not security
        self.label = PLAN["labels"][self.role]

    @task
    def next_page(self) -> None:
        step = self.steps[self.position % len(self.steps)]
        self.position += 1
        url = random.choice(step["urls"])  # noqa: S311 - not security
        with self.client.get(
            url,
            name=f"{self.label}: {step['name']}",
            headers={"Cookie": self.cookie, "User-Agent": "ECM loadtest (locust)"},
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code != 200:
                response.failure(f"answered {response.status_code}")


class CaseManager(RoleUser):
    role = "case_manager"


class Psychologist(RoleUser):
    role = "psychologist"


class SeniorPractitioner(RoleUser):
    role = "senior_practitioner"


class Partner(RoleUser):
    role = "partner"


class Commissioner(RoleUser):
    role = "commissioner"


class Administrator(RoleUser):
    role = "administrator"
