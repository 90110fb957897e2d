"""The generated authorization matrix (issue 15): every URL pattern × everyone in the cast × in-scope and
out-of-scope objects × GET and POST, judged by an oracle written here, independently of the access module.

tests/authz/generated.py builds the world (four cases: Bristol's own, a closed Bristol case, another
service's, and one shared with the network) and asks every question; this file says what the answer must
be. The oracle never calls `cases.access`: it works from plain facts written below (who works where,
covers what, holds which case, which case is shared with whom) and from what each URL shows:

- case content (the full record), and finer needs within it (restricted notes, the psychologist's own
  work, the clinicians' drafts, chairing a review...);
- the shared summary (what the network sees);
- triage (referrals);
- management (people, agencies, coverage);
- commissioner figures (aggregate reports);
- own account (pages about the person themselves);
- public pages.

A URL under /cases/<id>/ is case content unless `SPECIAL` says otherwise; every other URL must be named in
`SPECIAL`, so a new URL with no classification fails here with its name. Every mismatch is reported at
once. A refused request must also write nothing (the access log and the session aside), and no page may
show a child's name to someone who may not see the child's case, nor a restricted note to someone who may
not read it.

`test_every_scope_condition_is_load_bearing` then removes each scope condition of the access module in
turn (and grants each to everyone) and shows the matrix notices.
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

import pytest
from django.db.models import Q

from tests.authz.generated import (
    ANON,
    CASE_KEYS,
    EVERYONE,
    Answer,
    Asker,
    Pattern,
    Target,
    UnknownArgument,
    World,
    build_world,
    targets_for,
    url_patterns,
)
from tests.conftest import Cast

# --- The facts the oracle starts from (never the access module) ---------------------------------------

CASE_MANAGER, PSYCHOLOGIST, SENIOR = "case_manager", "psychologist", "senior_practitioner"
PARTNER, COMMISSIONER, ADMINISTRATOR, AGENCY_ADMINISTRATOR = "partner", "commissioner", "administrator", "agency_admin"
CLINICIANS = {PSYCHOLOGIST, SENIOR}


@dataclass(frozen=True)
class Persona:
    role: str
    agency: str
    covers: frozenset[str] = frozenset()


PERSONAS: dict[str, Persona] = {
    "case_manager": Persona(CASE_MANAGER, "bristol"),
    "colleague": Persona(CASE_MANAGER, "bristol"),
    "banes_case_manager": Persona(CASE_MANAGER, "banes"),
    "psychologist": Persona(PSYCHOLOGIST, "ecm_team", frozenset({"bristol"})),
    "senior_practitioner": Persona(SENIOR, "ecm_team", frozenset({"bristol"})),
    "teacher": Persona(PARTNER, "school"),
    "social_worker": Persona(PARTNER, "social_care"),
    "commissioner": Persona(COMMISSIONER, "commissioning"),
    "administrator": Persona(ADMINISTRATOR, "ecm_team"),
    "agency_administrator": Persona(AGENCY_ADMINISTRATOR, "bristol"),
}


@dataclass(frozen=True)
class CaseFacts:
    service: str
    holder: str | None
    is_open: bool
    shared_with: frozenset[str]  # personas given the shared summary (personally or through their agency)
    author: str | None  # who wrote the report in review (a persona, or someone outside the cast)
    former: frozenset[str] = frozenset()  # services that held the case before it moved here (within the read period)


CASES: dict[str, CaseFacts] = {
    "own": CaseFacts("bristol", "case_manager", True, frozenset({"teacher"}), "psychologist"),
    "closed": CaseFacts("bristol", "colleague", False, frozenset({"teacher"}), "psychologist"),
    # The teacher is in this case's network, but its summary is not shared with her.
    "other": CaseFacts("banes", "banes_case_manager", True, frozenset(), None),
    # North Somerset's: shared with the teacher personally and with the social worker's agency.
    # It moved to North Somerset from BANES ten days ago: BANES's case managers read it as its former service.
    "shared": CaseFacts(
        "north_somerset", None, True, frozenset({"teacher", "social_worker"}), None, former=frozenset({"banes"})
    ),
}
# Each case's signed-off report has its full and summary PDFs ready and the child's failed; its version in
# review has none. Each case's signed-off review has its record; the review under way has none.
DOCUMENTS_READY = {"full", "summary"}
# Each case's uploaded documents: "shared" with the network (its version 1 clean, its version 2 "held", waiting
# for the virus check) and "kept" to the case team (version 1 clean).
SHARED_DOCUMENTS = {"shared", "held"}
CLEAN_VERSIONS = {"shared", "kept"}
# Invited to each case's "invited" meeting and owner of each case's action (among the personas).
INVITED_TO_MEETING = "teacher"
OWNS_THE_ACTIONS = "teacher"
# The people the administration pages are asked about, and where they work.
PEOPLE_AGENCIES = {"colleague": "bristol", "banes_case_manager": "banes", "psychologist": "ecm_team"}
PEOPLE_AGENCIES["administrator"] = "ecm_team"
REFERRALS = {  # referral → (referring service, submitted?)
    "bristol_draft": ("bristol", False),
    "bristol_draft_without_consent": ("bristol", False),
    "bristol_submitted": ("bristol", True),
    "banes_draft": ("banes", False),
    "banes_submitted": ("banes", True),
}
NOTIFICATION_RECIPIENTS = {"psychologist": "psychologist", "teacher": "teacher"}
TRANSFERS_TO = {"to_banes": "banes"}  # offer → the service it is offered to
SUMMARY_REQUESTERS = {"commissioner": "commissioner", "case_manager": "case_manager"}


def relations(who: str, case: str) -> frozenset[str]:
    """How a persona stands to a case, from the facts above."""
    persona, facts = PERSONAS[who], CASES[case]
    found = set()
    if persona.role == CASE_MANAGER and persona.agency == facts.service:
        found.add("owner")
        if facts.holder == who:
            found.add("holder")
    if persona.role in CLINICIANS and facts.service in persona.covers:
        found.add("covering")
    if who in facts.shared_with:
        found.add("shared")
    if persona.role == CASE_MANAGER and persona.agency in facts.former and persona.agency != facts.service:
        found.add("former")
    return frozenset(found)


# --- Outcomes ------------------------------------------------------------------------------------------


class Outcome(Enum):
    ALLOW = "allowed"  # GET: 200 or a redirect that is not to sign in; POST: 200, 302 or 400
    FORBID = "403"
    HIDE = "404"
    SIGN_IN = "sent to sign in"  # 302 to /accounts/sign-in/
    REFUSE_JSON = "refused without a redirect (401/403)"  # the API and the autosaves, signed out
    DENY = "403 or 404"  # another case's record asked through this case's URL
    ANSWER = "any answer but a server error"  # public pages: the same for everyone


DENIALS = {Outcome.FORBID, Outcome.HIDE, Outcome.SIGN_IN, Outcome.REFUSE_JSON, Outcome.DENY}


# --- What each URL shows: the case URLs' needs and the other URLs' classes -----------------------------


class Need(Enum):
    """What a case URL asks of the person, from the lightest to the most specific."""

    SUMMARY = "the shared summary"
    FULL = "the full record"
    CONTACT = "the full record; a restricted contact only for the holder and the covering clinicians"
    PSYCHOLOGIST = "the covering psychologist's work"
    CLINICIAN = "the covering clinicians' work"
    CHAIR = "chairing a review (covering senior practitioner)"
    CONTINUE_SHARING = "a lawful basis to share without consent (covering senior practitioner)"
    MERGE = "merging two records of the child (covering senior practitioner)"
    MEETING = "the full record, or an invitation to this meeting for the network"
    REPORT = "a signed-off report for the full record; a draft for the covering clinicians"
    SIGN_OFF = "the covering clinicians' review, never the author (a signed-off version: back to it)"
    DOCUMENTS = "the shared summary, for a signed-off report (a draft has no PDFs: not found)"
    DOCUMENT = "the summary PDF for the network; the others for the full record"
    DOCUMENT_FILE = "as DOCUMENT, and a PDF that is not ready is not found"
    REVIEW_RECORD = "the full record, for a signed-off review (one under way has no record: not found)"
    SIGNED_OFF_REPORT = "the full record, for a signed-off version (the API has no drafts: not found)"
    ACTION = "the action's owner while they see the case; the full record"
    ACTION_PROGRESS = "the action's owner while they see the case; the covering clinicians"
    OWN_CHRONOLOGY_PDF = "the shared summary, and the PDF is one's own (each case's holder asked for one)"
    FORMER_RECORDS = "what a former service recorded (its case managers, for a while after the case moved)"
    CASE_DOCUMENT = "the full record; the network only a document shared with it (any other: not found)"
    CASE_DOCUMENT_FILE = "as CASE_DOCUMENT, and a version waiting for its virus check is not found"


class Page(Enum):
    """What a URL that is not about one case shows."""

    PUBLIC = "public"
    OWN_ACCOUNT = "own account"
    OWN_NOTIFICATION = "own notification"
    REFERRING = "triage: a case manager's referrals"
    TRIAGE_QUEUE = "triage: the queue"
    REFERRAL = "triage: one referral"
    REFERRAL_EDIT = "triage: editing a draft referral"
    REFERRAL_TRIAGE = "triage: deciding a referral"
    REFERRAL_CONSENT = "triage: a consent override"
    FIGURES = "commissioner figures"
    OWN_SUMMARY = "commissioner figures: one's own summary PDF"
    MANAGEMENT = "management: people"
    PERSON = "management: one person"
    PERSON_WORK = "management: a person's work"
    SERVICE = "management: the service (service administrators only)"
    SUBJECT_ACCESS = "subject access requests (senior practitioners and service administrators, every child)"
    RETENTION = "retention reviews (senior practitioners and service administrators, every closed case)"
    TRANSFER_OFFER = "an offer of a case to a service: its case managers and the senior practitioners covering it"
    CHILD = "a child, through any of their cases the person may see (the API)"
    API_TOKEN = "management: a person's API token (as the person: their administrators)"


Class = Need | Page

# Every URL that is not plain case content. A URL under /cases/<id>/ not named here is FULL; any other URL
# not named here fails the test: say here what it shows.
SPECIAL: dict[str, Class] = {
    "home": Page.OWN_ACCOUNT,
    "health": Page.PUBLIC,
    "api-schema": Page.OWN_ACCOUNT,
    "api-case-list": Page.OWN_ACCOUNT,
    "api-case-detail": Need.SUMMARY,
    # The rest of the record through the API (tests/authz/api_record.py): each as its page.
    "api-case-network": Need.SUMMARY,
    "api-case-contacts": Need.FULL,
    "api-case-contact": Need.CONTACT,
    "api-case-contact-corrections": Need.CONTACT,
    "api-case-consultations": Need.FULL,
    "api-case-consultation": Need.FULL,
    "api-case-meetings": Need.SUMMARY,
    "api-case-meeting": Need.MEETING,
    "api-case-reports": Need.FULL,
    "api-case-report": Need.SIGNED_OFF_REPORT,
    "api-case-actions": Need.SUMMARY,  # the full record's readers: every action; the network: its own
    "api-action": Need.ACTION,
    "api-action-progress": Need.ACTION_PROGRESS,
    "api-case-stage-assessments": Need.FULL,
    "api-case-stage-assessment": Need.FULL,
    "api-case-goals": Need.FULL,
    "api-case-reviews": Need.FULL,
    "api-case-review": Need.FULL,
    "api-report-figures": Page.FIGURES,
    # The API foundation (tests/authz/api.py): lists scoped to the person, a child through their cases, a
    # referral as its page, one's own notifications; the docs like the schema.
    "api-docs": Page.OWN_ACCOUNT,
    "api-child-search": Page.OWN_ACCOUNT,
    "api-child-detail": Page.CHILD,
    "api-referral-list": Page.OWN_ACCOUNT,
    "api-referral-detail": Page.REFERRAL,
    "api-referral-submit": Page.REFERRAL_EDIT,
    "api-notification-list": Page.OWN_ACCOUNT,
    "api-notification-detail": Page.OWN_NOTIFICATION,
    "api-notification-read": Page.OWN_NOTIFICATION,
    # Signing in and out, the second step, one's own security, forgotten passwords, invitations, OIDC.
    "accounts:login": Page.PUBLIC,
    "accounts:logout": Page.PUBLIC,
    "accounts:second_factor": Page.OWN_ACCOUNT,
    "accounts:recovery_code": Page.OWN_ACCOUNT,
    "accounts:second_factor_setup": Page.OWN_ACCOUNT,
    "accounts:recovery_codes": Page.OWN_ACCOUNT,
    "accounts:security": Page.OWN_ACCOUNT,
    "accounts:recovery_codes_new": Page.OWN_ACCOUNT,
    "accounts:authenticator_replace": Page.OWN_ACCOUNT,
    "accounts:password_reset": Page.PUBLIC,
    "accounts:password_reset_sent": Page.PUBLIC,
    "accounts:password_reset_complete": Page.PUBLIC,
    "accounts:password_reset_confirm": Page.PUBLIC,
    "accounts:oidc_start": Page.PUBLIC,
    "accounts:oidc_callback": Page.PUBLIC,
    "accounts:invitation": Page.PUBLIC,
    # Lists scoped to the person (what they show is checked by the child-name rule below).
    "cases:list": Page.OWN_ACCOUNT,
    "cases:search": Page.OWN_ACCOUNT,
    "formulation:my_meetings": Page.OWN_ACCOUNT,
    "reviews:my_actions": Page.OWN_ACCOUNT,
    "reviews:notifications": Page.OWN_ACCOUNT,
    "reviews:notifications_read_all": Page.OWN_ACCOUNT,
    "reviews:email_preferences": Page.OWN_ACCOUNT,
    "reviews:notification_read": Page.OWN_NOTIFICATION,
    "trm_stages:reference": Page.OWN_ACCOUNT,  # the model's reference data: no case content
    # The case pages the network sees.
    "cases:detail": Need.SUMMARY,
    "cases:network": Need.SUMMARY,  # the network is on the shared summary too (its own page for the full record)
    "cases:chronology": Need.SUMMARY,
    "cases:chronology_pdf": Need.SUMMARY,
    "cases:chronology_pdf_status": Need.OWN_CHRONOLOGY_PDF,
    "cases:chronology_pdf_download": Need.OWN_CHRONOLOGY_PDF,
    "cases:chronology_pdf_retry": Need.OWN_CHRONOLOGY_PDF,
    "cases:contact_significant": Need.CONTACT,
    # Transfers between services (issue 17): offering and withdrawing are the full record's (Need.FULL, by the
    # route); the former service's own page; the receiving service's list and offers.
    "cases:former_records": Need.FORMER_RECORDS,
    # Merging two records of the same child: covering senior practitioners; a merge done is the full record's.
    "cases:merge_start": Need.MERGE,
    "cases:merge_compare": Need.MERGE,
    "cases:transfers": Page.OWN_ACCOUNT,
    "cases:transfer_detail": Page.TRANSFER_OFFER,
    # Documents uploaded to the case: the network lists and opens only those shared with it.
    "case_documents:list": Need.SUMMARY,
    "case_documents:detail": Need.CASE_DOCUMENT,
    "case_documents:download": Need.CASE_DOCUMENT_FILE,
    "formulation:case_meetings": Need.SUMMARY,
    "formulation:report_documents": Need.DOCUMENTS,
    "formulation:meeting_detail": Need.MEETING,
    "formulation:meeting_ics": Need.MEETING,
    "formulation:report_document_status": Need.DOCUMENT,
    "formulation:report_document_download": Need.DOCUMENT_FILE,
    "cases:contact_detail": Need.CONTACT,
    "cases:contact_correct": Need.CONTACT,
    # The covering psychologist's own work.
    "cases:consultation_add": Need.PSYCHOLOGIST,
    "trm_stages:assessment_add": Need.PSYCHOLOGIST,
    "formulation:report_start": Need.PSYCHOLOGIST,
    "formulation:report_edit": Need.PSYCHOLOGIST,
    "formulation:report_autosave": Need.PSYCHOLOGIST,
    "formulation:report_submit": Need.PSYCHOLOGIST,
    "formulation:recommendation_add": Need.PSYCHOLOGIST,
    "formulation:recommendation_change": Need.PSYCHOLOGIST,
    "formulation:recommendation_remove": Need.PSYCHOLOGIST,
    # The covering clinicians' work.
    "formulation:meeting_schedule": Need.CLINICIAN,
    "formulation:meeting_change": Need.CLINICIAN,
    "formulation:meeting_invite": Need.CLINICIAN,
    "formulation:invitation_remove": Need.CLINICIAN,
    "formulation:meeting_cancel": Need.CLINICIAN,
    "formulation:meeting_record": Need.CLINICIAN,
    "formulation:meeting_resend": Need.CLINICIAN,
    "formulation:report_comment": Need.CLINICIAN,
    "formulation:report_comment_resolve": Need.CLINICIAN,
    "reviews:review_stage": Need.CLINICIAN,
    "formulation:report_detail": Need.REPORT,
    "formulation:report_child_summary": Need.REPORT,
    "formulation:report_sign_off": Need.SIGN_OFF,
    "reviews:review_record_status": Need.REVIEW_RECORD,
    "reviews:review_record_download": Need.REVIEW_RECORD,
    "reviews:review_record_retry": Need.REVIEW_RECORD,
    # Chairing a review.
    "reviews:review_schedule": Need.CHAIR,
    "reviews:review_attendance": Need.CHAIR,
    "reviews:review_walkthrough": Need.CHAIR,
    "reviews:review_goals": Need.CHAIR,
    "reviews:review_action_add": Need.CHAIR,
    "reviews:review_outcome": Need.CHAIR,
    "reviews:review_sign_off": Need.CHAIR,
    # Actions ("My actions").
    "reviews:action_detail": Need.ACTION,
    "reviews:action_progress": Need.ACTION_PROGRESS,
    # Triage.
    "referrals:mine": Page.REFERRING,
    "referrals:start": Page.REFERRING,
    "referrals:triage_queue": Page.TRIAGE_QUEUE,
    "referrals:detail": Page.REFERRAL,
    "referrals:section": Page.REFERRAL_EDIT,
    "referrals:check": Page.REFERRAL_EDIT,
    "referrals:submit": Page.REFERRAL_EDIT,
    "referrals:autosave": Page.REFERRAL_EDIT,
    "referrals:triage": Page.REFERRAL_TRIAGE,
    "referrals:consent_override": Page.REFERRAL_CONSENT,
    # Consent over time on a case (issue 17): the Consent panel's forms.
    "referrals:consent_record": Need.FULL,
    "referrals:consent_withdraw": Need.FULL,
    "referrals:consent_lawful_basis": Need.CONTINUE_SHARING,
    # Commissioner figures.
    "reporting:dashboard": Page.FIGURES,
    "reporting:figures_csv": Page.FIGURES,
    "reporting:figures_as_shown_csv": Page.FIGURES,
    "reporting:summary_request": Page.FIGURES,
    "reporting:summary_status": Page.OWN_SUMMARY,
    "reporting:summary_download": Page.OWN_SUMMARY,
    "reporting:summary_retry": Page.OWN_SUMMARY,
    # Management.
    "manage:home": Page.MANAGEMENT,
    "manage:people": Page.MANAGEMENT,
    "manage:invite": Page.MANAGEMENT,
    "manage:person": Page.PERSON,
    "manage:membership_add": Page.PERSON,
    "manage:membership_role": Page.PERSON,
    "manage:membership_end": Page.PERSON,
    "manage:deactivate": Page.PERSON,
    "manage:reactivate": Page.PERSON,
    "manage:invitation_resend": Page.PERSON,
    "manage:second_factor_reset": Page.PERSON,
    "manage:person_work": Page.PERSON_WORK,
    "manage:api_tokens": Page.MANAGEMENT,
    "manage:api_token_create": Page.MANAGEMENT,
    "manage:api_token_revoke": Page.API_TOKEN,
    "cases:access_log": Page.SERVICE,
    # A subject access request gathers everything about one child across agencies, for its handlers.
    **{
        f"data_rights:{name}": Page.SUBJECT_ACCESS
        for name in (
            "sar_list",
            "sar_find",
            "sar_start",
            "sar_detail",
            "sar_json",
            "sar_pdf_status",
            "sar_pdf_download",
            "sar_pdf_retry",
            "sar_respond",
        )
    },
    # Retention reviews: every closed case due for review, by case number and initials, for their handlers.
    **{
        f"data_rights:{name}": Page.RETENTION
        for name in ("retention_list", "retention_detail", "retention_keep", "retention_hold", "retention_anonymise")
    },
    "trm_stages:reference_publish": Page.SERVICE,
    "manage:agencies": Page.SERVICE,
    "manage:agency_add": Page.SERVICE,
    "manage:agency": Page.SERVICE,
    "manage:agency_deactivate": Page.SERVICE,
    "manage:agency_reactivate": Page.SERVICE,
    "manage:coverage": Page.SERVICE,
    "manage:coverage_remove": Page.SERVICE,
    "reporting:commissioning": Page.SERVICE,
    "reporting:commissioning_remove": Page.SERVICE,
}
# Signed out, these answer without a redirect: the JSON API and the editors' autosaves.
REFUSED_AS_JSON = {
    "api-schema",
    "api-case-list",
    "api-case-detail",
    "referrals:autosave",
    "formulation:report_autosave",
    *(name for name in SPECIAL if name.startswith("api-")),  # every API endpoint
}

# Real leaks the matrix found that are not fixed yet: (URL name, method, target label, persona) → why it is
# a leak. Listed so the failure names them; the test still fails while any is listed (none today).
KNOWN_LEAKS: dict[tuple[str, str, str, str], str] = {}


def classify(pattern: Pattern) -> Class | None:
    if pattern.name in SPECIAL:
        return SPECIAL[pattern.name]
    if pattern.route.startswith("cases/<id:case_id>/"):
        return Need.FULL
    return None


# --- The oracle ----------------------------------------------------------------------------------------


def _meets(need: Need, who: str, target: Target) -> Outcome:
    """The answer for a signed-in persona on a case URL (404 if they may not see the case at all)."""
    assert target.case is not None
    case = target.case
    found = relations(who, case)
    if not found:
        return Outcome.HIDE
    role = PERSONAS[who].role
    full = bool(found & {"owner", "covering"}) and role in {CASE_MANAGER, *CLINICIANS}
    covering = "covering" in found

    def allow(condition: bool) -> Outcome:
        return Outcome.ALLOW if condition else Outcome.FORBID

    if need is Need.SUMMARY:
        return Outcome.ALLOW
    if need is Need.FULL:
        return allow(full)
    if need is Need.CONTACT:
        if not full:
            return Outcome.FORBID
        if target.object("contact_id") == "restricted" and not found & {"holder", "covering"}:
            return Outcome.HIDE  # a restricted contact is not found by those who may not read it
        return Outcome.ALLOW
    if need is Need.PSYCHOLOGIST:
        return allow(covering and role == PSYCHOLOGIST)
    if need is Need.CLINICIAN:
        return allow(covering)
    if need in {Need.CHAIR, Need.CONTINUE_SHARING, Need.MERGE}:
        return allow(covering and role == SENIOR)
    if need is Need.MEETING:
        if full:
            return Outcome.ALLOW
        invited = target.object("meeting_id") == "invited" and who == INVITED_TO_MEETING
        return Outcome.ALLOW if invited else Outcome.HIDE  # a meeting one is not invited to is not found
    if need is Need.REPORT:
        if target.object("report_id") == "signed_off":
            return allow(full)
        return allow(covering)
    if need is Need.SIGN_OFF:
        if target.object("report_id") == "signed_off":
            return allow(covering)  # already signed off: sent back to the version, which they may read
        return allow(covering and CASES[case].author != who)
    if need is Need.DOCUMENTS:
        return Outcome.ALLOW if target.object("report_id") == "signed_off" else Outcome.HIDE
    if need in {Need.DOCUMENT, Need.DOCUMENT_FILE}:
        outcome = Outcome.ALLOW if target.object("kind") == "summary" else allow(full)
        if need is Need.DOCUMENT_FILE and outcome is Outcome.ALLOW and target.object("kind") not in DOCUMENTS_READY:
            return Outcome.HIDE
        return outcome
    if need is Need.REVIEW_RECORD:
        if not full:
            return Outcome.FORBID
        return Outcome.ALLOW if target.object("review_id") == "signed_off" else Outcome.HIDE
    if need is Need.SIGNED_OFF_REPORT:
        if not full:
            return Outcome.FORBID
        return Outcome.ALLOW if target.object("report_id") == "signed_off" else Outcome.HIDE
    if need is Need.ACTION:
        return Outcome.ALLOW if who == OWNS_THE_ACTIONS else allow(full)
    if need is Need.ACTION_PROGRESS:
        return Outcome.ALLOW if who == OWNS_THE_ACTIONS else allow(covering)
    if need in {Need.CASE_DOCUMENT, Need.CASE_DOCUMENT_FILE}:
        document = target.object("version_id") or target.object("document_id")
        if not full and document not in SHARED_DOCUMENTS:
            # Whoever sees only the shared summary (the network, a former service) finds only shared documents.
            return Outcome.HIDE
        if need is Need.CASE_DOCUMENT_FILE and document not in CLEAN_VERSIONS:
            return Outcome.HIDE
        return Outcome.ALLOW
    if need is Need.OWN_CHRONOLOGY_PDF:
        return Outcome.ALLOW if CASES[case].holder == who else Outcome.HIDE
    if need is Need.FORMER_RECORDS:
        return allow("former" in found)
    raise AssertionError(need)


def _page(page: Page, who: str, target: Target) -> Outcome:
    """The answer for a signed-in persona on a URL that is not about one case."""
    persona = PERSONAS[who]
    role = persona.role

    def allow(condition: bool) -> Outcome:
        return Outcome.ALLOW if condition else Outcome.FORBID

    if page is Page.OWN_ACCOUNT:
        return Outcome.ALLOW
    if page is Page.OWN_NOTIFICATION:
        return Outcome.ALLOW if NOTIFICATION_RECIPIENTS[target.object("notification_id") or ""] == who else Outcome.HIDE
    if page is Page.REFERRING:
        return allow(role == CASE_MANAGER)
    if page is Page.TRIAGE_QUEUE:
        return allow(role in CLINICIANS)
    if page in {Page.REFERRAL, Page.REFERRAL_EDIT, Page.REFERRAL_TRIAGE, Page.REFERRAL_CONSENT}:
        service, submitted = REFERRALS[target.object("referral_id") or ""]
        referrer = role == CASE_MANAGER and persona.agency == service
        covering = role in CLINICIANS and service in persona.covers
        if page is Page.REFERRAL_CONSENT:
            # Covering clinicians reach drafts for the override, which senior practitioners record.
            if not (referrer or covering):
                return Outcome.HIDE
            return allow(covering and role == SENIOR)
        visible = referrer or (covering and submitted)  # drafts are the referring service's own
        if not visible:
            return Outcome.HIDE
        if page is Page.REFERRAL:
            return Outcome.ALLOW
        if page is Page.REFERRAL_EDIT:
            return allow(referrer)
        return allow(covering)  # REFERRAL_TRIAGE
    if page is Page.FIGURES:
        return allow(role in {CASE_MANAGER, *CLINICIANS, COMMISSIONER})
    if page is Page.OWN_SUMMARY:
        if role not in {CASE_MANAGER, *CLINICIANS, COMMISSIONER}:
            return Outcome.FORBID
        return Outcome.ALLOW if SUMMARY_REQUESTERS[target.object("document_id") or ""] == who else Outcome.HIDE
    if page is Page.MANAGEMENT:
        return allow(role in {ADMINISTRATOR, AGENCY_ADMINISTRATOR})
    if page is Page.PERSON:
        if role == ADMINISTRATOR:
            return Outcome.ALLOW
        if role == AGENCY_ADMINISTRATOR:
            # Their own agency's people only; anyone else does not exist for them.
            return (
                Outcome.ALLOW if PEOPLE_AGENCIES[target.object("person_id") or ""] == persona.agency else Outcome.HIDE
            )
        return Outcome.FORBID
    if page is Page.PERSON_WORK:
        person_agency = PEOPLE_AGENCIES[target.object("person_id") or ""]
        if role == ADMINISTRATOR:
            return Outcome.ALLOW
        if role == AGENCY_ADMINISTRATOR:
            return Outcome.ALLOW if person_agency == persona.agency else Outcome.HIDE
        if role == SENIOR:
            # A senior practitioner hands on the work of people who work in a service they cover.
            return Outcome.ALLOW if person_agency in persona.covers else Outcome.HIDE
        return Outcome.FORBID
    if page is Page.SERVICE:
        return allow(role == ADMINISTRATOR)
    if page is Page.SUBJECT_ACCESS:
        return allow(role in {SENIOR, ADMINISTRATOR})
    if page is Page.RETENTION:
        return allow(role in {SENIOR, ADMINISTRATOR})
    if page is Page.TRANSFER_OFFER:
        receiving = TRANSFERS_TO[target.object("transfer_id") or ""]
        deciding = (role == CASE_MANAGER and persona.agency == receiving) or (
            role == SENIOR and receiving in persona.covers
        )
        return Outcome.ALLOW if deciding else Outcome.HIDE  # an offer to another service is not found
    if page is Page.CHILD:
        return Outcome.ALLOW if relations(who, target.object("child_id") or "") else Outcome.HIDE
    if page is Page.API_TOKEN:
        if role == ADMINISTRATOR:
            return Outcome.ALLOW
        if role == AGENCY_ADMINISTRATOR:
            owner_agency = PEOPLE_AGENCIES[target.object("token_id") or ""]
            return Outcome.ALLOW if owner_agency == persona.agency else Outcome.HIDE
        return Outcome.FORBID
    raise AssertionError(page)


def expected(who: str, pattern: Pattern, target: Target) -> Outcome:
    kind = classify(pattern)
    assert kind is not None
    if kind is Page.PUBLIC:
        return Outcome.ANSWER
    if who == ANON:
        return Outcome.REFUSE_JSON if pattern.name in REFUSED_AS_JSON else Outcome.SIGN_IN
    if isinstance(kind, Need):
        outcome = _meets(kind, who, target)
        if target.crossed_from is not None and outcome is not Outcome.HIDE:
            # Another case's record through this case's URL: not found for those who may act on this case;
            # refused (403) or not found (404) for the others, whichever the view asks first.
            return Outcome.HIDE if outcome is Outcome.ALLOW else Outcome.DENY
        return outcome
    return _page(kind, who, target)


# --- Judging answers -----------------------------------------------------------------------------------

SIGN_IN_PREFIX = "/accounts/sign-in/"


def _verdict(outcome: Outcome, answer: Answer) -> bool:
    status = answer.status
    if outcome is Outcome.ANSWER:
        return status != 500  # the health check answers 503 when no worker runs: not an error
    if status >= 500:
        return False
    if outcome is Outcome.ALLOW:
        if answer.method == "post":
            # 428: an API change sent without If-Match (asked only once the access module let the person in).
            return status in {200, 302, 400, 428} and not answer.location.startswith(SIGN_IN_PREFIX)
        return status == 200 or (status == 302 and not answer.location.startswith(SIGN_IN_PREFIX))
    if outcome is Outcome.FORBID:
        return status == 403
    if outcome is Outcome.HIDE:
        return status == 404
    if outcome is Outcome.SIGN_IN:
        return status == 302 and answer.location.startswith(SIGN_IN_PREFIX)
    if outcome is Outcome.REFUSE_JSON:
        return status in {401, 403}
    if outcome is Outcome.DENY:
        return status in {403, 404}
    raise AssertionError(outcome)


def _is_leak(outcome: Outcome, answer: Answer) -> bool:
    """A refused person who got the page (or made the change)."""
    if outcome not in DENIALS:
        return False
    return answer.status in {200, 400} or (answer.status == 302 and not answer.location.startswith(SIGN_IN_PREFIX))


@dataclass
class Markers:
    """Text that must not reach the wrong person: each case's child's family name and restricted note."""

    names: dict[str, bytes]
    restricted: dict[str, bytes]

    @classmethod
    def of(cls, world: World) -> Markers:
        return cls(
            names={key: w.case.child.family_name.encode() for key, w in world.cases.items()},
            restricted={key: w.restricted_note.encode() for key, w in world.cases.items()},
        )

    def leaks(self, answer: Answer) -> list[str]:
        if answer.status != 200 or not answer.body:
            return []
        found = []
        for case in CASE_KEYS:
            seen = relations(answer.who, case) if answer.who != ANON else frozenset()
            if not seen and self.names[case] in answer.body:
                found.append(f"shows the child's name of the {case} case")
            may_read_restricted = bool(seen & {"holder", "covering"})
            if not may_read_restricted and self.restricted[case] in answer.body:
                found.append(f"shows the restricted note of the {case} case")
        return found


@dataclass
class Report:
    checks: int = 0
    mismatches: list[str] = field(default_factory=list)
    leaks: list[str] = field(default_factory=list)
    by_status: Counter[str] = field(default_factory=Counter)

    def add(self, line: str, *, leak: bool) -> None:
        self.mismatches.append(line)
        if leak:
            self.leaks.append(line)


def _describe(answer: Answer, pattern: Pattern, outcome: Outcome | None) -> str:
    where = f" → {answer.location}" if answer.location else ""
    expected_text = f", expected {outcome.value}" if outcome else ""
    label = f" [{answer.target.label}]" if answer.target.label else ""
    return (
        f"{answer.method.upper()} {answer.target.path} ({pattern.name}){label} as {answer.who}: "
        f"got {answer.status}{where}{expected_text}"
    )


def _known(pattern: Pattern, answer: Answer) -> str:
    key = (pattern.name, answer.method, answer.target.label, answer.who)
    return f"  [known issue: {KNOWN_LEAKS[key]}]" if key in KNOWN_LEAKS else ""


def run_matrix(
    world: World,
    *,
    names: Iterable[str] | None = None,
    people: Iterable[str] = EVERYONE,
    stop: Callable[[Report], bool] | None = None,
) -> Report:
    """Ask every URL (or the named ones) as everyone and judge every answer; all mismatches are collected."""
    with _quiet_refusals():
        return _run(world, names=names, people=people, stop=stop)


@contextmanager
def _quiet_refusals() -> Iterator[None]:
    """Thousands of expected 403s and 404s would each log a warning: keep only server errors."""
    logger = logging.getLogger("django.request")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(level)


def _run(
    world: World,
    *,
    names: Iterable[str] | None,
    people: Iterable[str],
    stop: Callable[[Report], bool] | None,
) -> Report:
    report = Report()
    asker = Asker(world)
    markers = Markers.of(world)
    wanted = set(names) if names is not None else None
    for pattern in url_patterns():
        if wanted is not None and pattern.name not in wanted:
            continue
        if classify(pattern) is None:
            report.add(
                f"{pattern.name} (/{pattern.route}): not classified: say what it shows in SPECIAL "
                "(tests/test_generated_authorization_matrix.py)",
                leak=False,
            )
            continue
        try:
            targets = targets_for(pattern, world)
        except UnknownArgument as error:
            report.add(f"{error}", leak=False)
            continue
        for target in targets:
            for who in people:
                outcome = expected(who, pattern, target)
                for method in pattern.methods:
                    answer = asker.ask(who, method, target, watch_writes=outcome in DENIALS)
                    report.checks += 1
                    report.by_status[str(answer.status)] += 1
                    if not _verdict(outcome, answer):
                        leak = _is_leak(outcome, answer)
                        tag = "LEAK " if leak else ""
                        report.add(f"{tag}{_describe(answer, pattern, outcome)}{_known(pattern, answer)}", leak=leak)
                    if outcome in DENIALS and answer.wrote:
                        tables = ", ".join(answer.wrote)
                        report.add(
                            f"LEAK {_describe(answer, pattern, outcome)}: refused, yet wrote to {tables}", leak=True
                        )
                    # A subject access request's handlers see the child's name whoever holds the case.
                    handling = classify(pattern) is Page.SUBJECT_ACCESS and outcome is Outcome.ALLOW
                    for shown in [] if handling else markers.leaks(answer):
                        report.add(f"LEAK {_describe(answer, pattern, None)}: {shown}", leak=True)
                    if stop is not None and stop(report):
                        return report
    return report


def _say(request: pytest.FixtureRequest, line: str) -> None:
    """One line in pytest's output whatever the capture settings (`make test` runs with -q)."""
    capture = request.config.pluginmanager.getplugin("capturemanager")
    terminal = request.config.pluginmanager.getplugin("terminalreporter")
    if capture is not None and terminal is not None:
        with capture.global_and_fixture_disabled():
            terminal.ensure_newline()
            terminal.write_line(line)
    else:  # pragma: no cover - pytest without its terminal
        print(line)


