"""URLs of the formulation app. Each one needs rows in tests/authz/ (see tests/test_authorization_matrix.py)."""

from django.urls import path  # noqa: F401

app_name = "formulation"

urlpatterns: list = []
