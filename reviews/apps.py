from django.apps import AppConfig


class ReviewsConfig(AppConfig):
    name = "reviews"

    def ready(self) -> None:
        from cases.leaver_work import register_work_kind
        from cases.sections import MEETINGS, CaseSection, register
        from reviews.case_page import review_glance, review_section_context, review_section_facts
        from reviews.leaver_work import ACTIONS_OWNED
        from reviews.reminders import sources

        register_work_kind(ACTIONS_OWNED)

        from cases.list_facts import register_list_fact
        from reviews.caseload import NEXT_REVIEW, OVERDUE_ACTIONS

        register_list_fact(NEXT_REVIEW)  # the caseload's "next review" and "overdue actions" columns
        register_list_fact(OVERDUE_ACTIONS)

        from core.person_facts import register_person_fact
        from reviews.notifications import UNREAD_FACT

        register_person_fact(UNREAD_FACT)  # the header's unread count, read with the person's other facts

        register(
            CaseSection(
                "reviews",
                35,
                "reviews/includes/case_reviews.html",
                review_section_context,
                review_section_facts,
                page=MEETINGS,
                glance=review_glance,
            )
        )

        from core.documents.registry import register_document_kind
        from reviews.documents import REVIEW_RECORD_KIND

        register_document_kind(REVIEW_RECORD_KIND)  # the review record's PDF, made by the document pipeline
        sources.register()

        from accounts.models import CLINICIAN_ROLES, Role
        from config.navigation import NavEntry, any_of
        from config.navigation import register as register_nav

        register_nav(
            NavEntry("My actions", "reviews:my_actions", 80, any_of(CLINICIAN_ROLES, Role.CASE_MANAGER, Role.PARTNER))
        )