def _summary(report: Report, limit: int = 400) -> str:
    head = (
        f"{len(report.mismatches)} mismatches ({len(report.leaks)} leaks) in {report.checks} checks; "
        f"answers: {dict(sorted(report.by_status.items()))}\n"
    )
    lines = report.mismatches[:limit]
    more = f"\n... and {len(report.mismatches) - limit} more" if len(report.mismatches) > limit else ""
    return head + "\n".join(lines) + more


# --- The tests -----------------------------------------------------------------------------------------


def test_every_url_is_classified() -> None:
    """A new URL must say what it shows (or live under /cases/<id>/, which is case content)."""
    missing = [f"{p.name} (/{p.route})" for p in url_patterns() if classify(p) is None]
    stale = sorted(set(SPECIAL) - {p.name for p in url_patterns()})
    assert not missing, f"URLs the generated matrix cannot judge: say what they show in SPECIAL: {missing}"
    assert not stale, f"SPECIAL names URLs that no longer exist: {stale}"


# About 2-3 minutes on two cores; the project-wide 300 s timeout is too close on a busy machine.
@pytest.mark.timeout(900)
def test_generated_authorization_matrix(cast: Cast, request: pytest.FixtureRequest, settings: Any) -> None:
    """Every URL × everyone × every object × GET and POST: no leak, no mismatch, at least 8,000 checks."""
    # Each person asks every API URL within a few minutes: far over the API's rate limit, which is not what
    # this test is about (tests/api/test_framework.py tests the limit).
    settings.ECM_RATE_LIMITS = {**settings.ECM_RATE_LIMITS, "api": "100000/m"}
    started = time.monotonic()
    world = build_world(cast)
    report = run_matrix(world)
    _say(request, f"authorization matrix: {report.checks} checks")
    elapsed = time.monotonic() - started
    assert not report.mismatches, f"in {elapsed:.0f} s: " + _summary(report)
    assert not KNOWN_LEAKS, f"known leaks still listed: {KNOWN_LEAKS}"
    assert report.checks >= 8000, f"only {report.checks} checks"


