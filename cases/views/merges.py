"""Merging two records of the same child: find the other record, compare them side by side, choose, merge;
and the merge as it was done, kept on the surviving record."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from cases import access
from cases.access import Action
from cases.forms.merges import MergeFindForm, MergeForm
from cases.models import Case, CaseMerge
from cases.selectors import matching
from cases.services import merges
from core.http import SignedInRequest, is_post

CANDIDATES_SHOWN = 20


def merge_candidates(user: object, case: Case) -> QuerySet[Case]:
    """Records of other children in the same service who may be this child (near-duplicates). The child's own
    other cases are episodes of one record, not duplicates: they are not offered (a case number still reaches them)."""
    child = case.child
    maybe_same = matching.near_duplicate(
        given_name=child.given_name, family_name=child.family_name, date_of_birth=child.date_of_birth, prefix="child__"
    )
    return (
        access.cases_for(user, Action.MERGE_RECORDS)
        .filter(maybe_same, owning_yjs=case.owning_yjs_id, merged_into__isnull=True)
        .exclude(child=child)
        .select_related("child", "case_holder")
        .order_by("-opened_at", "-pk")[:CANDIDATES_SHOWN]
    )


@login_required
@require_GET
def merge_start(request: SignedInRequest, case_id: int) -> HttpResponse:
    """Choose the other record of this child: the possible duplicates in the service, or a case number."""
    case = access.get_case_for(request.user, case_id, Action.MERGE_RECORDS)
    form = MergeFindForm(request.GET if "case_number" in request.GET else None)
    if form.is_bound and form.is_valid():
        return redirect("cases:merge_compare", case.pk, form.cleaned_data["case_number"])
    context = {"case": case, "form": form, "candidates": merge_candidates(request.user, case)}
    return render(request, "cases/merge_start.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def merge_compare(request: SignedInRequest, case_id: int, other_id: int) -> HttpResponse:
    """The two records side by side; choose the value of each differing detail, give the reason, merge.
    This case is the one kept; the other is merged into it (the page offers the other way round)."""
    survivor = access.get_case_for(request.user, case_id, Action.MERGE_RECORDS)
    merged = access.get_case_for(request.user, other_id, Action.MERGE_RECORDS)
    refusal = merges.merge_refusal(survivor=survivor, merged=merged)
    differences = [] if refusal else merges.merge_differences(survivor=survivor, merged=merged)
    form = MergeForm(
        request.POST if is_post(request) and not refusal else None,
        differences=differences,
        survivor_id=survivor.pk,
        merged_id=merged.pk,
    )
    if form.is_bound and form.is_valid():
        try:
            record = merges.case_merge(
                survivor=survivor,
                merged=merged,
                actor=request.user,
                reason=form.cleaned_data["reason"],
                choices=form.choices(),
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, f"Case {merged.pk} is merged into this case. Its pages now lead here")
            return redirect(record)
    context = {
        "case": survivor,
        "other": merged,
        "form": form,
        "refusal": refusal,
        "rows": merges.side_by_side(survivor=survivor, merged=merged),
        "moving": [] if refusal else merges.what_moves(merged),
        "error_anchor": "merge-choices",
        "merge_start_url": reverse("cases:merge_start", args=[survivor.pk]),
    }
    return render(request, "cases/merge_compare.html", context)


@login_required
@require_GET
def merge_detail(request: SignedInRequest, case_id: int, merge_id: int) -> HttpResponse:
    """A merge into this case as it was done: who, when, why, each detail chosen, what moved."""
    case = access.get_case_for(request.user, case_id, Action.VIEW)
    record = get_object_or_404(
        CaseMerge.objects.select_related("merged_by", "merged_child", "survivor_child"), pk=merge_id, survivor=case
    )
    moved = merges.moved_by_kind(record)
    context = {"case": case, "merge": record, "moved": moved, "details_url": reverse("cases:details", args=[case.pk])}
    return render(request, "cases/merge_detail.html", context)
