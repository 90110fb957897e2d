"""URLs of the trm_stages app. Each one needs rows in tests/authz/trm.py (see tests/test_authorization_matrix.py)."""

from django.urls import path

import config.converters  # noqa: F401 - registers <id:...>, the path converter for record ids
from trm_stages import outcome_views, views

app_name = "trm_stages"

urlpatterns = [
    path("cases/<id:case_id>/stage/", views.stage_history, name="stage_history"),
    path("cases/<id:case_id>/stage/record/", views.assessment_add, name="assessment_add"),
    path("cases/<id:case_id>/stage/<id:assessment_id>/", views.assessment_detail, name="assessment_detail"),
    path("trm/", views.reference, name="reference"),
    path("trm/publish/", views.reference_publish, name="reference_publish"),
]

# THRIVE grouping and goals
urlpatterns += [
    path("cases/<id:case_id>/thrive/", outcome_views.thrive, name="thrive"),
    path("cases/<id:case_id>/thrive/set/", outcome_views.thrive_set, name="thrive_set"),
    path("cases/<id:case_id>/goals/", outcome_views.goals, name="goals"),
    path("cases/<id:case_id>/goals/add/", outcome_views.goal_add, name="goal_add"),
    path("cases/<id:case_id>/goals/<id:goal_id>/rate/", outcome_views.goal_rate, name="goal_rate"),
    path("cases/<id:case_id>/goals/<id:goal_id>/close/", outcome_views.goal_close, name="goal_close"),
]
