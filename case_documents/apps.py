from django.apps import AppConfig


class CaseDocumentsConfig(AppConfig):
    name = "case_documents"
    verbose_name = "Documents on the case"

    def ready(self) -> None:
        from case_documents.case_page import register_section

        register_section()
