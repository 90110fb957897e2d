"""The PDF of a signed-off review's record: asked for at sign-off, made by a Celery job, downloaded.

It prints what the review recorded, as signed off: attendance per agency, the TRM re-assessment,
progress on every action with the sequencing warnings that stood, the goal ratings, the new
actions, the child's views and the next review date. Every page is headed with the child's
initials and the case number only. It is for the case team (the case's full record, "view"),
who share it with the network as they judge right.

Rendering, the job's steps and the progress block are the shared ones in cases/pdf.py, as for the
formulation report: a row is written ("queued") before the job is sent, so a lost message loses
nothing (reviews.tasks.review_documents_resend_stale sends it again).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from accounts.history import acting_as
from accounts.models import User
from cases.models import Case
from cases.pdf import (
    DocumentProgress,
    RenderedPdf,
    document_claim,
    document_failed,
    document_store,
    documents_resend_stale,
    human_size,
    is_late,
    is_stale,
    render_pdf,
)
from config.jobs import enqueue_each
from formulation.models import DocumentStatus
from reviews.models import Review, ReviewDocument, ReviewStatus
from reviews.selectors import actions_added_at, attendance_by_agency, attendance_of, goal_ratings_at, walkthrough

logger = logging.getLogger(__name__)

TEMPLATE = "reviews/review_record_pdf.html"
DESCRIPTION = "What the review recorded, as signed off, for the case team to share with the network."


class DocumentNotRenderable(Exception):
    """The document cannot be made at all (trying again will not help)."""


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
        if document.status == DocumentStatus.READY:
            return document
        if document.status == DocumentStatus.FAILED:
            _queue_again(document)
        document_id = document.pk
        transaction.on_commit(lambda: _enqueue([document_id]))
    return document


def review_document_retry(*, document: ReviewDocument, actor: User) -> ReviewDocument:
    """Make a failed PDF again (or one whose job has waited far too long: its message may have been lost)."""
    with transaction.atomic(), acting_as(actor):
        document = ReviewDocument.objects.select_for_update().get(pk=document.pk)
        if document.status != DocumentStatus.FAILED and not is_stale(document):
            raise ValidationError("This PDF is being made or is ready: there is nothing to try again.")
        _queue_again(document)
        document_id = document.pk
        transaction.on_commit(lambda: _enqueue([document_id]))
    return document


def _queue_again(document: ReviewDocument) -> None:
    document.status = DocumentStatus.QUEUED
    document.attempts = 0
    document.error = ""
    document.finished_at = None
    document.requested_at = timezone.now()
    document.save(update_fields=["status", "attempts", "error", "finished_at", "requested_at"])


def _enqueue(document_ids: Iterable[int]) -> None:
    """Send the jobs (called once committed). If Redis is down the rows stay queued: the sweep (or "Start
    again") sends them later; the page never fails (config/jobs.py)."""
    from reviews.tasks import render_review_document

    enqueue_each(render_review_document, document_ids)


def review_documents_resend_stale() -> int:
    """Send again the jobs of documents that waited too long (a lost message); how many were sent."""
    return documents_resend_stale(ReviewDocument.objects.all(), _enqueue)


def review_document_render(*, document_id: int) -> ReviewDocument | None:
    """Make the PDF and keep it; None when there is nothing to do (ready already, or gone)."""
    documents = ReviewDocument.objects.select_related("review")
    with acting_as(None, job="render_review_document"):
        document = document_claim(documents, document_id)
        if document is None:
            return None
        rendered = review_pdf_render(review=document.review)
        return document_store(documents, document, rendered, filename=review_document_filename(document))


def review_document_failed(*, document_id: int, message: str, final: bool) -> None:
    """Record a failed attempt (queued again while retries remain, failed after the last)."""
    with acting_as(None, job="render_review_document"):
        document_failed(ReviewDocument.objects.all(), document_id, message=message, final=final)


def review_pdf_render(*, review: Review, today: dt.date | None = None) -> RenderedPdf:
    """Render the record of a signed-off review."""
    if review.status != ReviewStatus.SIGNED_OFF:
        raise DocumentNotRenderable("The review is not signed off.")
    return render_pdf(template_name=TEMPLATE, context=review_pdf_context(review, today=today))


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
    ready = document.status == DocumentStatus.READY
    stale = is_stale(document)
    download_label = ""
    if ready:
        size = human_size(document.file.size) if document.file else ""
        pages = f"{document.pages} page{'s' if document.pages != 1 else ''}"
        download_label = f"Download the review record (PDF, {pages}, {size})"
    return DocumentProgress(
        key=f"review-{review.pk}",
        title="Review record",
        description=DESCRIPTION,
        status=document.status,
        status_label=DocumentStatus(document.status).label,
        status_url=reverse("reviews:review_record_status", args=args),
        download_url=reverse("reviews:review_record_download", args=args) if ready else "",
        download_label=download_label,
        check_again_url=reverse("reviews:review_detail", args=args),
        error=document.error if document.status == DocumentStatus.FAILED else "",
        retry_url=reverse("reviews:review_record_retry", args=args)
        if may_retry and (document.status == DocumentStatus.FAILED or stale)
        else "",
        retry_label="Start again" if stale else "Try again",
        stale=stale,
        late=is_late(document),
    )
