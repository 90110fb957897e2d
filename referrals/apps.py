from django.apps import AppConfig


class ReferralsConfig(AppConfig):
    name = "referrals"

    def ready(self) -> None:
        from core.reminders import register_digest_source, register_reminder_source
        from referrals.reminders import ReferralAwaitingTriage, ReferralsAwaitingYourTriage

        register_reminder_source(ReferralAwaitingTriage(), order=10)
        register_digest_source("triage", ReferralsAwaitingYourTriage(), order=10)

        from accounts.models import CLINICIAN_ROLES, Role
        from config.navigation import NavEntry, any_of, register

        register(NavEntry("My referrals", "referrals:mine", 20, any_of(Role.CASE_MANAGER)))
        register(NavEntry("Triage queue", "referrals:triage_queue", 40, any_of(CLINICIAN_ROLES)))
