"""The review record PDF: asked for when the review is signed off, made by the job through the shared
document pipeline (core/documents/), downloaded by the case team with the download in the access log."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from accounts.models import AccessAction, AccessEvent, User
from core.documents.lifecycle import document_failed, document_render
from core.documents.models import DocumentState
from core.documents.tasks import render_document
from reviews import documents
from reviews.models import Review, ReviewDocument
from reviews.services import review_sign_off
from tests.conftest import Cast
from tests.reviews.helpers import on
from tests.reviews.review_helpers import REVIEW_DAY, formulated, record_every_step, reload, scheduled_review

RESULTS = Path("test-results/review-pdfs")


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def pdf_text(path: str) -> str:
    return subprocess.run(  # noqa: S603 - a fixed tool on a file the test made
        ["/usr/bin/pdftotext", "-layout", path, "-"], capture_output=True, text=True, check=True
    ).stdout


@pytest.fixture
def sent(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The job's messages, caught instead of sent (each test runs the job itself)."""
    caught: list[int] = []
    monkeypatch.setattr(render_document, "delay", lambda kind, document_id: caught.append(document_id))
    return caught


@pytest.fixture
def signed_off(cast: Cast, django_capture_on_commit_callbacks: Any, sent: list[int]) -> Review:
    formulated(cast)
    review = scheduled_review(cast)
    with on(REVIEW_DAY, 12):
        record_every_step(cast, review)
        with django_capture_on_commit_callbacks(execute=True):
            review_sign_off(review=reload(review), actor=cast.senior_practitioner)
    document = ReviewDocument.objects.get(review=review)
    assert sent == [document.pk]
    return reload(review)


def test_signing_off_asks_for_the_pdf_and_the_job_makes_it(cast: Cast, signed_off: Review) -> None:
    document = ReviewDocument.objects.get(review=signed_off)
    assert document.status == DocumentState.QUEUED
    made = document_render(documents.REVIEW_RECORD, document.pk)
    assert isinstance(made, ReviewDocument)
    assert (made.status, made.attempts) == (DocumentState.READY, 1)
    assert made.pages and made.pages >= 2
    assert made.file.name.endswith(".pdf") and "ecm-case-" in made.file.name and "Brennan" not in made.file.name
    assert documents.review_document_filename(made) == f"ecm-case-{cast.case.pk}-review-2027-03-03.pdf"
    text = pdf_text(made.file.path)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "review-record.txt").write_text(text)
    assert "Review record" in text
    assert f"K.B. · ECM case {cast.case.pk}" in text  # the running header on every page
    assert text.count("Kai Brennan") == 1  # named once, in the details on the first page
    assert "Start CBT sessions on anger" in text
    assert "Sequencing: This suits children from" in text
    assert "Fernbrook Academy (1 of 1)" in text
    assert "Kai says school is better since the check-ins started." in text
    # A second run of the same message does nothing.
    assert document_render(documents.REVIEW_RECORD, document.pk) is None


def test_the_case_team_downloads_it_and_the_download_is_logged(cast: Cast, signed_off: Review) -> None:
    document = ReviewDocument.objects.get(review=signed_off)
    document_render(documents.REVIEW_RECORD, document.pk)
    base = f"/cases/{cast.case.pk}/reviews/{signed_off.pk}/"
    client = signed_in(cast.case_manager)
    page = client.get(base).content.decode()
    assert "Download the review record (PDF, " in page
    status = json.loads(client.get(f"{base}record/status/").content)
    assert (status["status"], status["finished"]) == ("ready", True)
    response = client.get(f"{base}record.pdf")
    assert response.status_code == 200
    assert response["Content-Disposition"] == (f'attachment; filename="ecm-case-{cast.case.pk}-review-2027-03-03.pdf"')
    assert b"".join(response.streaming_content).startswith(b"%PDF")  # type: ignore[attr-defined]
    event = AccessEvent.objects.filter(user=cast.case_manager, action=AccessAction.DOWNLOAD).get()
    assert (event.case_id, event.record_type) == (cast.case.pk, "review_document")
    assert signed_in(cast.teacher).get(f"{base}record.pdf").status_code == 403
    assert signed_in(cast.banes_case_manager).get(f"{base}record.pdf").status_code == 404


def test_a_failed_pdf_is_offered_again(
    cast: Cast, signed_off: Review, django_capture_on_commit_callbacks: Any, sent: list[int]
) -> None:
    document = ReviewDocument.objects.get(review=signed_off)
    document_failed(documents.REVIEW_RECORD, document.pk, message="The renderer ran out of memory", final=True)
    base = f"/cases/{cast.case.pk}/reviews/{signed_off.pk}/"
    client = signed_in(cast.psychologist)
    page = client.get(base).content.decode()
    assert "The renderer ran out of memory" in page and "Try again" in page
    sent.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"{base}record/retry/")
    assert response.status_code == 302
    document.refresh_from_db()
    assert (document.status, document.error, sent) == (DocumentState.QUEUED, "", [document.pk])
    assert client.get(f"{base}record.pdf").status_code == 404  # not ready yet


def test_an_open_review_has_no_pdf(cast: Cast) -> None:
    formulated(cast)
    review = scheduled_review(cast)
    with pytest.raises(documents.DocumentNotRenderable):
        documents.review_pdf_render(review=review)
    assert signed_in(cast.case_manager).get(f"/cases/{cast.case.pk}/reviews/{review.pk}/record.pdf").status_code == 404
