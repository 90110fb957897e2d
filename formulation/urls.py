"""URLs of the formulation app. Each one needs rows in tests/authz/ (see tests/test_authorization_matrix.py)."""

from django.urls import path

import config.converters  # noqa: F401 - registers <id:...>, the path converter for record ids
from formulation import document_views
from formulation.views import meetings, report_editing, report_review, reports

app_name = "formulation"

MEETING = "cases/<id:case_id>/meetings/<id:meeting_id>/"
FORMULATION_REPORTS = "cases/<id:case_id>/formulation/"
FORMULATION_REPORT = "cases/<id:case_id>/formulation/<id:report_id>/"
RECOMMENDATION = f"{FORMULATION_REPORT}recommendations/<id:recommendation_id>/"

urlpatterns = [
    path("meetings/", meetings.my_meetings, name="my_meetings"),
    path("cases/<id:case_id>/meetings/", meetings.case_meetings, name="case_meetings"),
    path("cases/<id:case_id>/meetings/new/", meetings.meeting_schedule, name="meeting_schedule"),
    path(MEETING, meetings.meeting_detail, name="meeting_detail"),
    path(f"{MEETING}meeting.ics", meetings.meeting_ics, name="meeting_ics"),
    path(f"{MEETING}change/", meetings.meeting_change, name="meeting_change"),
    path(f"{MEETING}invite/", meetings.meeting_invite, name="meeting_invite"),
    path(f"{MEETING}invitations/<id:invitation_id>/withdraw/", meetings.invitation_remove, name="invitation_remove"),
    path(f"{MEETING}cancel/", meetings.meeting_cancel, name="meeting_cancel"),
    path(f"{MEETING}attendance/", meetings.meeting_record, name="meeting_record"),
    path(f"{MEETING}send-again/", meetings.meeting_resend, name="meeting_resend"),
    # Report documents: the PDFs of a signed-off report (formulation/document_views.py).
    path(
        "cases/<id:case_id>/formulation/<id:report_id>/documents/",
        document_views.report_documents,
        name="report_documents",
    ),
    path(
        "cases/<id:case_id>/formulation/<id:report_id>/documents/<slug:kind>/status/",
        document_views.report_document_status,
        name="report_document_status",
    ),
    path(
        "cases/<id:case_id>/formulation/<id:report_id>/documents/<slug:kind>/download/",
        document_views.report_document_download,
        name="report_document_download",
    ),
    path(
        "cases/<id:case_id>/formulation/<id:report_id>/documents/<slug:kind>/retry/",
        document_views.report_document_retry,
        name="report_document_retry",
    ),
    # Formulation reports
    path(FORMULATION_REPORTS, reports.report_list, name="report_list"),
    path(f"{FORMULATION_REPORTS}start/", reports.report_start, name="report_start"),
    path(f"{FORMULATION_REPORTS}changes/", reports.report_changes, name="report_changes"),
    path(FORMULATION_REPORT, reports.report_detail, name="report_detail"),
    path(f"{FORMULATION_REPORT}edit/", report_editing.report_edit, name="report_edit"),
    path(f"{FORMULATION_REPORT}autosave/", report_editing.report_autosave, name="report_autosave"),
    path(f"{FORMULATION_REPORT}for-the-child/", reports.report_child_summary, name="report_child_summary"),
    path(f"{FORMULATION_REPORT}submit/", report_review.report_submit, name="report_submit"),
    path(f"{FORMULATION_REPORT}comment/", report_review.report_comment, name="report_comment"),
    path(
        f"{FORMULATION_REPORT}comments/<id:comment_id>/resolve/",
        report_review.report_comment_resolve,
        name="report_comment_resolve",
    ),
    path(f"{FORMULATION_REPORT}sign-off/", report_review.report_sign_off, name="report_sign_off"),
    path(f"{FORMULATION_REPORT}recommendations/add/", report_editing.recommendation_add, name="recommendation_add"),
    path(RECOMMENDATION, report_editing.recommendation_change, name="recommendation_change"),
    path(f"{RECOMMENDATION}remove/", report_editing.recommendation_remove, name="recommendation_remove"),
]
