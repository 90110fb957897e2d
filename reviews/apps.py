from django.apps import AppConfig


class ReviewsConfig(AppConfig):
    name = "reviews"

    def ready(self) -> None:
        from cases.leaver_work import register_work_kind
        from cases.sections import CaseSection, register
        from reviews.leaver_work import ACTIONS_OWNED
        from reviews.selectors import review_section_context

        register_work_kind(ACTIONS_OWNED)

        register(CaseSection("reviews", 35, "reviews/includes/case_reviews.html", review_section_context))
