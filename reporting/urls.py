from django.urls import path

import config.converters  # noqa: F401 - registers <id:...>, the path converter for record ids
from reporting import download_views, manage_views, views

app_name = "reporting"

urlpatterns = [
    path("reports/", views.dashboard, name="dashboard"),
    # The figures as one tidy table (a row per figure), and as on screen (the page's tables one after another).
    path("reports/figures.csv", views.figures_csv, name="figures_csv"),
    path("reports/figures-as-shown.csv", download_views.figures_as_shown_csv, name="figures_as_shown_csv"),
    path("reports/summaries/", views.summary_request, name="summary_request"),
    path("reports/summaries/<id:document_id>/status/", views.summary_status, name="summary_status"),
    path("reports/summaries/<id:document_id>/download/", views.summary_download, name="summary_download"),
    path("reports/summaries/<id:document_id>/retry/", views.summary_retry, name="summary_retry"),
    # Commissioning, in the administration area (/manage/): the landing page's link is registered in apps.py.
    path("manage/commissioning/", manage_views.commissioning, name="commissioning"),
    path(
        "manage/commissioning/<id:commissioning_id>/remove/",
        manage_views.commissioning_remove,
        name="commissioning_remove",
    ),
]
