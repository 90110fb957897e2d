"""HTML to PDF with WeasyPrint: the one renderer, tagged for screen readers, fetching only the project's static files.

Every PDF is made as PDF/UA-1 (`PDF_VARIANT`): tagged, so a screen reader reads its headings, lists
and tables in order, and titled, so a reader's window shows the document's title rather than its
file name. The title is the print template's `<title>` (templates/pdf/base.html, `{% block title %}`)
and the language the `<html lang="en-GB">` of the same base.
"""

from __future__ import annotations

import logging
import mimetypes
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urljoin, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.template.loader import render_to_string
from weasyprint import HTML
from weasyprint.urls import FatalURLFetchingError, URLFetcher, URLFetcherResponse

# WeasyPrint logs every layout step at INFO: far too chatty for a worker's log.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)

# Tagged PDF for accessibility (PDF/UA-1, PDF 1.7): structure tags, the title shown, the language.
PDF_VARIANT = "pdf/ua-1"

# Tests only (config.settings.test): a render waits this long first, so a test can kill its worker
# mid-render (tests/faults/test_worker_killed.py). Ignored under any other settings module.
TEST_RENDER_DELAY_ENV = "ECM_TEST_RENDER_DELAY_SECONDS"


class PdfRenderError(Exception):
    """The PDF could not be made (a resource was refused or could not be read)."""


class DocumentNotRenderable(Exception):
    """The document cannot be made at all (trying again will not help): the job fails it at once."""


@dataclass(frozen=True)
class RenderedPdf:
    content: bytes
    pages: int
    seconds: float


def pdf_base_url() -> str:
    """Where the print templates' relative and /static/ URLs are resolved (never fetched over the network)."""
    return settings.ECM_BASE_URL.rstrip("/") + "/"


class StaticFilesOnlyFetcher(URLFetcher):
    """WeasyPrint's URL fetcher, limited to the project's own static files and data: URLs.

    Anything else (another host, file:, a redirect) stops the render: a print template that needs
    something from outside is a bug, and a fetch from outside could leak what the PDF is about.
    """

    def __init__(self, base_url: str) -> None:
        super().__init__(allowed_protocols={"http", "https", "data"}, allow_redirects=False, fail_on_errors=True)
        self.static_prefix = urljoin(base_url, settings.STATIC_URL)

    def fetch(self, url: str, headers: dict[str, str] | None = None) -> URLFetcherResponse:
        if url.startswith("data:"):
            return super().fetch(url, headers)
        if not url.startswith(self.static_prefix):
            raise PdfRenderError(f"PDFs may only use the project's static files, not {url[:100]}")
        name = unquote(urlsplit(url).path[len(urlsplit(self.static_prefix).path) :])
        path = _static_file(name)
        if path is None:
            raise PdfRenderError(f"No static file {name[:100]}")
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(url, body=path.read_bytes(), headers={"Content-Type": content_type})


def _static_file(name: str) -> Path | None:
    if not name or ".." in Path(name).parts or name.startswith("/"):
        return None
    if staticfiles_storage.exists(name):  # collected (and hashed) in production
        return Path(staticfiles_storage.path(name))
    found = finders.find(name)
    return Path(found) if isinstance(found, str) else None


def render_pdf(*, template_name: str, context: dict[str, Any], base_url: str | None = None) -> RenderedPdf:
    """Render a print template to a tagged PDF's bytes, with the number of pages and how long it took."""
    started = time.perf_counter()
    _test_render_delay()
    html = render_to_string(template_name, context)
    base = base_url or pdf_base_url()
    try:
        document = HTML(string=html, base_url=base, url_fetcher=StaticFilesOnlyFetcher(base)).render(
            pdf_variant=PDF_VARIANT
        )
        content = document.write_pdf(pdf_variant=PDF_VARIANT)
    except FatalURLFetchingError as error:  # a BaseException: made an ordinary error so the job retries
        raise PdfRenderError(str(error.__cause__ or error)) from error
    return RenderedPdf(content=content, pages=len(document.pages), seconds=time.perf_counter() - started)


def _test_render_delay() -> None:
    if settings.SETTINGS_MODULE == "config.settings.test" and os.environ.get(TEST_RENDER_DELAY_ENV):
        time.sleep(float(os.environ[TEST_RENDER_DELAY_ENV]))
