"""The chronology printed (issue 16): a print stylesheet that leaves the page's furniture off, and a PDF of the
filtered chronology made by the document pipeline, headed with the child's initials and the case number, for
whoever may read the chronology, its download in the access log."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from accounts.models import AccessAction, AccessEvent
from cases.documents import chronology_pdf_context
from cases.models import CaseEventKind, ChronologyDocument, Visibility
from cases.selectors import ChronologyFilters
from cases.services import case_event_add
from core.documents.lifecycle import document_render
from core.documents.models import DocumentState
from tests.conftest import Cast
from tests.factories import log_contact

ROOT = Path(settings.BASE_DIR)


@pytest.fixture(autouse=True)
def media_root(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return Path(settings.MEDIA_ROOT)


def pdf_text(path: Path) -> str:
    return subprocess.run(  # noqa: S603 - a fixed tool on a file the test made
        ["/usr/bin/pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def lines(cast: Cast) -> None:
    now = timezone.now()
    case_event_add(
        case=cast.case,
        kind=CaseEventKind.OTHER,
        summary="Kai moved to Redcliffe with his aunt",
        actor=cast.case_manager,
        occurred_at=now - dt.timedelta(days=30),
        significant=True,
    )
    case_event_add(
        case=cast.case,
        kind=CaseEventKind.OTHER,
        summary="Kai joined the Saturday football club",
        actor=cast.case_manager,
        occurred_at=now - dt.timedelta(days=20),
    )
    log_contact(cast.case, cast.case_manager, restricted=True, with_whom="Kai and Ysolde", days_ago=10)


def make(client: Client, cast: Cast, query: str = "") -> ChronologyDocument:
    response = client.post(f"/cases/{cast.case.pk}/chronology/pdf/{query}")
    assert response.status_code == 302
    assert response["Location"] == f"/cases/{cast.case.pk}/chronology/{query}#pdfs"
    document = ChronologyDocument.objects.filter(requested_by_id=client.session["_auth_user_id"]).latest("pk")
    made = document_render("cases.chronology", document.pk)
    assert made is not None and made.status == DocumentState.READY
    return made  # type: ignore[return-value]


def test_the_pdf_holds_the_filtered_chronology_headed_with_initials_not_the_name(
    cast: Cast, client: Client, media_root: Path
) -> None:
    lines(cast)
    client.force_login(cast.case_manager)
    document = make(client, cast, "?q=kai&significant=on")
    assert document.search == "kai" and document.significant_only and document.kinds == []
    text = pdf_text(media_root / document.file.name)
    assert "K.B." in text and f"ECM case {cast.case.pk}" in text
    assert "Kai Brennan" not in text and "Brennan" not in text
    assert "Kai moved to Redcliffe with his aunt" in text and "Significant" in text
    assert "Saturday football" not in text  # not significant: filtered out
    assert "containing \u201ckai\u201d; marked significant" in text
    assert document.file.name.endswith(f"ecm-case-{cast.case.pk}-chronology-{timezone.localdate():%Y-%m-%d}.pdf")
    export = AccessEvent.objects.get(action=AccessAction.EXPORT, record_type="chronology")
    assert export.user == cast.case_manager and "containing" in export.description


def test_the_pdf_shows_only_what_its_requester_may_see(cast: Cast, client: Client, media_root: Path) -> None:
    lines(cast)
    case_event_add(
        case=cast.case,
        kind=CaseEventKind.NETWORK,
        summary="Rowan Teale joined the network",
        actor=cast.case_manager,
        visibility=Visibility.SUMMARY,
    )
    client.force_login(cast.colleague)
    text = pdf_text(media_root / make(client, cast).file.name)
    assert "Saturday football" in text and "Ysolde" not in text  # no restricted line for her
    client.force_login(cast.case_manager)
    assert "Ysolde" in pdf_text(media_root / make(client, cast).file.name)
    client.force_login(cast.teacher)  # the network reads the chronology's summary lines: its PDF has those alone
    text = pdf_text(media_root / make(client, cast).file.name)
    assert "Rowan Teale joined the network" in text and "Saturday football" not in text and "Ysolde" not in text


def test_the_pdf_is_its_requesters_to_download_and_the_download_is_logged(cast: Cast, client: Client) -> None:
    lines(cast)
    client.force_login(cast.case_manager)
    document = make(client, cast)
    base = f"/cases/{cast.case.pk}/chronology/pdf/{document.pk}/"
    page = client.get(f"/cases/{cast.case.pk}/chronology/").content.decode()
    assert "Your PDFs of this chronology" in page and f'href="{base}download/"' in page
    status = json.loads(client.get(base + "status/").content)
    assert status["status"] == "ready" and status["finished"]
    response = client.get(base + "download/")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert f'filename="ecm-case-{cast.case.pk}-chronology-' in response["Content-Disposition"]
    assert b"".join(response.streaming_content).startswith(b"%PDF")  # type: ignore[attr-defined]
    download = AccessEvent.objects.get(action=AccessAction.DOWNLOAD, record_type="chronology")
    assert download.user == cast.case_manager and download.record_id == str(document.pk)
    for who in ("colleague", "psychologist", "teacher"):  # they may read the chronology, not this PDF
        client.force_login(cast.everyone()[who])
        assert client.get(base + "download/").status_code == 404, who
        assert client.get(base + "status/").status_code == 404, who
    client.force_login(cast.banes_case_manager)
    assert client.get(base + "download/").status_code == 404
    assert client.post(f"/cases/{cast.case.pk}/chronology/pdf/").status_code == 404


def test_a_pdf_of_a_wrong_date_range_is_not_asked_for(cast: Cast, client: Client) -> None:
    client.force_login(cast.case_manager)
    query = "?date_from_day=2&date_from_month=3&date_from_year=2026&date_to_day=1&date_to_month=3&date_to_year=2026"
    response = client.post(f"/cases/{cast.case.pk}/chronology/pdf/{query}")
    assert response.status_code == 302 and "#pdfs" not in response["Location"]
    assert not ChronologyDocument.objects.exists()


def test_a_requester_who_lost_the_case_gets_no_pdf(cast: Cast) -> None:
    document = ChronologyDocument.objects.create(case=cast.case, requested_by=cast.banes_case_manager)
    from core.documents.rendering import DocumentNotRenderable

    with pytest.raises(DocumentNotRenderable):
        chronology_pdf_context(document)
    assert ChronologyFilters().description == ""


def test_the_print_stylesheet_leaves_the_furniture_off(cast: Cast, client: Client) -> None:
    client.force_login(cast.case_manager)
    body = client.get(f"/cases/{cast.case.pk}/chronology/").content.decode()
    assert '<link rel="stylesheet" href="/static/ecm/print.css" media="print">' in body
    assert "ecm-chronology-filters ecm-no-print" in body
    css = (ROOT / "static" / "ecm" / "print.css").read_text()
    hidden = css.split("{", 1)[0]
    for selector in (
        ".govuk-header",
        ".govuk-service-navigation",
        ".moj-sub-navigation",
        ".govuk-footer",
        ".ecm-no-print",
    ):
        assert selector in hidden, selector
    assert "display: none" in css.split("}", 1)[0]
