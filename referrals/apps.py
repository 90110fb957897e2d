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

        from cases.sections import DETAILS, CaseSection
        from cases.sections import register as register_section
        from referrals.consent_page import consent_section_context

        # Consent over time (issue 17): the history and its forms, on the case's Details page.
        register_section(
            CaseSection("consent", 50, "referrals/includes/consent_section.html", consent_section_context, page=DETAILS)
        )
