"""URLs of the formulation app. Each one needs rows in tests/authz/ (see tests/test_authorization_matrix.py)."""

from django.urls import path

from formulation import views

app_name = "formulation"

MEETING = "cases/<int:case_id>/meetings/<int:meeting_id>/"

urlpatterns = [
    path("meetings/", views.my_meetings, name="my_meetings"),
    path("cases/<int:case_id>/meetings/", views.case_meetings, name="case_meetings"),
    path("cases/<int:case_id>/meetings/new/", views.meeting_schedule, name="meeting_schedule"),
    path(MEETING, views.meeting_detail, name="meeting_detail"),
    path(f"{MEETING}meeting.ics", views.meeting_ics, name="meeting_ics"),
    path(f"{MEETING}change/", views.meeting_change, name="meeting_change"),
    path(f"{MEETING}invite/", views.meeting_invite, name="meeting_invite"),
    path(f"{MEETING}invitations/<int:invitation_id>/withdraw/", views.invitation_remove, name="invitation_remove"),
    path(f"{MEETING}cancel/", views.meeting_cancel, name="meeting_cancel"),
    path(f"{MEETING}attendance/", views.meeting_record, name="meeting_record"),
    path(f"{MEETING}send-again/", views.meeting_resend, name="meeting_resend"),
]
