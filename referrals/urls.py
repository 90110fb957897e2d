from django.urls import path

import config.converters  # noqa: F401 - registers <id:...>, the path converter for record ids
from referrals import consent_views, triage_views, views

app_name = "referrals"

urlpatterns = [
    path("", views.my_referrals, name="mine"),
    path("new/", views.referral_start_view, name="start"),
    path("triage/", triage_views.triage_queue_view, name="triage_queue"),
    path("<id:referral_id>/", views.referral_detail, name="detail"),
    path("<id:referral_id>/check/", views.referral_check, name="check"),
    path("<id:referral_id>/submit/", views.referral_submit_view, name="submit"),
    path("<id:referral_id>/autosave/", views.referral_autosave, name="autosave"),
    path("<id:referral_id>/consent-override/", triage_views.referral_consent_override, name="consent_override"),
    path("<id:referral_id>/decision/", triage_views.referral_triage_view, name="triage"),
    # Consent over time, on a case (issue 17): the Consent panel of the case's Details page.
    path("cases/<id:case_id>/consent/record/", consent_views.consent_record_view, name="consent_record"),
    path("cases/<id:case_id>/consent/withdraw/", consent_views.consent_withdraw_view, name="consent_withdraw"),
    path(
        "cases/<id:case_id>/consent/lawful-basis/", consent_views.consent_lawful_basis_view, name="consent_lawful_basis"
    ),
    path("<id:referral_id>/<slug:section>/", views.referral_section, name="section"),
]
