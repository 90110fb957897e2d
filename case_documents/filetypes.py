"""What an uploaded file is, read from its content (its first bytes and, for Word, its structure), never from
its name or the content type the browser sent.

Accepted: PDF, Word (.docx, and .doc from Word 97-2003), PNG and JPEG images. A .docx with macros
(`word/vbaProject.bin`) is refused, as is anything else (a spreadsheet in the old Office container, an
executable renamed .pdf...).
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from typing import IO

from django.core.exceptions import ValidationError


@dataclass(frozen=True)
class FileType:
    extension: str
    content_type: str
    label: str


PDF = FileType("pdf", "application/pdf", "PDF")
DOCX = FileType("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "Word")
DOC = FileType("doc", "application/msword", "Word (97-2003)")
PNG = FileType("png", "image/png", "PNG image")
JPEG = FileType("jpg", "image/jpeg", "JPEG image")
ACCEPTED = (PDF, DOCX, DOC, PNG, JPEG)
ACCEPTED_WORDS = "a PDF, a Word document (.docx or .doc), or a PNG or JPEG image"

_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# The stream every Word 97-2003 file has, as its directory writes the name (UTF-16LE).
_WORD_STREAM = "WordDocument".encode("utf-16-le")
_HEAD = 8192


class UnacceptedFile(ValidationError):
    """The content is not one of the accepted types (the message says which are)."""


def detect(stream: IO[bytes]) -> FileType:
    """The accepted type the content is, or UnacceptedFile. Reads from the start; leaves the stream at 0."""
    stream.seek(0)
    head = stream.read(_HEAD)
    stream.seek(0)
    try:
        if head.startswith(b"%PDF-"):
            return PDF
        if head.startswith(b"\x89PNG\r\n\x1a\n"):
            return PNG
        if head.startswith(b"\xff\xd8\xff"):
            return JPEG
        if head.startswith(_OLE2) and _has_word_stream(stream):
            return DOC
        if head.startswith(b"PK\x03\x04"):
            return _docx(stream)
    finally:
        stream.seek(0)
    raise UnacceptedFile(f"The file must be {ACCEPTED_WORDS}", code="type")


def _has_word_stream(stream: IO[bytes]) -> bool:
    """An old Office file is Word only if its directory names the WordDocument stream (Excel and PowerPoint
    use the same container). The directory can be anywhere: read the file in chunks, overlapping."""
    stream.seek(0)
    tail = b""
    while chunk := stream.read(1024 * 1024):
        if _WORD_STREAM in tail + chunk:
            return True
        tail = chunk[-len(_WORD_STREAM) :]
    return False


def _docx(stream: IO[bytes]) -> FileType:
    """A zip is a .docx when it holds the Word main part; one with macros is refused. Only the names are read."""
    stream.seek(0)
    try:
        with zipfile.ZipFile(stream) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, ValueError, OSError) as error:
        raise UnacceptedFile(f"The file must be {ACCEPTED_WORDS}", code="type") from error
    if "word/document.xml" not in names or "[Content_Types].xml" not in names:
        raise UnacceptedFile(f"The file must be {ACCEPTED_WORDS}", code="type")
    if any(name.lower().endswith("vbaproject.bin") for name in names):
        raise UnacceptedFile("The Word document contains macros: save it as a .docx without macros", code="macros")
    return DOCX
