"""A subject access request in a real browser: Jordan, the senior practitioner, starts one from Kai's case page
(the deadline shown), sees the request with its JSON file and its PDF pack being made, downloads both once the
pack is made, and finds the request in the list with its due date. Every page is checked with axe (support.look).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from accounts.models import AccessAction, AccessEvent
from core.documents.tasks import render_document
from data_rights.deadlines import subject_access_due_on
from data_rights.models import SubjectAccessDocument, SubjectAccessRequest
from data_rights.services import SUBJECT_ACCESS_PACK
from tests.browser.support import look, sign_in, visit
from tests.conftest import Cast


@pytest.fixture(autouse=True)
def media_root(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return Path(settings.MEDIA_ROOT)


def test_the_senior_practitioner_starts_a_request_from_the_case_and_downloads_the_pack(
    page: Page, live_server: Any, cast: Cast
) -> None:
    sign_in(page, live_server, cast.senior_practitioner.username, name="sar - senior practitioner")
    visit(page, live_server, f"/cases/{cast.case.pk}/details/", "sar - the case's details page")
    page.get_by_role("link", name="Start a subject access request about Kai Brennan").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Start a subject access request")
    today = timezone.localdate()
    expect(page.get_by_text(f"due by {subject_access_due_on(today):%A} ")).to_be_visible()
    look(page, "sar - the request's details")

    page.get_by_role("button", name="Start the request and gather the record").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter the request's reference")
    look(page, "sar - errors")

    page.get_by_label("Request reference").fill("IG-2026-0042")
    page.get_by_label("A parent or carer").check()
    page.get_by_label("Their name").fill("Maria Brennan")
    received = today - dt.timedelta(days=2)
    group = page.get_by_role("group", name="Date the request was received")
    group.get_by_label("Day").fill(str(received.day))
    group.get_by_label("Month").fill(str(received.month))
    group.get_by_label("Year").fill(str(received.year))
    page.get_by_role("button", name="Start the request and gather the record").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Subject access request IG-2026-0042")
    due = subject_access_due_on(received)
    expect(page.get_by_text(f"{due:%A} {due.day} {due:%B %Y}")).to_be_visible()
    expect(page.get_by_text("Waiting to start")).to_be_visible()
    look(page, "sar - the request, pdf waiting")

    sar = SubjectAccessRequest.objects.get()
    document = SubjectAccessDocument.objects.get(request=sar)
    render_document.apply(args=(SUBJECT_ACCESS_PACK, document.pk))  # the job, run here instead of on a worker
    pdf_link = page.get_by_role("link", name=re.compile(r"^Download the PDF pack \(PDF, \d+ pages, \d+ KB\)$"))
    expect(pdf_link).to_be_visible(timeout=15_000)  # the page asks every 2 seconds and puts the link in place
    look(page, "sar - the request, pdf ready")

    with page.expect_download() as download_info:
        page.get_by_role("link", name=re.compile("^Download the JSON file")).click()
    download = download_info.value
    assert download.suggested_filename == f"ecm-subject-access-request-{sar.pk}.json"
    pack = json.loads(Path(download.path()).read_text(encoding="utf-8"))
    assert pack["sections"]["child"]["family_name"] == "Brennan"
    with page.expect_download() as download_info:
        pdf_link.click()
    assert download_info.value.suggested_filename == f"ecm-subject-access-request-{sar.pk}.pdf"
    assert Path(download_info.value.path()).read_bytes().startswith(b"%PDF-")
    downloads = AccessEvent.objects.filter(
        user=cast.senior_practitioner, action=AccessAction.DOWNLOAD, record_type="subject access request"
    )
    assert downloads.count() == 2

    page.get_by_role("link", name="Subject access requests", exact=True).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Subject access requests")
    row = page.get_by_role("row").filter(has_text="IG-2026-0042")
    expect(row).to_contain_text("Kai Brennan")
    expect(row).to_contain_text(f"{due.day} {due:%b %Y}")
    expect(row).to_contain_text("Open")
    look(page, "sar - the list")

    # Finding a child from the list: by exact name and date of birth only.
    page.get_by_role("link", name="Start a subject access request").click()
    look(page, "sar - find the child")
    born = cast.case.child.date_of_birth
    page.get_by_label("First name").fill("Kai")
    page.get_by_label("Last name").fill("Brennan")
    page.get_by_label("Day").fill(str(born.day))
    page.get_by_label("Month").fill(str(born.month))
    page.get_by_label("Year").fill(str(born.year))
    page.get_by_role("button", name="Find the child").click()
    expect(page.get_by_role("link", name="Start a request about Kai Brennan")).to_be_visible()
    look(page, "sar - the child found")
