"""Documents on the case: type by content, size, the virus check (EICAR held then refused; clamd's INSTREAM),
versions, the sweep, access per persona, the subject access pack."""

from __future__ import annotations

import datetime as dt
import socket
import struct
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
from django.conf import settings
from django.core.exceptions import ValidationError
from django.test import override_settings
from django.utils import timezone

from case_documents import filetypes, scanning
from case_documents.models import CaseDocument, DocumentCategory, DocumentVersion, ScanStatus
from case_documents.services import document_replace, version_scan, versions_take_stale
from case_documents.tasks import versions_resend_stale
from case_documents.views import documents_for
from cases import access
from cases.access import CATEGORY_ACTIONS
from cases.models import CaseEvent, CaseEventKind, Visibility
from cases.services import case_close
from data_rights.pack import subject_access_pack
from data_rights.pack_schema import pack_problems
from tests.case_documents.helpers import (
    DOC,
    DOCM,
    DOCX,
    EICAR_PDF,
    JPEG,
    PDF,
    PLAIN_ZIP,
    PNG,
    XLS,
    add_document,
    upload_file,
)
from tests.conftest import Cast


@pytest.mark.parametrize(
    ("content", "name", "extension"),
    [
        (PDF, "report.pdf", "pdf"),
        (PNG, "scan.pdf", "png"),  # the name lies: the content decides
        (JPEG, "photo", "jpg"),
        (DOCX, "plan.docx", "docx"),
        (DOC, "old-plan.doc", "doc"),
    ],
    ids=["pdf", "png-named-pdf", "jpeg-no-extension", "docx", "doc"],
)
def test_accepted_types_are_found_by_content_not_name(cast: Cast, content: bytes, name: str, extension: str) -> None:
    document = add_document(cast.case, cast.case_manager, content=content, name=name, scan=False)
    version = document.versions.get()
    assert version.extension == extension
    assert version.file.name.endswith(f".{extension}")
    assert name not in version.file.name  # stored under a random name, never the uploaded one
    assert version.file.read() == content


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"MZ\x90\x00 an executable renamed", "The file must be a PDF"),
        (XLS, "The file must be a PDF"),  # the old Office container without a Word stream
        (PLAIN_ZIP, "The file must be a PDF"),
        (DOCM, "contains macros"),
        (b"", "The selected file is empty"),
    ],
    ids=["executable", "spreadsheet", "zip", "docx-with-macros", "empty"],
)
def test_other_content_is_refused_whatever_its_name(cast: Cast, content: bytes, message: str) -> None:
    with pytest.raises(ValidationError) as refused:
        add_document(cast.case, cast.case_manager, content=content, name="court-report.pdf")
    assert message in str(refused.value.message_dict["file"])
    assert not CaseDocument.objects.exists()


@override_settings(ECM_DOCUMENT_MAX_BYTES=len(PDF) - 1)
def test_a_file_over_the_size_limit_is_refused(cast: Cast) -> None:
    with pytest.raises(ValidationError) as refused:
        add_document(cast.case, cast.case_manager)
    assert "must be smaller than" in refused.value.message_dict["file"][0]


def test_a_clean_version_is_held_until_its_check_then_ready(cast: Cast) -> None:
    document = add_document(cast.case, cast.case_manager, scan=False)
    version = document.versions.get()
    assert version.scan_status == ScanStatus.PENDING
    version_scan(version.pk)
    version.refresh_from_db()
    assert (version.scan_status, version.scanner) == (ScanStatus.CLEAN, scanning.BUILT_IN)
    assert version_scan(version.pk) is None  # a second delivery of the job does nothing


def test_the_eicar_string_is_found_the_file_deleted_and_the_chronology_says_why(
    cast: Cast, django_capture_on_commit_callbacks: object
) -> None:
    document = add_document(cast.case, cast.case_manager, content=EICAR_PDF, scan=False)
    version = document.versions.get()
    stored, storage = version.file.name, version.file.storage
    assert storage.exists(stored)
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        version_scan(version.pk)
    version.refresh_from_db()
    assert version.scan_status == ScanStatus.INFECTED
    assert version.scan_detail == scanning.EICAR_SIGNATURE
    assert not version.file
    assert not storage.exists(stored)
    refused = CaseEvent.objects.get(case=cast.case, kind=CaseEventKind.DOCUMENT, summary__contains="virus")
    assert refused.visibility == Visibility.FULL


def test_a_new_version_keeps_the_earlier_ones(cast: Cast) -> None:
    document = add_document(cast.case, cast.case_manager)
    second = document_replace(document=document, actor=cast.psychologist, file=upload_file(PNG, "scan.png"))
    versions = list(DocumentVersion.objects.filter(document=document).order_by("number"))
    assert [(v.number, v.extension) for v in versions] == [(1, "pdf"), (2, "png")]
    assert second.scan_status == ScanStatus.PENDING
    assert versions[0].scan_status == ScanStatus.CLEAN and versions[0].file.storage.exists(versions[0].file.name)
    assert CaseEvent.objects.filter(case=cast.case, kind=CaseEventKind.DOCUMENT).count() == 2


