"""Input parsing and validation messages for the case pages. Forms never save: services do.

Callers use this package's names (`from cases.forms import ContactForm`); the modules split it by subject."""

from cases.forms.case import (
    YES_NO,
    CaseCloseForm,
    CaseHolderForm,
    CaseListFilterForm,
    CaseReopenForm,
    CaseSearchForm,
    ChildCorrectionForm,
    ChildDetailsForm,
    ContactFrequencyForm,
    WorkReassignForm,
)
from cases.forms.network import (
    NetworkMemberForm,
    NetworkPersonForm,
    NetworkSearchForm,
    NetworkSharingForm,
)
from cases.forms.records import (
    ChronologyFilterForm,
    ConsultationForm,
    ContactCorrectionForm,
    ContactForm,
)

__all__ = [
    "CaseCloseForm",
    "CaseHolderForm",
    "CaseListFilterForm",
    "CaseReopenForm",
    "CaseSearchForm",
    "ChildCorrectionForm",
    "ChildDetailsForm",
    "ChronologyFilterForm",
    "ConsultationForm",
    "ContactCorrectionForm",
    "ContactForm",
    "ContactFrequencyForm",
    "NetworkMemberForm",
    "NetworkPersonForm",
    "NetworkSearchForm",
    "NetworkSharingForm",
    "WorkReassignForm",
    "YES_NO",
]
