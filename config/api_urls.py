"""The REST API's URLs, under /api/v1/: each app's endpoints are in its `api.py`.

Every URL here needs rows in the authorization matrix, like the pages'.
"""

from django.urls import path

import config.converters  # noqa: F401 - registers <id:...>, the path converter for record ids
from cases import api as cases_api
from referrals import api as referrals_api
from reviews import api_notifications

urlpatterns = [
    path("cases/", cases_api.CaseListApi.as_view(), name="api-case-list"),
    path("cases/<id:case_id>/", cases_api.CaseDetailApi.as_view(), name="api-case-detail"),
    path("children/", cases_api.ChildSearchApi.as_view(), name="api-child-search"),
    path("children/<id:child_id>/", cases_api.ChildDetailApi.as_view(), name="api-child-detail"),
    path("referrals/", referrals_api.ReferralListApi.as_view(), name="api-referral-list"),
    path("referrals/<id:referral_id>/", referrals_api.ReferralDetailApi.as_view(), name="api-referral-detail"),
    path("referrals/<id:referral_id>/submit/", referrals_api.ReferralSubmitApi.as_view(), name="api-referral-submit"),
    path("notifications/", api_notifications.NotificationListApi.as_view(), name="api-notification-list"),
    path(
        "notifications/<id:notification_id>/",
        api_notifications.NotificationDetailApi.as_view(),
        name="api-notification-detail",
    ),
    path(
        "notifications/<id:notification_id>/read/",
        api_notifications.NotificationReadApi.as_view(),
        name="api-notification-read",
    ),
]

# The rest of the record (issue 19): each on the same rules and services as its pages (tests/authz/api_record.py).
from cases import api_network, api_records  # noqa: E402
from formulation import api as formulation_api  # noqa: E402
from reporting import api as reporting_api  # noqa: E402
from reviews import api as reviews_api  # noqa: E402
from trm_stages import api as trm_api  # noqa: E402

CASE = "cases/<id:case_id>/"
urlpatterns += [
    path(f"{CASE}network/", api_network.CaseNetworkApi.as_view(), name="api-case-network"),
    path(f"{CASE}contacts/", api_records.ContactListApi.as_view(), name="api-case-contacts"),
    path(f"{CASE}contacts/<id:contact_id>/", api_records.ContactDetailApi.as_view(), name="api-case-contact"),
    path(
        f"{CASE}contacts/<id:contact_id>/corrections/",
        api_records.ContactCorrectionApi.as_view(),
        name="api-case-contact-corrections",
    ),
    path(f"{CASE}consultations/", api_records.ConsultationListApi.as_view(), name="api-case-consultations"),
    path(
        f"{CASE}consultations/<id:consultation_id>/",
        api_records.ConsultationDetailApi.as_view(),
        name="api-case-consultation",
    ),
    path(f"{CASE}meetings/", formulation_api.MeetingListApi.as_view(), name="api-case-meetings"),
    path(f"{CASE}meetings/<id:meeting_id>/", formulation_api.MeetingDetailApi.as_view(), name="api-case-meeting"),
    path(f"{CASE}formulation-reports/", formulation_api.ReportListApi.as_view(), name="api-case-reports"),
    path(
        f"{CASE}formulation-reports/<id:report_id>/",
        formulation_api.ReportDetailApi.as_view(),
        name="api-case-report",
    ),
    path(f"{CASE}actions/", reviews_api.CaseActionListApi.as_view(), name="api-case-actions"),
    path("actions/<id:action_id>/", reviews_api.ActionDetailApi.as_view(), name="api-action"),
    path("actions/<id:action_id>/progress/", reviews_api.ActionProgressApi.as_view(), name="api-action-progress"),
    path(f"{CASE}stage-assessments/", trm_api.StageAssessmentListApi.as_view(), name="api-case-stage-assessments"),
    path(
        f"{CASE}stage-assessments/<id:assessment_id>/",
        trm_api.StageAssessmentDetailApi.as_view(),
        name="api-case-stage-assessment",
    ),
    path(f"{CASE}goals/", trm_api.GoalListApi.as_view(), name="api-case-goals"),
    path(f"{CASE}reviews/", reviews_api.ReviewListApi.as_view(), name="api-case-reviews"),
    path(f"{CASE}reviews/<id:review_id>/", reviews_api.ReviewDetailApi.as_view(), name="api-case-review"),
    path("reports/figures/", reporting_api.FiguresApi.as_view(), name="api-report-figures"),
]