def test_a_closed_case_takes_no_document(cast: Cast) -> None:
    document = add_document(cast.case, cast.case_manager)
    case_close(
        case=cast.case, actor=cast.case_manager, reason="goals_met", outcome_summary="Settled.", ending_plan="None."
    )
    with pytest.raises(ValidationError, match="closed"):
        add_document(cast.case, cast.case_manager)
    with pytest.raises(ValidationError, match="closed"):
        document_replace(document=document, actor=cast.case_manager, file=upload_file())
    assert DocumentVersion.objects.count() == 1


def test_each_persona_sees_what_the_access_module_allows(cast: Cast) -> None:
    kept = add_document(cast.case, cast.case_manager, category="health", description="CAMHS letter")
    shared = add_document(cast.case, cast.case_manager, category="education", shared=True, description="Plan")
    for who in ("case_manager", "colleague", "psychologist", "senior_practitioner"):
        assert set(documents_for(getattr(cast, who), cast.case)) == {kept, shared}, who
    assert list(documents_for(cast.teacher, cast.case)) == [shared]  # the network: shared ones only
    for who in ("banes_case_manager", "social_worker", "commissioner", "administrator"):
        assert not documents_for(getattr(cast, who), cast.case).exists(), who
    assert access.may_add_documents(cast.case_manager, cast.case)
    assert not access.may_add_documents(cast.teacher, cast.case)


def test_every_category_has_its_rule_in_the_access_module() -> None:
    assert set(CATEGORY_ACTIONS) == set(DocumentCategory.values)


def test_the_sweep_sends_again_a_check_whose_message_was_lost(cast: Cast) -> None:
    document = add_document(cast.case, cast.case_manager, scan=False)
    version = document.versions.get()
    assert versions_take_stale() == []  # just sent: not stale yet
    DocumentVersion.objects.filter(pk=version.pk).update(sent_at=timezone.now() - dt.timedelta(minutes=2))
    queue = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    before = queue.llen("celery")
    assert versions_resend_stale() == 1
    assert queue.llen("celery") == before + 1
    assert versions_take_stale() == []  # stamped as sent again
    version.refresh_from_db()
    assert version.scan_status == ScanStatus.PENDING and version.sent_at is not None


@pytest.fixture
def fake_clamd(tmp_path: Path) -> Iterator[Path]:
    """A clamd speaking INSTREAM on a Unix socket: FOUND for the EICAR string, OK otherwise."""
    path = tmp_path / "clamd.sock"
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(str(path))
    server.listen(4)
    received: list[bytes] = []

    def serve() -> None:
        while True:
            try:
                connection, _ = server.accept()
            except OSError:
                return
            with connection:
                command = b""
                while not command.endswith(b"\0"):
                    command += connection.recv(1)
                assert command == b"zINSTREAM\0"
                data = b""
                while True:
                    (length,) = struct.unpack("!L", _exactly(connection, 4))
                    if length == 0:
                        break
                    data += _exactly(connection, length)
                received.append(data)
                found = scanning.EICAR in data
                connection.sendall(b"stream: Eicar-Test-Signature FOUND\0" if found else b"stream: OK\0")

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield path
    server.close()


def _exactly(connection: socket.socket, count: int) -> bytes:
    data = b""
    while len(data) < count:
        data += connection.recv(count - len(data))
    return data


def test_clamd_is_asked_over_instream_when_configured(cast: Cast, fake_clamd: Path) -> None:
    with override_settings(ECM_CLAMD_SOCKET=str(fake_clamd)):
        clean = add_document(cast.case, cast.case_manager).versions.get()
        infected = add_document(cast.case, cast.case_manager, content=EICAR_PDF).versions.get()
    clean.refresh_from_db()
    infected.refresh_from_db()
    assert (clean.scan_status, clean.scanner) == (ScanStatus.CLEAN, scanning.CLAMD)
    assert (infected.scan_status, infected.scan_detail) == (ScanStatus.INFECTED, "Eicar-Test-Signature")


def test_clamd_unreachable_leaves_the_version_held(cast: Cast, tmp_path: Path) -> None:
    with override_settings(ECM_CLAMD_SOCKET=str(tmp_path / "nobody-listens.sock")):
        document = add_document(cast.case, cast.case_manager, scan=False)
        version = document.versions.get()
        with pytest.raises(scanning.ScannerUnavailable):
            version_scan(version.pk)
    version.refresh_from_db()
    assert version.scan_status == ScanStatus.PENDING
    assert version.claimed_at is None  # released for the retry
    assert "could not be done" in version.scan_detail


def test_the_subject_access_pack_lists_the_documents_and_their_versions(cast: Cast) -> None:
    document = add_document(cast.case, cast.case_manager, category="consent", description="Signed consent form")
    document_replace(document=document, actor=cast.case_manager, file=upload_file(JPEG, "consent-photo.jpg"))
    pack = subject_access_pack(cast.case.child)
    assert pack_problems(pack) == []
    [item] = pack["sections"]["uploaded_documents"]
    assert (item["category"], item["description"], item["shared_with_network"]) == (
        "Consent",
        "Signed consent form",
        False,
    )
    assert [(v["version"], v["file_name"], v["virus_check"]) for v in item["versions"]] == [
        (1, "report.pdf", "Ready"),
        (2, "consent-photo.jpg", "Waiting for a virus check"),
    ]


def test_detection_leaves_the_stream_at_its_start() -> None:
    upload = upload_file(DOCX, "plan.docx")
    assert filetypes.detect(upload) is filetypes.DOCX
    assert upload.tell() == 0
