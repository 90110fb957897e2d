"""URLs of the trm_stages app. Each one needs rows in tests/authz/trm.py (see tests/test_authorization_matrix.py)."""

from django.urls import path

import config.converters  # noqa: F401 - registers <id:...>, the path converter for record ids
from trm_stages.views import outcomes, stages

app_name = "trm_stages"

urlpatterns = [
    path("cases/<id:case_id>/stage/", stages.stage_history, name="stage_history"),
    path("cases/<id:case_id>/stage/record/", stages.assessment_add, name="assessment_add"),
    path("cases/<id:case_id>/stage/<id:assessment_id>/", stages.assessment_detail, name="assessment_detail"),
    path("trm/", stages.reference, name="reference"),
    path("trm/publish/", stages.reference_publish, name="reference_publish"),
]

# THRIVE grouping and goals
urlpatterns += [
    path("cases/<id:case_id>/thrive/", outcomes.thrive, name="thrive"),
    path("cases/<id:case_id>/thrive/set/", outcomes.thrive_set, name="thrive_set"),
    path("cases/<id:case_id>/goals/", outcomes.goals, name="goals"),
    path("cases/<id:case_id>/goals/add/", outcomes.goal_add, name="goal_add"),
    path("cases/<id:case_id>/goals/<id:goal_id>/rate/", outcomes.goal_rate, name="goal_rate"),
    path("cases/<id:case_id>/goals/<id:goal_id>/close/", outcomes.goal_close, name="goal_close"),
]
