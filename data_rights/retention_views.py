"""Records due for retention review: the list, one review with its decisions, and anonymising.

Every view asks the role layer first (data_rights.capabilities.require_retention_handler: 403, logged, for anyone
but senior practitioners and service administrators); the pages show case numbers and initials, never a name.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from config.converters import record_id_or_404
from core.http import SignedInRequest, is_post
from core.pagination import paginate
from data_rights import retention_services as services
from data_rights.capabilities import require_retention_handler
from data_rights.forms import ReasonForm, RetentionKeepForm
from data_rights.models import RetentionReview, RetentionStatus


def _review_for(request: SignedInRequest, retention_id: int | str) -> RetentionReview:
    pk = record_id_or_404(retention_id)
    require_retention_handler(request.user, what=f"retention review {pk}")
    review = (
        RetentionReview.objects.select_related("case__child", "case__owning_yjs", "decided_by").filter(pk=pk).first()
    )
    if review is None:
        raise Http404("No such retention review")
    return review


def _detail(request: SignedInRequest, review: RetentionReview, **forms: object) -> HttpResponse:
    hold = services.active_hold(review.case)
    context = {
        "review": review,
        "case": review.case,
        "hold": hold,
        "is_due": review.status == RetentionStatus.DUE,
        "refusal": services.anonymise_refusal(review.case),
        "keep_form": forms.get("keep_form") or RetentionKeepForm(prefix="keep"),
        "hold_form": forms.get("hold_form") or ReasonForm(prefix="hold"),
    }
    return render(request, "data_rights/retention_detail.html", context)


@login_required
@require_GET
def retention_list(request: SignedInRequest) -> HttpResponse:
    """Records due for retention review: waiting ones first, soonest due first, then those decided."""
    require_retention_handler(request.user, what="records due for retention review")
    reviews = RetentionReview.objects.select_related("case__child", "case__owning_yjs").order_by(
        "-status", "due_on", "pk"
    )
    return render(request, "data_rights/retention_list.html", paginate(request, reviews))


@login_required
@require_GET
def retention_detail(request: SignedInRequest, retention_id: int) -> HttpResponse:
    """One record due for review, with keep, legal hold and anonymise."""
    return _detail(request, _review_for(request, retention_id))


@login_required
@require_POST
def retention_keep(request: SignedInRequest, retention_id: int) -> HttpResponse:
    review = _review_for(request, retention_id)
    form = RetentionKeepForm(request.POST, prefix="keep")
    if form.is_valid():
        try:
            services.retention_keep(review=review, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(
                request, f"Case {review.case_id} is kept until {form.cleaned_data['next_review_on']:%-d %B %Y}"
            )
            return redirect(review)
    return _detail(request, review, keep_form=form)


@login_required
@require_POST
def retention_hold(request: SignedInRequest, retention_id: int) -> HttpResponse:
    """Place a legal hold, or lift the one in place (the form says which)."""
    review = _review_for(request, retention_id)
    form = ReasonForm(request.POST, prefix="hold")
    lift = request.POST.get("hold") == "lift"
    if form.is_valid():
        try:
            if lift:
                services.legal_hold_lift(review=review, actor=request.user, **form.cleaned_data)
            else:
                services.legal_hold_place(review=review, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, "The legal hold is lifted" if lift else "A legal hold is in place")
            return redirect(review)
    return _detail(request, review, hold_form=form)


@login_required
@require_http_methods(["GET", "POST"])
def retention_anonymise(request: SignedInRequest, retention_id: int) -> HttpResponse:
    """What anonymising removes and keeps; confirming does it (refused while a hold is in place or a case is open)."""
    review = _review_for(request, retention_id)
    refusal = services.anonymise_refusal(review.case)
    if review.status == RetentionStatus.ANONYMISED:
        refusal = "This record is already anonymised."
    if is_post(request) and refusal is None:
        try:
            services.case_anonymise(review=review, actor=request.user)
        except ValidationError as error:
            refusal = " ".join(error.messages)
        else:
            messages.success(request, f"Case {review.case_id} is anonymised")
            return redirect(review)
    status = 409 if is_post(request) and refusal else 200
    return render(
        request,
        "data_rights/retention_anonymise.html",
        {"review": review, "case": review.case, "refusal": refusal},
        status=status,
    )
