"""The PDF of a signed-off review's record: asked for at sign-off, made by the document pipeline, downloaded.

It prints what the review recorded, as signed off: attendance per agency, the TRM re-assessment,
progress on every action with the sequencing warnings that stood, the goal ratings, the new
actions, the child's views and the next review date. Every page is headed with the child's
initials and the case number only. It is for the case team (the case's full record, "view"),
who share it with the network as they judge right.

The lifecycle, the job, the resend sweep and the progress block are core/documents/'s, as for the
formulation report: a row is written ("queued") before the job is sent, so a lost message loses
nothing. This module supplies what differs (`REVIEW_RECORD_KIND`, registered in reviews/apps.py).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from accounts.history import acting_as
from cases import access
from cases.access import Action
from cases.models import Case
from core.documents.progress import DocumentLinks, DocumentProgress, document_progress
from core.documents.registry import DocumentKindSpec
from core.documents.rendering import DocumentNotRenderable, RenderedPdf, render_pdf
from core.documents.services import document_wanted, documents_send_on_commit
from reviews.models import Review, ReviewDocument, ReviewStatus
from reviews.selectors import attendance_by_agency, attendance_of
from reviews.walkthrough import actions_added_at, goal_ratings_at, walkthrough

__all__ = ["DocumentNotRenderable"]  # raised by review_pdf_render

# What the render job is sent (core.documents.tasks.render_document).
REVIEW_RECORD = "reviews.record"
TEMPLATE = "pdf/review_record.html"
DESCRIPTION = "What the review recorded, as signed off, for the case team to share with the network."


# Writes.


def review_document_request(*, review: Review) -> ReviewDocument:
    """Write down the PDF of a signed-off review and send it to the render job once committed.

    The sign-off calls this in `transaction.on_commit`. Safe to call again: a ready PDF is kept (a
    signed-off review never changes), a failed one is queued afresh, a waiting one is sent again.
    """
    if review.status != ReviewStatus.SIGNED_OFF:
        raise ValidationError("Only a signed-off review is made into a PDF.")
    with transaction.atomic(), acting_as(review.signed_off_by, job="review_document_request"):
        document, _ = ReviewDocument.objects.select_for_update().get_or_create(review=review)
        if document_wanted(document):
            documents_send_on_commit(REVIEW_RECORD, [document.pk])
    return document


def review_pdf_render(*, review: Review, today: dt.date | None = None) -> RenderedPdf:
    """Render the record of a signed-off review."""
    return render_pdf(template_name=TEMPLATE, context=_renderable_context(review, today=today))


def _renderable_context(review: Review, *, today: dt.date | None = None) -> dict[str, Any]:
    if review.status != ReviewStatus.SIGNED_OFF:
        raise DocumentNotRenderable("The review is not signed off.")
    return review_pdf_context(review, today=today)


def review_document_filename(document: ReviewDocument) -> str:
    """The file's name: the case number and the review's date, never the child's name."""
    review = document.review
    return f"ecm-case-{review.case_id}-review-{review.held_on:%Y-%m-%d}.pdf"


def review_pdf_context(review: Review, *, today: dt.date | None = None) -> dict[str, Any]:
    """Everything the print template shows. The child is named only in the details on the first page."""
    review = Review.objects.select_related("meeting", "chair", "signed_off_by", "stage_assessment__stage").get(
        pk=review.pk
    )
    case = Case.objects.select_related("child", "owning_yjs").get(pk=review.case_id)
    review.case = case
    attendance = attendance_of(review)
    initials = ".".join(case.child.initials) + "."
    return {
        "review": review,
        "case": case,
        "child": case.child,
        "running_header": f"{initials} · ECM case {case.pk}",
        "attendance_groups": attendance_by_agency(attendance),
        "attended": sum(1 for line in attendance if line.attendance == "attended"),
        "invited": len(attendance),
        "items": walkthrough(review),
        "goal_ratings": goal_ratings_at(review),
        "added_actions": actions_added_at(review),
        "signed_off_on": timezone.localdate(review.signed_off_at) if review.signed_off_at else None,
        "printed_on": today or timezone.localdate(),
    }


# Reads for the pages.


def review_document_of(review: Review) -> ReviewDocument:
    """The signed-off review's PDF, or 404."""
    document = ReviewDocument.objects.filter(review=review).first()
    if document is None or review.status != ReviewStatus.SIGNED_OFF:
        raise Http404("No such document")
    return document


def review_document_progress(document: ReviewDocument, *, review: Review, may_retry: bool) -> DocumentProgress:
    """The PDF as the progress block shows it ("Check again" reloads the review's page)."""
    args = [review.case_id, review.pk]
    return document_progress(
        document,
        key=f"review-{review.pk}",
        title="Review record",
        description=DESCRIPTION,
        noun="review record",
        links=DocumentLinks(
            status=reverse("reviews:review_record_status", args=args),
            download=reverse("reviews:review_record_download", args=args),
            check_again=reverse("reviews:review_detail", args=args),
            retry=reverse("reviews:review_record_retry", args=args),
        ),
        may_retry=may_retry,
    )


# The kind the document pipeline makes (registered in reviews/apps.py).

REVIEW_RECORD_KIND: DocumentKindSpec[ReviewDocument] = DocumentKindSpec(
    name=REVIEW_RECORD,
    model=ReviewDocument,
    template=lambda document: TEMPLATE,
    context=lambda document: _renderable_context(document.review),
    filename=review_document_filename,
    may_download=lambda user, document: access.may(user, Action.VIEW, document.review.case),
    related=("review",),
)
