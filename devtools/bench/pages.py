"""The pages ``make bench`` measures, each with its floor B: the same rows and columns, one indexed
query, a plain template (devtools/bench/floors.py)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import Q

from accounts.models import AccessEvent
from cases.models import Case, CaseEvent, CaseGroupObjectPermission, CaseStatus, CaseUserObjectPermission, Contact
from devtools.bench.dataset import BenchData
from devtools.bench.floors import Floor, floor_set
from formulation.models import Recommendation
from referrals.models import Referral, ReferralStatus
from reviews.models import Review

SEARCH_TEXT = "Carrow"


@dataclass(frozen=True)
class Page:
    name: str
    key: str  # the floor's and the admin changelist's name (devtools/bench/floors.py)
    persona: str  # a field of BenchPeople
    url: str
    composite: bool = False
    admin: bool = True


# --- The pages and their floors --------------------------------------------------------------------

CASE_COLUMNS = [
    ("Child", "child__given_name"),
    ("Family name", "child__family_name"),
    ("Youth justice service", "owning_yjs__name"),
    ("Case holder", "case_holder__first_name"),
    ("Case holder's family name", "case_holder__last_name"),
    ("Kind", "kind"),
    ("Status", "status"),
    ("Opened", "opened_at"),
]
NEWEST = ("-opened_at", "-pk")


def pages_and_floors(data: BenchData) -> list[Page]:
    """Every measured page, with its floor set up from ids worked out once here."""
    p = data.people
    covered = list(p.covered_services)
    shared = _shared_case_ids(p.partner, p.partner_agency)
    cases = Case.objects.select_related("child", "owning_yjs", "case_holder")

    floor_set(
        "caseload-open",
        Floor(
            rows=lambda: cases.filter(owning_yjs_id=p.service, case_holder_id=p.case_manager, status=CaseStatus.OPEN),
            ordering=NEWEST,
            columns=CASE_COLUMNS,
        ),
    )
    floor_set(
        "caseload-open-wide",
        Floor(
            rows=lambda: cases.filter(owning_yjs_id__in=covered, status=CaseStatus.OPEN),
            ordering=NEWEST,
            columns=CASE_COLUMNS,
        ),
    )
    floor_set(
        "caseload-all-wide",
        Floor(rows=lambda: cases.filter(owning_yjs_id__in=covered), ordering=NEWEST, columns=CASE_COLUMNS),
    )
    floor_set(
        "caseload-all-fifty", Floor(rows=lambda: cases.filter(pk__in=shared), ordering=NEWEST, columns=CASE_COLUMNS)
    )
    floor_set(
        "api-cases-wide",
        Floor(
            rows=lambda: cases.filter(owning_yjs_id__in=covered),
            ordering=NEWEST,
            columns=[
                ("id", "id"),
                *[
                    (f, f)
                    for f in (
                        "child__given_name",
                        "child__family_name",
                        "owning_yjs__name",
                        "case_holder__first_name",
                        "case_holder__last_name",
                        "status",
                        "opened_at",
                    )
                ],
            ],  # fmt: skip
            as_json=True,
        ),
    )
    floor_set(
        "triage-queue",
        Floor(
            rows=lambda: Referral.objects.select_related("child", "referring_yjs", "referrer").filter(
                status=ReferralStatus.SUBMITTED, referring_yjs_id__in=covered
            ),
            ordering=("submitted_at", "pk"),
            columns=[
                ("Child", "child__given_name"),
                ("Family name", "child__family_name"),
                ("Service", "referring_yjs__name"),
                ("Referred by", "referrer__first_name"),
                ("Referrer's family name", "referrer__last_name"),
                ("Urgency", "urgency"),
                ("Submitted", "submitted_at"),
            ],
        ),
    )
    case_page_columns = [
        *CASE_COLUMNS,
        ("Date of birth", "child__date_of_birth"),
        ("Reference", "child__reference"),
        ("Psychologist", "psychologist__last_name"),
        ("Senior practitioner", "senior_practitioner__last_name"),
        ("TRM stage", "trm_stage"),
    ]
    for key, case_id in (("big", p.big_case), ("small", p.small_case)):
        floor_set(
            f"case-{key}",
            Floor(rows=_pk_rows(cases, case_id), ordering=("pk",), columns=case_page_columns),
        )
        floor_set(
            f"chronology-{key}",
            Floor(
                rows=_case_rows(CaseEvent.objects.select_related("actor"), case_id),
                ordering=("-occurred_at", "-pk"),
                columns=[
                    ("When", "occurred_at"),
                    ("Kind", "kind"),
                    ("What", "summary"),
                    ("Who", "actor__last_name"),
                    ("Link", "link"),
                ],
            ),
        )
        floor_set(
            f"contacts-{key}",
            Floor(
                rows=_case_rows(Contact.objects.select_related("recorded_by"), case_id),
                ordering=("-occurred_at", "-pk"),
                columns=[
                    ("When", "occurred_at"),
                    ("Type", "kind"),
                    ("With whom", "with_whom"),
                    ("Minutes", "duration_minutes"),
                    ("Note", "note"),
                    ("Restricted", "restricted"),
                    ("Recorded by", "recorded_by__last_name"),
                ],
            ),
        )
    floor_set(
        "review",
        Floor(
            rows=_pk_rows(Review.objects.select_related("meeting", "chair", "case__child"), p.review),
            ordering=("pk",),
            columns=[
                ("Child", "case__child__given_name"),
                ("Family name", "case__child__family_name"),
                ("Starts", "meeting__starts_at"),
                ("Place", "meeting__location"),
                ("Chair", "chair__last_name"),
                ("Status", "status"),
                ("Child's views", "childs_views"),
                ("Next review", "next_review_on"),
            ],
        ),
    )
    floor_set(
        "access-log",
        Floor(
            rows=lambda: AccessEvent.objects.select_related("user"),
            ordering=("-at", "-id"),
            columns=[
                ("When", "at"),
                ("Who", "user__first_name"),
                ("Family name", "user__last_name"),
                ("Action", "action"),
                ("Record", "record_type"),
                ("Record id", "record_id"),
                ("Description", "description"),
            ],
        ),
    )
    floor_set(
        "find-a-child",
        Floor(
            rows=lambda: cases.filter(owning_yjs_id__in=covered).filter(
                Q(child__given_name__icontains=SEARCH_TEXT) | Q(child__family_name__icontains=SEARCH_TEXT)
            ),
            ordering=("child__family_name", "child__given_name", "-opened_at", "-pk"),
            columns=[
                ("Child", "child__given_name"),
                ("Family name", "child__family_name"),
                ("Date of birth", "child__date_of_birth"),
                ("Reference", "child__reference"),
                ("Youth justice service", "owning_yjs__name"),
                ("Case holder", "case_holder__last_name"),
                ("Status", "status"),
            ],
        ),
    )
    floor_set(
        "my-actions",
        Floor(
            rows=lambda: Recommendation.objects.select_related("case__child").filter(
                Q(report__isnull=True) | Q(report__status="signed_off"),
                owner_id=p.case_manager,
                status__in=["not_started", "in_progress"],
                case__status=CaseStatus.OPEN,
            ),
            ordering=("due_on", "pk"),
            columns=[
                ("Action", "text"),
                ("Child", "case__child__given_name"),
                ("Family name", "case__child__family_name"),
                ("Case", "case_id"),
                ("Due", "due_on"),
                ("Status", "status"),
            ],
        ),
    )
    return [
        Page("caseload, open (case manager)", "caseload-open", "case_manager", "/cases/"),
        Page("caseload, open (sees 5,000)", "caseload-open-wide", "wide_psychologist", "/cases/"),
        Page("caseload, all statuses (sees 5,000)", "caseload-all-wide", "wide_psychologist", "/cases/?status=&kind="),
        Page("caseload, all statuses (sees 50)", "caseload-all-fifty", "partner", "/cases/?status=&kind="),
        Page("API case list, all statuses (sees 5,000)", "api-cases-wide", "wide_psychologist", "/api/v1/cases/"),
        Page("triage queue", "triage-queue", "wide_psychologist", "/referrals/triage/"),
        Page("case page, 5,000 contacts", "case-big", "case_manager", f"/cases/{p.big_case}/", composite=True),
        Page("case page, 10 contacts", "case-small", "case_manager", f"/cases/{p.small_case}/", composite=True),
        Page("chronology, 5,000 rows", "chronology-big", "case_manager", f"/cases/{p.big_case}/chronology/"),
        Page("chronology, 10 rows", "chronology-small", "case_manager", f"/cases/{p.small_case}/chronology/"),
        Page("contacts, 5,000 rows", "contacts-big", "case_manager", f"/cases/{p.big_case}/contacts/"),
        Page("contacts, 10 rows", "contacts-small", "case_manager", f"/cases/{p.small_case}/contacts/"),
        Page(
            "review page",
            "review",
            "case_manager",
            f"/cases/{p.big_case}/reviews/{p.review}/",
            composite=True,
        ),
        Page("access log, all events", "access-log", "administrator", "/cases/access-log/"),
        Page("find a child (sees 5,000)", "find-a-child", "wide_psychologist", f"/cases/search/?q={SEARCH_TEXT}"),
        Page("my actions", "my-actions", "case_manager", "/actions/"),
    ]


def _pk_rows(queryset: Any, pk: int) -> Callable[[], Any]:
    return lambda: queryset.filter(pk=pk)


def _case_rows(queryset: Any, case_id: int) -> Callable[[], Any]:
    return lambda: queryset.filter(case_id=case_id)


def _shared_case_ids(partner: int, partner_agency: int) -> list[int]:
    from accounts.models import Agency

    group = Agency.objects.get(pk=partner_agency).group_id
    personal = CaseUserObjectPermission.objects.filter(user_id=partner).values_list("content_object_id", flat=True)
    grouped = CaseGroupObjectPermission.objects.filter(group_id=group).values_list("content_object_id", flat=True)
    return sorted(set(personal) | set(grouped))


# --- Running ---------------------------------------------------------------------------------------