# --- The mutation check --------------------------------------------------------------------------------

# The URLs the mutation check asks: a slice of the matrix that every scope condition shows in (the case
# page for the shared summary, the contacts for the full record, a restricted contact for the holder, the
# consultation form for the covering psychologist, referrals for their scope, an action for its owner, and
# the administration pages for who manages whom).
MUTATION_URLS = (
    "cases:detail",
    "cases:contacts",
    "cases:contact_detail",
    "cases:consultation_add",
    "referrals:detail",
    "referrals:consent_override",
    "reviews:action_detail",
    "manage:person",
    "manage:person_work",
)
NOTHING, EVERYTHING = Q(pk__in=[]), ~Q(pk__in=[])


@dataclass(frozen=True)
class Mutation:
    name: str
    apply: Callable[[pytest.MonkeyPatch, ExitStack], None]
    grants: bool  # widens access: the matrix must show a leak, not only a mismatch


def _set_frozen(stack: ExitStack, instance: Any, name: str, value: Any) -> None:
    """Change a frozen dataclass's field in place (its identity matters: `scope is CASE_SCOPE`), undone after."""
    stack.callback(object.__setattr__, instance, name, getattr(instance, name))
    object.__setattr__(instance, name, value)


def _mutations() -> Iterator[Mutation]:
    """Each scope condition of the access module, removed and granted to everyone in turn."""
    from accounts.models import Agency, AgencyKind, User
    from cases.access import core, people, viewers

    for relation in list(core._CONDITIONS):
        for label, result, grants in (("gives nothing", NOTHING, False), ("gives everything", EVERYTHING, True)):

            def condition(monkeypatch: pytest.MonkeyPatch, stack: ExitStack, r: Any = relation, q: Q = result) -> None:
                monkeypatch.setitem(core._CONDITIONS, r, lambda user, standing, scope: q)

            yield Mutation(f"_CONDITIONS[{relation}] {label}", condition, grants)

    def drafts_for_clinicians(monkeypatch: pytest.MonkeyPatch, stack: ExitStack) -> None:
        _set_frozen(stack, core.REFERRAL_SCOPE, "covering_condition", Q())

    yield Mutation(
        "REFERRAL_SCOPE.covering_condition gives everything (drafts to clinicians)", drafts_for_clinicians, True
    )

    def submitted_hidden(monkeypatch: pytest.MonkeyPatch, stack: ExitStack) -> None:
        _set_frozen(stack, core.REFERRAL_SCOPE, "covering_condition", NOTHING)

    yield Mutation("REFERRAL_SCOPE.covering_condition gives nothing", submitted_hidden, False)

    def consent_scope_narrowed(monkeypatch: pytest.MonkeyPatch, stack: ExitStack) -> None:
        _set_frozen(stack, core.REFERRAL_CONSENT_SCOPE, "covering_condition", ~Q(status="draft"))

    yield Mutation("REFERRAL_CONSENT_SCOPE.covering_condition as REFERRAL_SCOPE's", consent_scope_narrowed, False)

    def no_case_shares(monkeypatch: pytest.MonkeyPatch, stack: ExitStack) -> None:
        _set_frozen(stack, core.CASE_SCOPE, "shares_apply", False)

    yield Mutation("CASE_SCOPE.shares_apply off", no_case_shares, False)

    def summary_not_for_network(monkeypatch: pytest.MonkeyPatch, stack: ExitStack) -> None:
        rules = dict(core.RULES)
        summary = rules[core.Action.VIEW_SUMMARY]
        rules[core.Action.VIEW_SUMMARY] = core.Rule(summary.role_permission, summary.relations - {core.Relation.SHARED})
        monkeypatch.setattr(core, "RULES", rules)

    yield Mutation(
        "RULES[VIEW_SUMMARY] without SHARED (the partner's shared-summary rule)", summary_not_for_network, False
    )

    def shared_not_visible(monkeypatch: pytest.MonkeyPatch, stack: ExitStack) -> None:
        monkeypatch.setattr(core, "VISIBLE_RELATIONS", core.VISIBLE_RELATIONS - {core.Relation.SHARED})

    yield Mutation("VISIBLE_RELATIONS without SHARED", shared_not_visible, False)

    def role_layer_off(monkeypatch: pytest.MonkeyPatch, stack: ExitStack) -> None:
        monkeypatch.setattr(core, "has_role_permission", lambda user, permission: core._is_signed_in(user))

    yield Mutation("has_role_permission grants every permission (no role layer)", role_layer_off, True)

    for label, everyone, grants in (("gives nothing", False, False), ("gives everything", True, True)):

        def manageable(monkeypatch: pytest.MonkeyPatch, stack: ExitStack, everyone: bool = everyone) -> None:
            monkeypatch.setattr(
                people, "manageable_people", lambda user: User.objects.all() if everyone else User.objects.none()
            )

        yield Mutation(f"manageable_people {label}", manageable, grants)

        def work_services(monkeypatch: pytest.MonkeyPatch, stack: ExitStack, everyone: bool = everyone) -> None:
            services = Agency.objects.filter(kind=AgencyKind.YOUTH_JUSTICE)
            monkeypatch.setattr(
                viewers, "work_services_for", lambda user, person: services if everyone else services.none()
            )
            monkeypatch.setattr(
                core_package(), "work_services_for", lambda user, person: services if everyone else services.none()
            )

        yield Mutation(f"work_services_for {label}", work_services, grants)


