"""The Documents pages with the Django client: list and filter, upload with the error summary, a new version,
the download's headers and access events, the network's view, a closed case, the overview's glance."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse

from accounts.models import AccessAction, AccessEvent
from case_documents.models import CaseDocument, DocumentVersion
from cases.models import CaseEvent, CaseEventKind
from cases.services import case_close
from tests.case_documents.helpers import EICAR_PDF, PDF, PNG, add_document, upload_file
from tests.conftest import Cast


def _client(user: object) -> Client:
    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    return client


def test_the_list_shows_the_team_everything_and_the_network_only_what_is_shared(cast: Cast) -> None:
    add_document(cast.case, cast.case_manager, category="health", description="CAMHS letter")
    add_document(cast.case, cast.case_manager, category="education", shared=True, description="Support plan")
    url = reverse("case_documents:list", args=[cast.case.pk])

    team = _client(cast.psychologist).get(url)
    assert b"CAMHS letter" in team.content and b"Support plan" in team.content

    network = _client(cast.teacher).get(url)
    assert network.status_code == 200
    assert b"Support plan" in network.content and b"CAMHS letter" not in network.content

    filtered = _client(cast.case_manager).get(url, {"category": "health"})
    assert b"CAMHS letter" in filtered.content and b"Support plan" not in filtered.content


def test_the_empty_list_says_so_and_offers_the_upload(cast: Cast) -> None:
    response = _client(cast.case_manager).get(reverse("case_documents:list", args=[cast.case.pk]))
    assert b"No documents have been uploaded yet." in response.content
    assert reverse("case_documents:upload", args=[cast.case.pk]).encode() in response.content


def test_upload_holds_the_file_for_its_virus_check(cast: Cast) -> None:
    response = _client(cast.case_manager).post(
        reverse("case_documents:upload", args=[cast.case.pk]),
        {
            "file": upload_file(PDF, "pre-sentence report.pdf"),
            "category": "court",
            "document_date_day": "3",
            "document_date_month": "11",
            "document_date_year": "2025",
            "description": "Pre-sentence report",
            "shared_with_network": "on",
        },
    )
    document = CaseDocument.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"/documents/{document.pk}/")
    assert document.shared_with_network and document.category == "court"
    page = _client(cast.case_manager).get(response["Location"])
    assert b"waiting for a virus check" in page.content
    assert b"/download/" not in page.content  # nothing to download yet
    assert CaseEvent.objects.filter(case=cast.case, kind=CaseEventKind.DOCUMENT).count() == 1


def test_a_wrong_file_comes_back_with_the_error_summary_and_loses_nothing_typed(cast: Cast) -> None:
    response = _client(cast.case_manager).post(
        reverse("case_documents:upload", args=[cast.case.pk]),
        {
            "file": upload_file(b"MZ\x90\x00 not a document", "report.pdf"),
            "category": "education",
            "document_date_day": "3",
            "document_date_month": "11",
            "document_date_year": "2025",
            "description": "School attendance letter",
        },
    )
    assert response.status_code == 200
    assert b"There is a problem" in response.content
    assert b"The file must be a PDF" in response.content
    assert b'value="School attendance letter"' in response.content
    assert b'value="education" checked' in response.content
    assert not CaseDocument.objects.exists()


def test_download_streams_a_clean_version_as_an_attachment_and_logs_it(cast: Cast) -> None:
    document = add_document(cast.case, cast.case_manager, shared=True)
    version = document.versions.get()
    url = reverse("case_documents:download", args=[cast.case.pk, document.pk, version.pk])
    response = _client(cast.teacher).get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF  # type: ignore[attr-defined]
    assert response["Content-Disposition"] == f'attachment; filename="ecm-case-{cast.case.pk}-court-report-v1.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"  # never run as a page
    assert "no-store" in response["Cache-Control"]
    assert response["Content-Type"] == "application/pdf"
    logged = AccessEvent.objects.get(user=cast.teacher, action=AccessAction.DOWNLOAD)
    assert (logged.record_type, logged.record_id, logged.case_id) == ("case_document", str(document.pk), cast.case.pk)


def test_a_held_or_infected_version_is_not_found(cast: Cast) -> None:
    held = add_document(cast.case, cast.case_manager, scan=False).versions.get()
    infected = add_document(cast.case, cast.case_manager, content=EICAR_PDF).versions.get()
    client = _client(cast.case_manager)
    for version in (held, infected):
        url = reverse("case_documents:download", args=[cast.case.pk, version.document_id, version.pk])
        assert client.get(url).status_code == 404
    page = client.get(reverse("case_documents:detail", args=[cast.case.pk, infected.document_id]))
    assert b"A virus was found in version 1 (Eicar-Test-Signature). The file was deleted" in page.content


def test_opening_a_document_is_logged_and_the_network_finds_only_shared_ones(cast: Cast) -> None:
    kept = add_document(cast.case, cast.case_manager, description="Court report")
    shared = add_document(cast.case, cast.case_manager, shared=True, description="Support plan")
    teacher = _client(cast.teacher)
    assert teacher.get(reverse("case_documents:detail", args=[cast.case.pk, kept.pk])).status_code == 404
    assert teacher.get(reverse("case_documents:detail", args=[cast.case.pk, shared.pk])).status_code == 200
    kept_version = kept.versions.get()
    download = reverse("case_documents:download", args=[cast.case.pk, kept.pk, kept_version.pk])
    assert teacher.get(download).status_code == 404
    assert AccessEvent.objects.filter(
        user=cast.teacher, action=AccessAction.VIEW, record_type="case_document", record_id=str(shared.pk)
    ).exists()


def test_a_new_version_is_listed_beside_the_first(cast: Cast) -> None:
    document = add_document(cast.case, cast.case_manager)
    client = _client(cast.psychologist)
    response = client.post(
        reverse("case_documents:replace", args=[cast.case.pk, document.pk]), {"file": upload_file(PNG, "scan.png")}
    )
    assert response.status_code == 302
    assert list(DocumentVersion.objects.filter(document=document).values_list("number", flat=True)) == [2, 1]
    page = client.get(response["Location"])
    assert b"Download version 1" in page.content  # the earlier, clean version stays downloadable
    assert b"Waiting for a virus check" in page.content


def test_a_closed_case_offers_no_upload_and_takes_none(cast: Cast) -> None:
    document = add_document(cast.case, cast.case_manager)
    case_close(
        case=cast.case, actor=cast.case_manager, reason="goals_met", outcome_summary="Settled.", ending_plan="None."
    )
    client = _client(cast.case_manager)
    listing = client.get(reverse("case_documents:list", args=[cast.case.pk]))
    assert b"This case is closed" in listing.content
    assert reverse("case_documents:upload", args=[cast.case.pk]).encode() not in listing.content
    posted = client.post(reverse("case_documents:replace", args=[cast.case.pk, document.pk]), {"file": upload_file()})
    assert posted.status_code == 302
    assert DocumentVersion.objects.count() == 1


def test_the_overview_glances_at_the_documents_and_the_tab_is_there(cast: Cast) -> None:
    add_document(cast.case, cast.case_manager)
    add_document(cast.case, cast.case_manager, shared=True)
    team = _client(cast.case_manager).get(reverse("cases:detail", args=[cast.case.pk]))
    assert b"2 documents" in team.content
    network = _client(cast.teacher).get(reverse("cases:detail", args=[cast.case.pk]))
    assert reverse("case_documents:list", args=[cast.case.pk]).encode() in network.content  # the tab
