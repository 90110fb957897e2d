"""The bench URLconf (the whole project, the floor B pages, the admin changelists), with the floors'
rows filled in at import from the bench data the command hands gunicorn (ECM_LOADTEST_BENCH_DATA).

A gunicorn worker imports this on its first request, so both workers have the floors before any
floor is asked for.
"""

import os

from devtools.bench.dataset import BenchData
from devtools.bench.pages import pages_and_floors
from devtools.bench.urls import handler400, handler500, urlpatterns

BENCH_DATA_VARIABLE = "ECM_LOADTEST_BENCH_DATA"

_data = BenchData.from_json(os.environ.get(BENCH_DATA_VARIABLE, ""))
if _data is not None:
    pages_and_floors(_data)

__all__ = ["handler400", "handler500", "urlpatterns"]