def core_package() -> Any:
    """`cases.access`, whose names the views call (`access.work_services_for`)."""
    import cases.access

    return cases.access


@contextmanager
def _mutated(mutation: Mutation) -> Iterator[None]:
    from django.core.cache import cache

    with pytest.MonkeyPatch.context() as monkeypatch, ExitStack() as stack:
        mutation.apply(monkeypatch, stack)
        cache.clear()  # nothing computed before the mutation may answer for it
        yield
    cache.clear()


@pytest.mark.timeout(600)
def test_every_scope_condition_is_load_bearing(cast: Cast) -> None:
    """Remove each scope condition of the access module in turn (then grant it to everyone): the matrix fails,
    and a condition granted to everyone shows as a leak."""
    world = build_world(cast)
    baseline = run_matrix(world, names=MUTATION_URLS)
    assert not baseline.mismatches, "the mutation check's slice of the matrix fails unmutated: " + _summary(baseline)
    results: dict[str, tuple[Mutation, Report]] = {}
    for mutation in _mutations():
        # Enough once the matrix fails (and, for a widening mutation, shows a leak).
        def noticed(report: Report, grants: bool = mutation.grants) -> bool:
            return bool(report.leaks) if grants else bool(report.mismatches)

        with _mutated(mutation):
            results[mutation.name] = (mutation, run_matrix(world, names=MUTATION_URLS, stop=noticed))
    lines = [
        f"{name}: {len(report.mismatches)} mismatches, {len(report.leaks)} leaks (asking stops once noticed)"
        for name, (_, report) in results.items()
    ]
    unnoticed = [name for name, (_, report) in results.items() if not report.mismatches]
    assert not unnoticed, "mutations the matrix did not notice: " + "; ".join(unnoticed) + "\n" + "\n".join(lines)
    no_leak = [name for name, (mutation, report) in results.items() if mutation.grants and not report.leaks]
    assert not no_leak, "widening mutations that showed no leak: " + "; ".join(no_leak) + "\n" + "\n".join(lines)
