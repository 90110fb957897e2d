"""The subject access requests and the children they are about: finding the child, listing and fetching requests.

Each of these refuses (403, written to the access log) anyone who may not handle subject access requests
(data_rights/capabilities.py). What a request gathers is data_rights/pack.py.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from cases.models import Case, Child
from config.converters import record_id_or_404
from data_rights.capabilities import require_subject_access_handler
from data_rights.models import RequestStatus, SubjectAccessRequest


def case_ids_of(child_ids: set[int]) -> list[int]:
    """The ids of every case of these children (for the access event of a list that names them)."""
    if not child_ids:
        return []
    return list(Case.objects.filter(child_id__in=child_ids).order_by("pk").values_list("pk", flat=True))


def children_named(*, given_name: str, family_name: str, date_of_birth: dt.date) -> list[Child]:
    """The children with exactly this name (any letter case) and date of birth: whoever asks must know both.

    Across every agency: a subject access request covers everything ECM holds. No partial matches, so
    the search cannot be used to browse children."""
    return list(
        Child.objects.filter(
            given_name__iexact=given_name.strip(),
            family_name__iexact=family_name.strip(),
            date_of_birth=date_of_birth,
        )
        .prefetch_related("cases__owning_yjs")
        .order_by("pk")
    )


def services_of(child: Child) -> list[str]:
    """The names of the youth justice services with an ECM case for the child (prefetched cases)."""
    return sorted({case.owning_yjs.name for case in child.cases.all()})


def subject_access_requests(user: Any) -> QuerySet[SubjectAccessRequest]:
    """Every subject access request, open ones first by due date (403 for anyone who may not handle them)."""
    require_subject_access_handler(user, what="list of subject access requests")
    return SubjectAccessRequest.objects.select_related("child", "created_by", "document").defer("pack_json")


def subject_access_request_for(user: Any, request_id: int | str, *, with_pack: bool = True) -> SubjectAccessRequest:
    """One subject access request: 403 for anyone who may not handle them, 404 if there is none."""
    pk = record_id_or_404(request_id)
    require_subject_access_handler(user, what=f"subject access request {pk}")
    requests = SubjectAccessRequest.objects.select_related("child", "created_by", "responded_by")
    if not with_pack:
        requests = requests.defer("pack_json")
    found = requests.filter(pk=pk).first()
    if found is None:
        raise Http404("No such subject access request")
    return found


def child_for_subject_access(user: Any, child_id: int | str) -> Child:
    """The child a new request is about: 403 for anyone who may not handle requests, 404 if there is none."""
    pk = record_id_or_404(child_id)
    require_subject_access_handler(user, what=f"start a subject access request about child {pk}")
    child = Child.objects.filter(pk=pk).prefetch_related("cases__owning_yjs").first()
    if child is None:
        raise Http404("No such child")
    return child


def is_overdue(request: SubjectAccessRequest, *, today: dt.date | None = None) -> bool:
    return request.status == RequestStatus.OPEN and request.due_on < (today or timezone.localdate())
