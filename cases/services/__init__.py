"""Writes for children and cases. Every write runs in one transaction with its chronology line;
change history is kept by the database triggers (accounts.history).

records: the child and the case itself; network: who works with the child and who sees the summary;
contacts: contacts, corrections and consultations; rectification: correcting a mistake in the child's details.
"""

from cases.services.chronology import contact_mark_significant, event_mark_significant
from cases.services.contacts import consultation_log, contact_correct, contact_log
from cases.services.network import (
    case_share_summary,
    case_unshare_summary,
    leaver_case_access_end,
    network_member_add,
    network_member_remove,
    network_member_set_sharing,
)
from cases.services.records import (
    CHILD_FIELDS,
    CLOSED_MESSAGE,
    NETWORK_ROLES,
    SUMMARY_PERMISSION,
    StaleState,
    case_child_update,
    case_close,
    case_event_add,
    case_holder_change,
    case_open,
    case_reopen,
    child_create,
    child_update,
    ensure_open,
)
from cases.services.rectification import child_rectify

__all__ = [
    "CHILD_FIELDS",
    "CLOSED_MESSAGE",
    "NETWORK_ROLES",
    "SUMMARY_PERMISSION",
    "StaleState",
    "case_child_update",
    "case_close",
    "case_event_add",
    "case_holder_change",
    "case_open",
    "case_reopen",
    "case_share_summary",
    "case_unshare_summary",
    "child_create",
    "child_rectify",
    "child_update",
    "consultation_log",
    "contact_correct",
    "contact_log",
    "contact_mark_significant",
    "ensure_open",
    "event_mark_significant",
    "leaver_case_access_end",
    "network_member_add",
    "network_member_remove",
    "network_member_set_sharing",
]
