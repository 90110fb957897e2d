"""The access log in plain words: what a person did to a case, as a case's own log page says it.

One place turns an event's codes (action, record type, description, path) into a phrase such as
"viewed the contacts" or "saw this case in the caseload"; the page puts the person's name before it
and the time after it ("Priya Nandra viewed the contacts, 3 Dec 2026 10:04"). Codes never reach the page.
"""

from __future__ import annotations

import re

from accounts.audit import LIST_RECORD_TYPE
from accounts.models import AccessAction, AccessEvent

# Where each list page's event was written, as "saw this case ..." ends.
LIST_PLACES = {
    "home page": "on their home page",
    "caseload": "in the caseload",
    "search results": "in search results",
    "triage queue": "in the triage queue",
    "my actions": "in their list of actions",
    "my meetings": "in their list of meetings",
    "case list API": "in a list of cases through the API",
    "my referrals": "in their list of referrals",
    "subject access requests": "in the list of subject access requests",
}

# The part of a case's pages after /cases/<id>/ (or /cases/<id>/ under another app), as "the ...".
CASE_SECTIONS = {
    "": "the case record",
    "child": "the child's details",
    "chronology": "the chronology",
    "consultations": "the consultations",
    "contacts": "the contacts",
    "network": "the professional network",
    "access-log": "who has looked at this case",
    "meetings": "the meetings",
    "goals": "the goals",
    "stage": "the TRM stage",
    "thrive": "the THRIVE needs",
    "reports": "the formulation reports",
    "reviews": "the reviews",
    "outcomes": "the outcomes",
    "case-holder": "the case holder",
    "close": "the page to close the case",
    "reopen": "the page to reopen the case",
}

RECORD_TYPES = {
    "case": "the case",
    "referral": "the referral",
    "child": "the child's details",
    "formulation_report": "a formulation report",
    "formulation_report_document": "a formulation report document",
    "review_document": "a review document",
    "subject access request": "a subject access request",
}

VERBS = {
    AccessAction.VIEW: "viewed",
    AccessAction.DOWNLOAD: "downloaded",
    AccessAction.EXPORT: "exported",
    AccessAction.SEARCH: "searched for",
}

_CASE_PATH = re.compile(r"/cases/\d+/(?P<section>[a-z-]*)")


def _what(event: AccessEvent) -> str:
    if event.record_type == "case":
        if event.path.startswith("/api/"):
            return "the case summary through the API"
        if event.path.startswith("/data-rights/subject-access/"):
            return "everything held about the child, for a subject access request"
        found = _CASE_PATH.search(event.path)
        if found is not None and found["section"] in CASE_SECTIONS:
            return CASE_SECTIONS[found["section"]]
        return "the case record"
    return RECORD_TYPES.get(event.record_type, "a record of this case")


def event_in_words(event: AccessEvent) -> str:
    """What the person did, as a phrase to follow their name: never a code, a child's name or note text."""
    if event.record_type == LIST_RECORD_TYPE:
        return f"saw this case {LIST_PLACES.get(event.description, 'in a list of cases')}"
    if event.action == AccessAction.SEARCH:
        return "found this case in search results"
    if event.action == AccessAction.DENIED:
        return f"was refused {_what(event)}"
    return f"{VERBS.get(AccessAction(event.action), 'looked at')} {_what(event)}"
