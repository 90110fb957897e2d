"""Every URL of the project. Each one needs rows in tests/test_authorization_matrix.py."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView

import config.converters  # noqa: F401 - registers <id:...>, the path converter for record ids
from config import views
from core.api.docs import api_docs

urlpatterns = [
    path("", views.home, name="home"),
    path("health/", views.health, name="health"),
    path("accounts/", include("accounts.urls")),
    path("cases/", include("cases.urls")),
    # Documents uploaded to a case: /cases/<id>/documents/...
    path("cases/", include("case_documents.urls")),
    # The administration area (people, agencies, coverage); commissioning's pages are in reporting's URLs.
    path("manage/", include("cases.manage_urls")),
    path("referrals/", include("referrals.urls")),
    # TRM pages (stage assessments, THRIVE grouping, goals, reference data); full paths are in the app.
    path("", include("trm_stages.urls")),
    # Formulation meetings, reports and recommendations; full paths are in the app.
    path("", include("formulation.urls")),
    # Notifications, e-mail preferences (and later reviews); full paths are in the app.
    path("", include("reviews.urls")),
    path("", include("reporting.urls")),
    # Subject access requests (senior practitioners and service administrators).
    path("data-rights/", include("data_rights.urls")),
    # The REST API: config/api_urls.py gathers each app's api.py.
    path("api/v1/", include("config.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # Interactive docs (Swagger UI from drf-spectacular-sidecar, its script served apart for the CSP).
    path("api/docs/", api_docs, name="api-docs"),
]

# Error pages rendered without the database or the session (config/errors.py).
handler400 = "config.errors.bad_request"
handler500 = "config.errors.server_error"
