"""URLs of the trm_stages app. Each one needs rows in tests/authz/ (see tests/test_authorization_matrix.py)."""

from django.urls import path  # noqa: F401

app_name = "trm_stages"

urlpatterns: list = []
