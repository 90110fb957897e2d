"""The case's Documents pages (mounted under /cases/ in config/urls.py). Rows: tests/authz/case_documents.py."""

from django.urls import path

import config.converters  # noqa: F401 - registers <id:...>, the path converter for record ids
from case_documents import views

app_name = "case_documents"

urlpatterns = [
    path("<id:case_id>/documents/", views.document_list, name="list"),
    path("<id:case_id>/documents/upload/", views.document_upload, name="upload"),
    path("<id:case_id>/documents/<id:document_id>/", views.document_detail, name="detail"),
    path("<id:case_id>/documents/<id:document_id>/new-version/", views.document_replace, name="replace"),
    path(
        "<id:case_id>/documents/<id:document_id>/versions/<id:version_id>/download/",
        views.version_download,
        name="download",
    ),
]
