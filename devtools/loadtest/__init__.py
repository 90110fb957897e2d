"""``make loadtest`` (``manage.py loadtest``): ECM under gunicorn, loaded over loopback.

- `settings` and `urls`: what the gunicorn serves: the development settings with DEBUG off and the
  bench URLconf (devtools/bench/urls.py), its floor B pages filled from the bench data at import;
- `plan`: the people of every role, their signed-in sessions (second factor given, written straight
  into the session store) and each role's journey, written to a JSON file the locustfile reads;
- `server`: starting and stopping gunicorn on a free loopback port, and a first request of every
  journey step;
- `throughput`: the caseload and its floor B, hammered in turn by the same concurrent connections;
- `locustfile` and `locust_run`: the mixed journeys of every role, headless and bounded, and the
  figures read from locust's CSV.
"""
