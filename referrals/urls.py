from django.urls import path  # noqa: F401 - patterns are added by the referral pages

app_name = "referrals"

urlpatterns: list = []
