from django.urls import path

from cases import views

app_name = "cases"

urlpatterns = [
    path("", views.case_list_view, name="list"),
    path("<int:case_id>/", views.case_detail, name="detail"),
    path("<int:case_id>/access-log/", views.case_access_log, name="case_access_log"),
    path("access-log/", views.access_log, name="access_log"),
]
