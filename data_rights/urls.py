from django.urls import path

from data_rights import retention_views, views

app_name = "data_rights"

urlpatterns = [
    path("subject-access/", views.sar_list, name="sar_list"),
    path("subject-access/new/", views.sar_find, name="sar_find"),
    path("subject-access/new/<id:child_id>/", views.sar_start, name="sar_start"),
    path("subject-access/<id:sar_id>/", views.sar_detail, name="sar_detail"),
    path("subject-access/<id:sar_id>/pack.json", views.sar_json, name="sar_json"),
    path("subject-access/<id:sar_id>/pdf/status/", views.sar_pdf_status, name="sar_pdf_status"),
    path("subject-access/<id:sar_id>/pdf/download/", views.sar_pdf_download, name="sar_pdf_download"),
    path("subject-access/<id:sar_id>/pdf/retry/", views.sar_pdf_retry, name="sar_pdf_retry"),
    path("subject-access/<id:sar_id>/respond/", views.sar_respond, name="sar_respond"),
    path("retention/", retention_views.retention_list, name="retention_list"),
    path("retention/<id:retention_id>/", retention_views.retention_detail, name="retention_detail"),
    path("retention/<id:retention_id>/keep/", retention_views.retention_keep, name="retention_keep"),
    path("retention/<id:retention_id>/hold/", retention_views.retention_hold, name="retention_hold"),
    path("retention/<id:retention_id>/anonymise/", retention_views.retention_anonymise, name="retention_anonymise"),
]
