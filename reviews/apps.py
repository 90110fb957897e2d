from django.apps import AppConfig


class ReviewsConfig(AppConfig):
    name = "reviews"

    def ready(self) -> None:
        from cases.sections import CaseSection, register
        from reviews.selectors import review_section_context

        register(CaseSection("reviews", 35, "reviews/includes/case_reviews.html", review_section_context))
