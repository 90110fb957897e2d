"""The REST API's URLs, under /api/v1/: each app's endpoints are in its `api.py`.

Every URL here needs rows in the authorization matrix, like the pages'.
"""

from django.urls import path

import config.converters  # noqa: F401 - registers <id:...>, the path converter for record ids
from cases import api as cases_api

urlpatterns = [
    path("cases/", cases_api.CaseListApi.as_view(), name="api-case-list"),
    path("cases/<id:case_id>/", cases_api.CaseDetailApi.as_view(), name="api-case-detail"),
]
