"""The named cast every test uses (CONVENTIONS.md section 6): who is who. tests/conftest.py's `cast` fixture
makes it; it lives here, below tests.factories, so that factories and helpers can name it without importing
the conftest that builds on them."""

from __future__ import annotations

from dataclasses import dataclass

from accounts.models import Agency, User
from cases.models import Case


@dataclass
class Cast:
    bristol: Agency
    banes: Agency
    ecm_team: Agency
    school: Agency
    social_care: Agency
    commissioning: Agency
    case_manager: User  # Bristol YJS, holds the case
    colleague: User  # Bristol YJS, same service, does not hold it
    banes_case_manager: User  # BANES YJS: must see nothing of Bristol's cases
    psychologist: User  # covers Bristol
    senior_practitioner: User  # covers Bristol
    teacher: User  # designated teacher at a school, in the case's network
    social_worker: User  # a partner who is NOT in the network
    commissioner: User
    administrator: User  # service administrator
    agency_administrator: User  # Bristol YJS's agency administrator: Bristol's people only, no case content
    case: Case  # Bristol's case, held by case_manager, summary shared with the teacher

    def everyone(self) -> dict[str, User]:
        return {
            "case_manager": self.case_manager,
            "colleague": self.colleague,
            "banes_case_manager": self.banes_case_manager,
            "psychologist": self.psychologist,
            "senior_practitioner": self.senior_practitioner,
            "teacher": self.teacher,
            "social_worker": self.social_worker,
            "commissioner": self.commissioner,
            "administrator": self.administrator,
            "agency_administrator": self.agency_administrator,
        }
