from django.urls import path

from data_rights import views

app_name = "data_rights"

urlpatterns = [
    path("", views.sar_list, name="sar_list"),
    path("new/", views.sar_find, name="sar_find"),
    path("new/<id:child_id>/", views.sar_start, name="sar_start"),
    path("<id:sar_id>/", views.sar_detail, name="sar_detail"),
    path("<id:sar_id>/pack.json", views.sar_json, name="sar_json"),
    path("<id:sar_id>/pdf/status/", views.sar_pdf_status, name="sar_pdf_status"),
    path("<id:sar_id>/pdf/download/", views.sar_pdf_download, name="sar_pdf_download"),
    path("<id:sar_id>/pdf/retry/", views.sar_pdf_retry, name="sar_pdf_retry"),
    path("<id:sar_id>/respond/", views.sar_respond, name="sar_respond"),
]
