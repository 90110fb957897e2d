"""The report PDFs' pages: the documents page and panel, the status JSON, download (logged) and try again.

The access triad on each: the case team (allowed), the teacher in Kai's network (the summary only:
the full report and the child's PDF are 403), BANES and outsiders (404).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.template import engines
from django.test import Client, RequestFactory

from accounts.models import AccessAction, AccessEvent, User
from core.documents.models import DocumentState
from formulation.models import DocumentKind, FormulationReport, ReportDocument, ReportStatus
from tests.conftest import Cast
from tests.factories import all_ready, kais_report, ready_document

KINDS = (DocumentKind.FULL, DocumentKind.SUMMARY, DocumentKind.CHILD)


@pytest.fixture(autouse=True)
def media_root(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return Path(settings.MEDIA_ROOT)


@pytest.fixture
def report(cast: Cast) -> FormulationReport:
    return kais_report(cast)


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def url(report: FormulationReport, kind: str = "", action: str = "") -> str:
    base = f"/cases/{report.case_id}/formulation/{report.pk}/documents/"
    return f"{base}{kind}/{action}/" if kind else base


def downloads(user: User) -> list[AccessEvent]:
    return list(AccessEvent.objects.filter(user=user, action=AccessAction.DOWNLOAD))


def test_the_case_team_sees_every_pdf_of_the_report_with_its_download_link(
    cast: Cast, report: FormulationReport
) -> None:
    all_ready(report)
    for person in (cast.case_manager, cast.colleague, cast.psychologist, cast.senior_practitioner):
        response = signed_in(person).get(url(report))
        assert response.status_code == 200
        page = response.content.decode()
        for kind, label in DocumentKind.choices:
            assert f'<h3 class="govuk-heading-s govuk-!-margin-bottom-1">{label}</h3>' in page
            assert f'href="{url(report, kind, "download")}"' in page
        assert "Download the full report (PDF, 1 page, 1 KB)" in page
        assert "ecm/document_progress.js" in page
        assert "Every download is recorded in the case's access log" in page


def test_the_teacher_in_the_network_sees_only_the_summary(cast: Cast, report: FormulationReport) -> None:
    all_ready(report)
    response = signed_in(cast.teacher).get(url(report))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Summary for the network" in page
    assert url(report, DocumentKind.SUMMARY, "download") in page
    for kind in (DocumentKind.FULL, DocumentKind.CHILD):
        assert url(report, kind, "download") not in page
    assert "Full report" not in page and "Child-friendly summary" not in page
    assert "You can download the summary for the network" in page


@pytest.mark.parametrize("who", ["banes_case_manager", "social_worker", "commissioner", "administrator"])
def test_people_outside_the_case_get_404_for_the_documents_page(
    cast: Cast, report: FormulationReport, who: str
) -> None:
    assert signed_in(cast.everyone()[who]).get(url(report)).status_code == 404


def test_a_report_that_is_not_signed_off_or_of_another_case_has_no_documents_page(
    cast: Cast, report: FormulationReport
) -> None:
    FormulationReport.objects.filter(pk=report.pk).update(status=ReportStatus.IN_REVIEW)
    assert signed_in(cast.case_manager).get(url(report)).status_code == 404
    FormulationReport.objects.filter(pk=report.pk).update(status=ReportStatus.SIGNED_OFF)
    elsewhere = f"/cases/{cast.case.pk + 1000}/formulation/{report.pk}/documents/"
    assert signed_in(cast.case_manager).get(elsewhere).status_code == 404


def test_the_status_says_where_the_job_is_and_brings_the_markup_for_its_state(
    cast: Cast, report: FormulationReport
) -> None:
    full = ReportDocument.objects.create(report=report, kind=DocumentKind.FULL)
    client = signed_in(cast.case_manager)
    waiting = client.get(url(report, DocumentKind.FULL, "status")).json()
    assert (waiting["status"], waiting["finished"], waiting["status_label"]) == ("queued", False, "Waiting to start")
    assert "Check again" in waiting["html"] and "download" not in waiting["html"]

    ready_document(report, DocumentKind.FULL)
    ready = client.get(url(report, DocumentKind.FULL, "status")).json()
    assert (ready["status"], ready["finished"]) == ("ready", True)
    assert f'href="{url(report, DocumentKind.FULL, "download")}"' in ready["html"]

    ReportDocument.objects.filter(pk=full.pk).update(status=DocumentState.FAILED, error="The PDF could not be made.")
    failed = client.get(url(report, DocumentKind.FULL, "status")).json()
    assert (failed["status"], failed["finished"]) == ("failed", True)
    assert "The PDF could not be made." in failed["html"]
    assert f'action="{url(report, DocumentKind.FULL, "retry")}"' in failed["html"]
    assert "csrfmiddlewaretoken" in failed["html"]


def test_polling_the_status_does_not_fill_the_access_log(cast: Cast, report: FormulationReport) -> None:
    ReportDocument.objects.create(report=report, kind=DocumentKind.SUMMARY)
    before = AccessEvent.objects.count()
    for _ in range(3):
        assert signed_in(cast.teacher).get(url(report, DocumentKind.SUMMARY, "status")).status_code == 200
    assert AccessEvent.objects.count() == before


def test_the_teacher_is_not_offered_to_try_a_failed_summary_again(cast: Cast, report: FormulationReport) -> None:
    ReportDocument.objects.create(report=report, kind=DocumentKind.SUMMARY, status=DocumentState.FAILED, error="x")
    body = signed_in(cast.teacher).get(url(report, DocumentKind.SUMMARY, "status")).json()
    assert "retry" not in body["html"] and "The case team can try again." in body["html"]
    assert signed_in(cast.teacher).get(url(report, DocumentKind.FULL, "status")).status_code == 403


@pytest.mark.parametrize("kind", KINDS)
def test_the_case_team_downloads_each_pdf_and_the_download_is_logged(
    cast: Cast, report: FormulationReport, kind: str
) -> None:
    document = ready_document(report, kind, content=b"%PDF-1.7 " + kind.encode())
    response = signed_in(cast.case_manager).get(url(report, kind, "download"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    filename = f"ecm-case-{cast.case.pk}-formulation-report-v1-{kind}.pdf"
    assert response["Content-Disposition"] == f'attachment; filename="{filename}"'
    assert b"".join(response.streaming_content) == b"%PDF-1.7 " + kind.encode()  # type: ignore[attr-defined]
    [event] = downloads(cast.case_manager)
    assert event.record_type == "formulation_report_document"
    assert event.record_id == str(document.pk)
    assert event.case_id == cast.case.pk
    assert event.description == f"{DocumentKind(kind).label} of formulation report version 1 (PDF)"
    assert "no-store" in response["Cache-Control"]


def test_the_teacher_downloads_the_summary_but_not_the_full_report_or_the_childs(
    cast: Cast, report: FormulationReport
) -> None:
    all_ready(report)
    client = signed_in(cast.teacher)
    assert client.get(url(report, DocumentKind.SUMMARY, "download")).status_code == 200
    for kind in (DocumentKind.FULL, DocumentKind.CHILD):
        assert client.get(url(report, kind, "download")).status_code == 403
    [event] = downloads(cast.teacher)
    assert event.description == "Summary for the network of formulation report version 1 (PDF)"
    refusals = AccessEvent.objects.filter(user=cast.teacher, action=AccessAction.DENIED)
    assert sorted(refusals.values_list("description", flat=True)) == ["view: forbidden", "view: forbidden"]


@pytest.mark.parametrize("who", ["banes_case_manager", "social_worker", "commissioner", "administrator"])
def test_people_outside_the_case_cannot_download_any_pdf(cast: Cast, report: FormulationReport, who: str) -> None:
    all_ready(report)
    person = cast.everyone()[who]
    for kind in KINDS:
        assert signed_in(person).get(url(report, kind, "download")).status_code == 404
    assert downloads(person) == []


def test_a_pdf_that_is_not_ready_or_not_a_kind_cannot_be_downloaded(cast: Cast, report: FormulationReport) -> None:
    ReportDocument.objects.create(report=report, kind=DocumentKind.FULL)
    client = signed_in(cast.case_manager)
    assert client.get(url(report, DocumentKind.FULL, "download")).status_code == 404
    assert client.get(url(report, DocumentKind.SUMMARY, "download")).status_code == 404  # never asked for
    assert client.get(url(report, "story", "download")).status_code == 404
    assert downloads(cast.case_manager) == []


def test_the_case_team_tries_a_failed_pdf_again(
    cast: Cast, report: FormulationReport, monkeypatch: pytest.MonkeyPatch, django_capture_on_commit_callbacks: Any
) -> None:
    from core.documents.tasks import render_document

    sent: list[int] = []
    monkeypatch.setattr(render_document, "delay", lambda kind, document_id: sent.append(document_id))
    failed = ReportDocument.objects.create(
        report=report, kind=DocumentKind.FULL, status=DocumentState.FAILED, error="It broke"
    )
    client = signed_in(cast.psychologist)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url(report, DocumentKind.FULL, "retry"))
    assert response.status_code == 302 and response["Location"] == url(report)
    failed.refresh_from_db()
    assert failed.status == DocumentState.QUEUED and sent == [failed.pk]
    page = client.get(url(report)).content.decode()
    assert "The full report is being made again" in page
    assert "Waiting to start" in page

    again = client.post(url(report, DocumentKind.FULL, "retry"), follow=True)
    assert "nothing to try again" in again.content.decode()
    assert client.get(url(report, DocumentKind.FULL, "retry")).status_code == 405


def test_the_panel_for_the_report_page_shows_what_the_person_may_download(
    cast: Cast, report: FormulationReport
) -> None:
    all_ready(report)
    template = engines["django"].from_string(
        '{% include "formulation/includes/report_documents.html" with report=report %}'
    )

    def panel(user: User, shown: FormulationReport) -> str:
        request = RequestFactory().get("/")
        request.user = user
        return template.render({"report": shown}, request)

    for_sam = panel(cast.case_manager, report)
    assert "PDFs of this report" in for_sam
    assert all(url(report, kind, "download") in for_sam for kind in KINDS)
    for_helen = panel(cast.teacher, report)
    assert [kind for kind in KINDS if url(report, kind, "download") in for_helen] == [DocumentKind.SUMMARY]
    draft = FormulationReport(case=cast.case, version=2, status=ReportStatus.DRAFT)
    assert "The PDFs are made when the report is signed off." in panel(cast.case_manager, draft)


def test_a_signed_off_report_whose_pdfs_were_never_asked_for_says_so(cast: Cast, report: FormulationReport) -> None:
    page = signed_in(cast.case_manager).get(url(report)).content.decode()
    assert "No PDF of this report has been made. Ask the ECM team." in page
