from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "cases"

    def ready(self) -> None:
        from accounts.leavers import register_leaver_step
        from cases.leaver_work import CASES_HELD, register_work_kind
        from cases.services import leaver_case_access_end

        register_leaver_step("cases: case access ended", leaver_case_access_end)
        register_work_kind(CASES_HELD)
