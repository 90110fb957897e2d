"""The bench's URLconf: the whole project (config.urls) plus the floor pages and the admin changelists.

Used only while the bench runs (override_settings(ROOT_URLCONF="devtools.bench.urls")), so the
floors go through exactly the middleware the pages do.
"""

from config.urls import handler400, handler500
from config.urls import urlpatterns as project_urlpatterns
from devtools.bench.floors import bench_urlpatterns

urlpatterns = [*bench_urlpatterns(), *project_urlpatterns]

__all__ = ["handler400", "handler500", "urlpatterns"]
